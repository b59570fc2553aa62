"""Questions on what something brings (« pourquoi rejoindre… », « qu'est-ce que le patient y gagne ? ») and the
sheets' lists of advantages that answer them: typing, the passages (assistant.benefits), retrieval, the engine."""

import pytest

from assistant.answer.extractive import ExtractiveEngine
from assistant.benefits import lists_benefits
from assistant.question import LIST, analyse
from tests.unit.conftest import context_of


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


def test_lists_of_advantages_are_told_from_other_passages(shipped_passages):
    passages = shipped_passages
    assert lists_benefits(_holding(passages, "Parcours de soins fluidifié"))  # under « Avantages pour le patient »
    assert lists_benefits(_holding(passages, "moins d'isolement professionnel"))  # « Pourquoi se lancer… ? »
    assert lists_benefits(_holding(passages, "La MSP présente plusieurs avantages"))  # its introducing sentence
    assert not lists_benefits(_holding(passages, "Toujours pluriprofessionnelle, la MSP regroupe"))
    assert not lists_benefits(_holding(passages, "SISA pour ACI"))  # a table cell


def test_a_question_on_what_something_brings_finds_a_list_of_advantages(shipped_retriever):
    retriever = shipped_retriever
    question = analyse("Qu'est-ce que le patient gagne à un suivi coordonné ?")
    # whose advantages: the patient's list first among the lists, for the question's own words
    ranked = [retriever.index.passages[i] for i in retriever.benefiting(question)]
    assert all(lists_benefits(p) for p in ranked) and all("patient" in p.text for p in ranked[:2])
    assert any("Parcours de soins fluidifié" in p.body for p in ranked[:3])
    top = retriever.search(question, k=5).passages
    assert lists_benefits(top[0].passage)


def _context(sheets, passages, question, needles):
    return context_of(sheets, question, [_holding(passages, needle) for needle in needles])


def test_each_list_of_advantages_gives_its_own(shipped_sheets, shipped_passages):
    """The advantages are spread over several lists (sheets, beneficiaries): one unit of each, not three
    lines of the first list."""
    ctx = _context(shipped_sheets, shipped_passages, "Pourquoi se lancer en exercice coordonné quand on est libéral ?",
                   ["moins d'isolement professionnel", "7. Libérer du temps médical", "Meilleure répartition des rôles"])
    draft = ExtractiveEngine().answer(ctx)
    assert not draft.abstained and len(draft.citations) == 3
    assert len({(c.sheet_id, c.start) for c in draft.citations}) == 3
    assert len({c.sheet_id for c in draft.citations}) == 3
    assert "isolement" in draft.text and "temps médical" in draft.text


def test_what_one_thing_brings_is_not_answered_by_the_advantages_of_another(shipped_sheets, shipped_passages):
    ctx = _context(shipped_sheets, shipped_passages, "Quel est l'intérêt pour une maison de santé de se constituer en SISA ?",
                   ["La MSP présente plusieurs avantages", "SISA pour ACI"])
    draft = ExtractiveEngine().answer(ctx)
    assert "SISA pour ACI" in draft.citations[0].text


def test_a_list_announced_for_whom_the_question_asks_about_comes_before_another_whose_items_name_them(
        shipped_sheets, shipped_passages, shipped_retriever):
    """The professionals' list names « l'efficience globale du système de santé » in its items; the list for the
    health system is announced by its heading (« Avantages pour le système de santé »)."""
    question = "Quels avantages l'exercice coordonné apporte-t-il au système de santé ?"
    ctx = _context(shipped_sheets, shipped_passages, question,
                   ["Amélioration de l'efficience globale du système de santé", "Réduction des hospitalisations évitables"])
    assert ctx.retrieved[0].passage.section[-1] == "Avantages pour les professionnels de santé"
    draft = ExtractiveEngine(idf=shipped_retriever.index.lexical.idf).answer(ctx)
    assert draft.citations[0].section[-1] == "Avantages pour le système de santé"
    ranked = [shipped_retriever.index.passages[i] for i in shipped_retriever.benefiting(analyse(question))]
    assert ranked[0].section[-1] == "Avantages pour le système de santé"
    # an organisation the question names may be whose view it asks, not what the list must name
    ctx = _context(shipped_sheets, shipped_passages,
                   "Quel intérêt l'Assurance maladie voit-elle pour le système de santé ?", ["Réduction des hospitalisations évitables"])
    assert "hospitalisations évitables" in ExtractiveEngine().answer(ctx).citations[0].text
