""""How do I set up…" questions about a structure: its steps (project, legal form, validation) from the sheets'
tables (assistant.steps), found by retrieval and quoted one per step."""

import pytest

from assistant.answer.base import Context
from assistant.answer.extractive import ExtractiveEngine
from assistant.chunking import chunk_sheet
from assistant.corpus import load_corpus
from assistant.index import build_index, open_index
from assistant.question import PROCEDURE, analyse
from assistant.retrieval import HybridRetriever
from assistant.schema import Retrieved
from assistant.steps import sets_up, step_of
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def sheets():
    return {s.id: s for s in load_corpus(CORPUS)}


@pytest.fixture(scope="module")
def passages(sheets):
    return [p for s in sheets.values() for p in chunk_sheet(s)]


def _cell(passages, entity, attribute):
    return next(p for p in passages if p.kind == "table_cell" and entity in p.entity and attribute in p.attribute)


@pytest.mark.parametrize("question", [
    "Comment monter une équipe de soins primaires ?",
    "Comment ouvrir une MSP ?",
    "On veut créer une maison de santé entre confrères : par quoi commencer ?",
    "How do I set up a CPTS?",
])
def test_setting_a_structure_up_is_a_procedure(question):
    asked = analyse(question)
    assert asked.answer_type == PROCEDURE and asked.structures


def test_the_steps_are_the_cells_of_the_structure_that_state_them(passages):
    assert step_of(_cell(passages, "MSP Maison", "Projet de santé")) == 0
    assert step_of(_cell(passages, "MSP Maison", "Forme juridique")) == 1
    assert step_of(_cell(passages, "CPTS (Communauté", "Structuration juridique")) == 1
    assert step_of(_cell(passages, "ESP Equipe", "Validation")) == 2
    assert step_of(_cell(passages, "MSP Maison", "Financements")) is None
    assert sets_up(_cell(passages, "ESS Equipe", "Forme juridique"), "ESS")
    assert not sets_up(_cell(passages, "ESS Equipe", "Forme juridique"), "CPTS")


def test_a_procedure_question_finds_the_structures_steps(settings, keyword_embeddings):
    s = settings.with_(corpus_dir=CORPUS)
    build_index(s, keyword_embeddings, keyword_embeddings.spec)
    retriever = HybridRetriever(open_index(s.index_dir), keyword_embeddings)
    top = retriever.search(analyse("Comment monter une équipe de soins primaires ?"), k=5).passages
    assert any(sets_up(r.passage, "ESP") for r in top), [r.passage.body[:50] for r in top]
    assert all(sets_up(retriever.index.passages[i], "ESP") for i in retriever.steps("ESP"))


def test_a_procedure_is_answered_one_step_after_the_other(sheets, passages):
    chosen = [_cell(passages, "CPTS Communauté", "Validation"), _cell(passages, "CPTS Communauté", "Forme juridique"),
              next(p for p in passages if "prérequis à la contractualisation" in p.body),
              _cell(passages, "CPTS Communauté", "Projet de santé")]
    retrieved = tuple(Retrieved(p, 1 / (60 + i)) for i, p in enumerate(chosen, start=1))
    ctx = Context("Quelles démarches pour créer une CPTS ?", retrieved, {k: s.meta for k, s in sheets.items()},
                  lambda sid: sheets[sid].text)
    draft = ExtractiveEngine().answer(ctx)
    assert not draft.abstained
    lines = draft.text.splitlines()
    # project, legal form, validation: in that order, each led by its step's name
    assert "Projet de santé" in lines[0] and "Forme juridique" in lines[2] and "Validation" in lines[3]
    assert [c.text[:20] for c in draft.citations] == [
        "Obligatoire et évolu", "Association Loi 1901", "Validation ARS & AM "]
