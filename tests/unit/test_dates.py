"""Questions on when something happened (« Depuis quand les ESS existent-elles ? »): answered with a date about
what they ask, or a graded refusal when only a date would answer and the passages hold none."""

import pytest

from assistant.answer.extractive import ExtractiveEngine
from assistant.facts import asks_date, carries
from assistant.question import DATE, analyse
from tests.unit.conftest import context_of


@pytest.mark.parametrize("question, only_a_date", [
    ("Depuis quand les équipes de soins spécialisés sont-elles dans la loi ?", True),
    ("En quelle année les MSP sont-elles apparues ?", True),
    ("À partir de quand les ESS sont-elles entrées dans la convention médicale ?", True),
    ("À quelle époque les centres de santé sont-ils nés ?", True),
    ("Quand l'exercice coordonné risque-t-il de devenir un nouveau machin ?", False),  # in which case
])
def test_when_questions(question, only_a_date):
    asked = analyse(question)
    assert asked.answer_type == DATE and asked.when == only_a_date == asks_date(question)


def test_what_a_date_is():
    assert carries("date", "Introduite dans la loi du 24 juillet 2019")
    assert carries("date", "Après-guerre") and carries("date", "mise à jour le 01/11/2025")
    assert not carries("date", "Association Loi 1901")  # a kind of association
    assert not carries("date", "ACI: 287 500 €")


def test_the_words_that_only_ask_when_are_not_the_subject():
    asked = analyse("À partir de quand les ESS sont-elles entrées dans la convention médicale ?")
    assert {"ess", "convent"} <= asked.subject and not asked.subject & {"part", "quand"}
    assert "jour" not in analyse("En quelle année les MSP ont-elles vu le jour ?").subject


def _body(passages, needle):
    return next(p for p in passages if needle in p.body)


def test_a_date_about_what_is_asked_answers(shipped_sheets, shipped_passages):
    chosen = [_body(shipped_passages, "Dernière-née des organisations"), _body(shipped_passages, "Après-guerre")]
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "À quelle époque les centres de santé sont-ils nés ?", chosen))
    assert not draft.abstained and draft.citations[0].text == "Après-guerre"


def test_only_a_date_answers_and_none_is_given(shipped_sheets, shipped_passages):
    chosen = [_body(shipped_passages, "Association loi 1901 (contrat AM"), _body(shipped_passages, "287 500")]
    draft = ExtractiveEngine().answer(context_of(
        shipped_sheets, "À partir de quelle date une CPTS touche-t-elle l'ACI après la signature du contrat ?", chosen))
    assert draft.abstained
    assert draft.text.startswith("Les fiches ne précisent pas cette date. Elles indiquent seulement :")
    assert draft.citations  # what they do say, cited
