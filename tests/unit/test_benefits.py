"""Questions on what something brings (« pourquoi rejoindre… », « qu'est-ce que le patient y gagne ? ») and the
sheets' lists of advantages that answer them: typing, the passages (assistant.benefits), retrieval, the engine."""

import pytest

from assistant.answer.base import Context
from assistant.answer.extractive import ExtractiveEngine
from assistant.benefits import lists_benefits
from assistant.chunking import chunk_sheet
from assistant.corpus import load_corpus
from assistant.index import build_index, open_index
from assistant.question import LIST, analyse
from assistant.retrieval import HybridRetriever
from assistant.schema import Retrieved
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def sheets():
    return {s.id: s for s in load_corpus(CORPUS)}


@pytest.fixture(scope="module")
def passages(sheets):
    return [p for s in sheets.values() for p in chunk_sheet(s)]


def _holding(passages, needle):
    return next(p for p in passages if needle in p.body)


@pytest.mark.parametrize("question", [
    "Pourquoi rejoindre une CPTS ?",
    "Pourquoi s'installer en maison de santé quand on débute ?",
    "Qu'est-ce que le patient gagne à être suivi par une équipe ?",
    "Quel intérêt pour un médecin de travailler en exercice coordonné ?",
    "Qu'est-ce que la coordination change pour le patient ?",
    "Why would a GP join an MSP?",
])
def test_a_question_on_what_something_brings_asks_for_its_advantages(question):
    asked = analyse(question)
    assert asked.answer_type == LIST and asked.benefits
    # the words that only ask for a gain are answered by the lists, not looked for in them
    assert not asked.concepts & {"pourquoi", "gagn", "intérêt", "chang", "why"}


@pytest.mark.parametrize("question", [
    "Pourquoi la SISA est-elle obligatoire ?",  # a reason, not a gain
    "Combien rapporte l'ACI à une MSP ?",  # a figure
    "Qu'est-ce qu'une CPTS ?",
    "Quelles missions une CPTS doit-elle remplir ?",
])
def test_other_questions_do_not_ask_for_advantages(question):
    assert not analyse(question).benefits


def test_lists_of_advantages_are_told_from_other_passages(passages):
    assert lists_benefits(_holding(passages, "Parcours de soins fluidifié"))  # under « Avantages pour le patient »
    assert lists_benefits(_holding(passages, "moins d'isolement professionnel"))  # « Pourquoi se lancer… ? »
    assert lists_benefits(_holding(passages, "La MSP présente plusieurs avantages"))  # its introducing sentence
    assert not lists_benefits(_holding(passages, "Toujours pluriprofessionnelle, la MSP regroupe"))
    assert not lists_benefits(_holding(passages, "SISA pour ACI"))  # a table cell


def test_a_question_on_what_something_brings_finds_a_list_of_advantages(settings, keyword_embeddings):
    s = settings.with_(corpus_dir=CORPUS)
    build_index(s, keyword_embeddings, keyword_embeddings.spec)
    retriever = HybridRetriever(open_index(s.index_dir), keyword_embeddings)
    question = analyse("Qu'est-ce que le patient gagne à un suivi coordonné ?")
    # whose advantages: the patient's list first among the lists, for the question's own words
    ranked = [retriever.index.passages[i] for i in retriever.benefiting(question)]
    assert all(lists_benefits(p) for p in ranked) and all("patient" in p.text for p in ranked[:2])
    assert any("Parcours de soins fluidifié" in p.body for p in ranked[:3])
    top = retriever.search(question, k=5).passages
    assert lists_benefits(top[0].passage)


def _context(sheets, passages, question, needles):
    chosen = [_holding(passages, needle) for needle in needles]
    retrieved = tuple(Retrieved(p, 1 / (60 + i)) for i, p in enumerate(chosen, start=1))
    return Context(question, retrieved, {k: s.meta for k, s in sheets.items()}, lambda sid: sheets[sid].text)


def test_each_list_of_advantages_gives_its_own(sheets, passages):
    """The advantages are spread over several lists (sheets, beneficiaries): one unit of each, not three
    lines of the first list."""
    ctx = _context(sheets, passages, "Pourquoi se lancer en exercice coordonné quand on est libéral ?",
                   ["moins d'isolement professionnel", "7. Libérer du temps médical", "Meilleure répartition des rôles"])
    draft = ExtractiveEngine().answer(ctx)
    assert not draft.abstained and len(draft.citations) == 3
    assert len({(c.sheet_id, c.start) for c in draft.citations}) == 3
    assert len({c.sheet_id for c in draft.citations}) == 3
    assert "isolement" in draft.text and "temps médical" in draft.text


def test_what_one_thing_brings_is_not_answered_by_the_advantages_of_another(sheets, passages):
    ctx = _context(sheets, passages, "Quel est l'intérêt pour une maison de santé de se constituer en SISA ?",
                   ["La MSP présente plusieurs avantages", "SISA pour ACI"])
    draft = ExtractiveEngine().answer(ctx)
    assert "SISA pour ACI" in draft.citations[0].text
