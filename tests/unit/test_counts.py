"""« Combien de centres de santé… ? » is answered by a figure of what it counts, not by a count of something
else in the same table row (a count of CPTS), or gets a graded refusal."""

import pytest

from assistant.answer.extractive import ExtractiveEngine
from assistant.facts import counted
from assistant.question import analyse
from tests.unit.conftest import context_of


@pytest.mark.parametrize("question, thing", [
    ("Combien de centres de santé compte la Nouvelle-Aquitaine ?", "centres"),
    ("Quel est le nombre de CPTS en Occitanie ?", "CPTS"),
    ("How many DAC existed in November 2022?", "DAC"),
    ("Combien d'ESS en Nouvelle-Aquitaine ?", "ESS"),
    # times and lengths of time count no thing; « combien » alone neither
    ("En combien de versements le FIR d'une ESP est-il payé ?", ""),
    ("Pour combien d'années le contrat est-il signé ?", ""),
    ("Combien une CPTS peut-elle percevoir au titre de l'ACI ?", ""),
])
def test_what_a_how_many_question_counts(question, thing):
    assert counted(question) == thing


def test_only_quantity_questions_count_something():
    assert analyse("Combien de CPTS compte l'Occitanie ?").counted == frozenset({"cpt"})
    assert analyse("Qu'est-ce qu'une CPTS ?").counted == frozenset()


def _region_row(passages, region):
    return next(p for p in passages if p.kind == "table_row" and p.body.startswith(region))


def test_a_count_of_what_is_asked_answers(shipped_sheets, shipped_passages):
    row = _region_row(shipped_passages, "Occitanie")
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "Combien de CPTS compte l'Occitanie ?", [row]))
    assert not draft.abstained and "40" in draft.text


def test_a_count_of_something_else_is_a_graded_refusal(shipped_sheets, shipped_passages):
    row = _region_row(shipped_passages, "Nouvelle-Aquitaine")  # a count of CPTS, with population and coverage
    draft = ExtractiveEngine().answer(context_of(
        shipped_sheets, "Combien de centres de santé compte la Nouvelle-Aquitaine ?", [row]))
    assert draft.abstained
    assert draft.text.startswith("Les fiches ne donnent pas ce chiffre. Elles indiquent seulement :")
    assert draft.citations and "35" in draft.citations[0].text  # what they do say, cited
