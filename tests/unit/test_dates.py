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


# How long something lasts or takes (« pour combien de temps… », « dans quel délai… »): answered with a length of
# time about what is asked, or a graded refusal.

@pytest.mark.parametrize("question, how_long", [
    ("Pour combien de temps une maison de santé signe-t-elle son contrat ACI ?", True),
    ("Dans quel délai l'ARS valide-t-elle un projet de santé ?", True),
    ("Quelle est la durée du contrat d'une CPTS ?", True),
    ("How long does the ACI contract last?", True),
    ("Pour combien d'années une ESS signe-t-elle son contrat ?", True),
    ("How many years does the ACI contract last?", True),
    ("Combien de médecins faut-il pour une MSP ?", False),
])
def test_how_long_questions(question, how_long):
    assert ("duration" in analyse(question).kinds) == how_long


def test_what_a_length_of_time_is():
    assert carries("duration", "Contrat ACI avec ARS et AM (5 années)")
    assert carries("duration", "FIR : 30 000 € en 3 fois maxi sur 3 ans maxi")
    assert carries("duration", "une consultation non programmée dans les 24 heures")
    assert not carries("duration", "200€ par an et par professionnel de santé")  # a rate, not a length
    assert not carries("duration", "ACI: 80 105 € en moyenne en 2022")


def test_a_length_of_time_about_what_is_asked_answers(shipped_sheets, shipped_passages):
    cells = [p for p in shipped_passages if p.kind == "table_cell" and p.attribute == "Financements"
             and "MSP" in p.entity and p.sheet_id == "occitanie-urps-ml-interet-exercice-coordonne"]
    draft = ExtractiveEngine().answer(context_of(
        shipped_sheets, "Pendant combien de temps une MSP touche-t-elle le FIR ?", cells))
    assert not draft.abstained and "sur 2 ans" in draft.citations[0].text


def test_only_a_length_of_time_answers_and_none_is_given(shipped_sheets, shipped_passages):
    chosen = [_body(shipped_passages, "Comité de convergence ARS & AM"), _body(shipped_passages, "Crédit amorçage")]
    draft = ExtractiveEngine().answer(context_of(
        shipped_sheets, "Quel est le délai de réponse du comité de convergence pour valider une ESS ?", chosen))
    assert draft.abstained
    assert draft.text.startswith("Les fiches ne précisent pas ce délai. Elles indiquent seulement :")
    assert draft.citations  # what they do say, cited
    draft = ExtractiveEngine().answer(context_of(
        shipped_sheets, "Une ESCAP est-elle financée pour combien de temps ?", [_body(shipped_passages, "200€ par an")]))
    assert draft.abstained and draft.text.startswith("Les fiches ne précisent pas cette durée.")


def test_a_question_on_when_something_began_is_answered_by_the_date_of_that_beginning(shipped_sheets, shipped_passages):
    from assistant.facts import asks_origin, dates_origin

    assert asks_origin("Quand les DAC ont-ils été créés ?")  # a bare « quand » with a beginning asks a date
    assert asks_origin("Depuis quand le FIR existe-t-il ?")
    assert not asks_origin("À partir de quelle date une CPTS touche-t-elle l'ACI ?")
    assert dates_origin("Introduite dans la loi du 24 juillet 2019 relative à l'organisation")
    assert dates_origin("CENTRES DE SANTE — Naissance : Après-guerre")
    assert not dates_origin("Selon une enquête de la DGOS, il existait en novembre 2022 132 DAC")  # a count's date
    assert not dates_origin("ACI: 80 105 € en moyenne en 2022")

    survey = _body(shipped_passages, "il existait en novembre 2022 132 DAC")
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "Quand les DAC ont-ils été créés ?", [survey]))
    assert draft.abstained and draft.text.startswith("Les fiches ne précisent pas cette date.")
    assert "novembre 2022" in draft.citations[0].text  # what they do say, not presented as the answer
    law = _body(shipped_passages, "Dernière-née des organisations")
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "Depuis quand les ESS existent-elles ?", [law]))
    assert not draft.abstained and "24 juillet 2019" in draft.text


def test_retrieval_ranks_the_passages_that_date_the_beginning_of_the_structure_asked(shipped_retriever):
    question = analyse("En quelle année les maisons de santé pluriprofessionnelles ont-elles vu le jour ?")
    assert question.origin
    passages = shipped_retriever.index.passages
    first = passages[shipped_retriever.originating(question)[0]]
    assert first.attribute == "Naissance" and first.body.endswith("2007")  # the MSP's, not the centres de santé's
    assert all(passages[i].kind != "references" for i in shipped_retriever.originating(question))
    top = [r.passage for r in shipped_retriever.search(question, k=5).passages]
    assert any(p.attribute == "Naissance" and p.body.endswith("2007") for p in top)


def test_an_average_length_of_time_is_written_next_to_its_length():
    from assistant.facts import states_average_duration

    assert states_average_duration("un délai de 6 mois en moyenne") and states_average_duration("en moyenne 18 mois")
    assert not states_average_duration("ACI: 80 105 € en moyenne en 2022 FIR: 50 000 € en 2 fois sur 2 ans")
    assert not states_average_duration("Contrat ACI avec ARS et AM (5 années)")
