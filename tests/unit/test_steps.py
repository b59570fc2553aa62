""""How do I set up…" questions about a structure: its steps (project, legal form, validation) from the sheets'
tables (assistant.steps), found by retrieval and quoted one per step."""

import pytest

from assistant.answer.extractive import ExtractiveEngine
from assistant.question import PROCEDURE, analyse
from assistant.steps import sets_up, step_of
from tests.unit.conftest import context_of


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


def test_the_steps_are_the_cells_of_the_structure_that_state_them(shipped_passages):
    passages = shipped_passages
    assert step_of(_cell(passages, "MSP Maison", "Projet de santé")) == 0
    assert step_of(_cell(passages, "MSP Maison", "Forme juridique")) == 1
    assert step_of(_cell(passages, "CPTS (Communauté", "Structuration juridique")) == 1
    assert step_of(_cell(passages, "ESP Equipe", "Validation")) == 2
    assert step_of(_cell(passages, "MSP Maison", "Financements")) is None
    assert sets_up(_cell(passages, "ESS Equipe", "Forme juridique"), "ESS")
    assert not sets_up(_cell(passages, "ESS Equipe", "Forme juridique"), "CPTS")


def test_a_procedure_question_finds_the_structures_steps(shipped_retriever):
    retriever = shipped_retriever
    top = retriever.search(analyse("Comment monter une équipe de soins primaires ?"), k=5).passages
    assert any(sets_up(r.passage, "ESP") for r in top), [r.passage.body[:50] for r in top]
    assert all(sets_up(retriever.index.passages[i], "ESP") for i in retriever.steps("ESP"))


def test_a_procedure_is_answered_one_step_after_the_other(shipped_sheets, shipped_passages):
    passages = shipped_passages
    chosen = [_cell(passages, "CPTS Communauté", "Validation"), _cell(passages, "CPTS Communauté", "Forme juridique"),
              next(p for p in passages if "prérequis à la contractualisation" in p.body),
              _cell(passages, "CPTS Communauté", "Projet de santé")]
    ctx = context_of(shipped_sheets, "Quelles démarches pour créer une CPTS ?", chosen)
    draft = ExtractiveEngine().answer(ctx)
    assert not draft.abstained
    lines = draft.text.splitlines()
    # project, legal form, validation: in that order, each led by its step's name
    assert "Projet de santé" in lines[0] and "Forme juridique" in lines[2] and "Validation" in lines[3]
    assert [c.text[:20] for c in draft.citations] == [
        "Obligatoire et évolu", "Association Loi 1901", "Validation ARS & AM "]


def test_the_steps_answer_a_procedure_whose_words_they_do_not_share(shipped_sheets, shipped_passages):
    """« par quoi commencer ? » shares no word with « Projet de santé : obligatoire… »: the steps still answer it,
    ahead of anything that only shares the structure's name."""
    passages = shipped_passages
    chosen = [next(p for p in passages if "Réunions pluriprofessionnelles" in p.body),
              next(p for p in passages if "Mails, SMS" in p.body), _cell(passages, "MSP Maison", "Validation"), _cell(passages, "MSP Maison", "Projet de santé"),
              _cell(passages, "MSP Maison", "Forme juridique")]
    ctx = context_of(shipped_sheets, "On veut ouvrir une maison de santé entre confrères : par quoi commencer ?", chosen)
    draft = ExtractiveEngine().answer(ctx)
    assert not draft.abstained
    assert [c.text[:20] for c in draft.citations] == [
        _cell(passages, "MSP Maison", a).body[:20] for a in ("Projet de santé", "Forme juridique", "Validation")]
