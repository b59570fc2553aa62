"""The extractive engine end to end on real questions (real index, real embeddings)."""

import pytest

from assistant.schema import Turn

pytestmark = pytest.mark.models

OCCITANIE = "occitanie-urps-ml-interet-exercice-coordonne"


def test_cpts_aci_answer_cites_the_occitanie_funding_cell(coordo):
    answer = coordo.ask("Combien une CPTS peut-elle percevoir au titre de l'ACI ?")
    assert not answer.abstained
    assert "287 500" in answer.text and "580 000" in answer.text
    first = answer.citations[0]
    assert first.sheet_id == OCCITANIE and "287 500" in first.text
    source = coordo.retriever.index.sheet_text(OCCITANIE)
    assert source[first.start : first.end] == first.text


@pytest.mark.parametrize(
    "question",
    [
        "Quelle est la posologie de l'amoxicilline ?",
        "Comment fonctionne l'exercice coordonné au Québec ?",
        "Quel sera le montant de l'ACI des CPTS en 2030 ?",
        "Quel est le numéro de téléphone de l'ARS ?",
    ],
    ids=["amoxicillin", "quebec", "year-2030", "ars-phone"],
)
def test_questions_the_sheets_do_not_answer_are_refused(coordo, question):
    answer = coordo.ask(question)
    assert answer.abstained and not answer.citations
    assert "ne répondent pas" in answer.text or "ne donnent pas" in answer.text


def test_sources_that_differ_are_both_given_with_dates(coordo):
    answer = coordo.ask("Combien une MSP perçoit-elle de l'Assurance maladie au titre de l'ACI ?")
    assert "80 105" in answer.text and "69 790" in answer.text
    assert "septembre 2025" in answer.text and "avril 2023" in answer.text


def test_follow_up_uses_the_conversation(coordo):
    history = [Turn("user", "Combien une CPTS peut-elle percevoir au titre de l'ACI ?"), Turn("assistant", "…")]
    answer = coordo.ask("Et son financement FIR ?", history)
    assert "CPTS" in answer.standalone_question
    assert "50 000" in answer.text
    msp = coordo.ask("Et pour une MSP ?", history)
    assert msp.standalone_question == "Combien une MSP peut-elle percevoir au titre de l'ACI ?"
    assert "80 105" in msp.text


def test_answer_json_shape(coordo):
    d = coordo.ask("Qu'est-ce qu'un DAC ?").to_dict()
    assert {"answer", "abstained", "citations", "retrieved", "timings_ms"} <= set(d)
    assert d["citations"][0]["sheet_id"] and "start" in d["citations"][0] and "end" in d["citations"][0]
    assert len(d["retrieved"]) == 5 and all("score" in r for r in d["retrieved"])
