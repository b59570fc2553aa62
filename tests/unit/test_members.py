"""Questions on who makes a structure up (« Qui peut faire partie d'une ESP ? », « De qui se compose une ESS ? »):
the composition cells and sentences of the sheets (assistant.members), found by retrieval and quoted one per
source."""

import pytest

from assistant.answer.extractive import ExtractiveEngine
from assistant.members import states_members
from assistant.question import LIST, YES_NO, analyse
from tests.unit.conftest import context_of


@pytest.mark.parametrize("question, structure", [
    ("Qui peut faire partie d'une équipe de soins primaires ?", "ESP"),
    ("Qui sont les membres d'une maison de santé ?", "MSP"),
    ("De qui se compose une équipe de soins spécialisés ?", "ESS"),
    ("Quelle est la composition d'une CPTS ?", "CPTS"),
    ("Who can join a CPTS?", "CPTS"),
])
def test_who_makes_a_structure_up_is_asked_as_a_list(question, structure):
    asked = analyse(question)
    assert asked.answer_type == LIST and asked.members and asked.structures[:1] == (structure,)


@pytest.mark.parametrize("question", [
    "De quoi se compose l'ACI d'une MSP ?",  # what makes up a funding, the first thing it names
    "Qui valide le projet de santé d'une MSP ?",
    "Un pharmacien peut-il être membre d'une MSP ?",  # yes or no
])
def test_other_questions_do_not_ask_for_the_members(question):
    assert not analyse(question).members


def test_the_composition_is_in_cells_and_sentences_that_name_the_structure(shipped_passages):
    passages = shipped_passages
    composition = [p for p in passages if states_members(p, "ESP")]
    kinds = {(p.kind, p.attribute) for p in composition}
    assert ("table_cell", "Composition") in kinds and ("table_cell", "Public") in kinds
    assert any("Les ESP sont constituées autour de médecins généralistes" in p.body for p in composition)
    # a cell of another column, and a sentence that « constitutes an opportunity », do not say who joins
    funding = next(p for p in passages if p.kind == "table_cell" and "ESP" in p.entity and "Financement" in p.attribute)
    assert not states_members(funding, "ESP")
    opportunity = next(p for p in passages if "Les CPTS constituent une opportunité" in p.body)
    assert not states_members(opportunity, "CPTS")
    # under a CPTS heading, a sentence about something else (« Cette bibliographie rassemble… ») does not either
    assert not any("bibliographie rassemble" in p.body for p in passages if states_members(p, "CPTS"))


def test_a_question_on_the_members_finds_the_composition(shipped_retriever):
    top = shipped_retriever.search(analyse("Qui peut travailler dans une ESCAP ?"), k=5).passages
    assert states_members(top[0].passage, "ESCAP"), [r.passage.body[:50] for r in top]


def test_the_members_are_quoted_from_each_source(shipped_sheets, shipped_passages):
    passages = shipped_passages
    chosen = [next(p for p in passages if p.kind == "table_cell" and "ESCAP" in p.entity and a in p.attribute)
              for a in ("Financement", "Missions", "Public")]
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "Qui peut travailler dans une ESCAP ?", chosen))
    assert not draft.abstained
    assert [c.text for c in draft.citations] == ["Minimum trois professionnels de santé, avec obligatoirement le médecin traitant"]


def test_a_bare_comparison_quotes_who_makes_up_each_side_from_one_table(shipped_retriever, shipped_sheets):
    question = analyse("Quelle différence entre une équipe de soins primaires et une maison de santé pluriprofessionnelle ?")
    top = shipped_retriever.search(question, k=5).passages
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, question.text, [r.passage for r in top]))
    first, second = draft.citations[:2]
    assert "Au moins 1 médecin généraliste" in first.text and "Au moins 2 médecins généralistes" in second.text
    assert first.sheet_id == second.sheet_id  # the same table: the same source and date
