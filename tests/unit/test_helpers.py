"""Questions on who helps with a project (« Vers qui se tourner pour créer une MSP ? »): the interlocutors the
sheets name (assistant.helpers), found by retrieval, from the sheet of the region asked, and quoted."""

import pytest

from assistant.answer.extractive import ExtractiveEngine
from assistant.helpers import names_helpers
from assistant.question import CONTACT, analyse
from tests.unit.conftest import context_of


@pytest.mark.parametrize("question", [
    "Qui peut m'accompagner pour monter une CPTS en Occitanie ?",
    "Vers qui se tourner pour créer une MSP ?",
    "Comment être accompagné pour créer une CPTS ?",
    "Quels acteurs accompagnent les MSP ?",
    "Who can help me set up an ESS in Occitanie?",
])
def test_who_helps_is_asked_as_a_contact(question):
    asked = analyse(question)
    assert asked.answer_type == CONTACT and asked.helpers


@pytest.mark.parametrize("question", [
    "Qui verse l'aide au démarrage ?",  # a funding
    "Sur quoi l'ARS peut-elle m'accompagner techniquement ?",  # what the help covers, not who helps
    "Qui accompagne les patients complexes ?",  # care, not an interlocutor
])
def test_other_questions_do_not_ask_who_helps(question):
    assert not analyse(question).helpers


def test_interlocutors_are_named_by_a_table_a_heading_or_a_sentence(shipped_passages):
    helping = [p for p in shipped_passages if names_helpers(p)]
    bodies = " ".join(p.body for p in helping)
    assert "GUICHET CPTS URPO OCCITANTE" in bodies  # the table « Acteurs pouvant vous accompagner »
    assert "urpsml-na.org" in bodies  # under « L'URPS ML NA vous informe et accompagne… »
    assert "L'ARS accompagne tous les porteurs de projet" in bodies
    ars_list = next(p for p in shipped_passages if "L'ARS accompagne tous les porteurs" in p.body)
    # an item of the ARS's list is read with the sentence that introduces it
    assert names_helpers(ars_list, "accompagnement à la mise en place opérationnelle d’une structure d’exercice coordonné ;")
    # help given to patients is not an interlocutor
    assert not any("accompagnement social" in p.body and "patient" in " ".join(p.section).lower() for p in helping)


def test_a_region_is_answered_from_its_own_sheet(shipped_retriever):
    question = analyse("En Nouvelle-Aquitaine, qui peut accompagner un projet d'exercice coordonné ?")
    elsewhere = shipped_retriever.other_regions(question)
    assert "occitanie-urps-ml-interet-exercice-coordonne" in elsewhere
    assert "snc-tout-savoir-exercice-coordonne" not in elsewhere  # national: about every region
    sheets = [r.passage.sheet_id for r in shipped_retriever.search(question, k=5).passages]
    assert "nouvelle-aquitaine-urps-ml-exercice-coordonne" in sheets
    assert "occitanie-urps-ml-interet-exercice-coordonne" not in sheets  # it has interlocutors, for Occitanie
    assert shipped_retriever.other_regions(analyse("Qui peut m'aider à monter une MSP ?")) == set()


def test_the_interlocutors_of_the_structure_asked_are_quoted(shipped_sheets, shipped_passages):
    rows = [p for p in shipped_passages if p.kind == "table_row" and names_helpers(p)]
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "Qui peut m'accompagner pour monter une CPTS ?", rows))
    assert not draft.abstained
    cited = " ".join(c.text for c in draft.citations)
    assert "GUICHET CPTS" in cited and "fécop" not in cited and "URPS Médecin d'Occitanie" not in cited


def test_a_site_for_a_region_is_looked_for_on_its_sheet_and_a_bare_address_is_a_unit(shipped_retriever, shipped_sheets):
    from assistant.answer.extractive import units_of

    question = analyse("Quel site consulter pour les CPTS en Nouvelle-Aquitaine ?")
    holding = shipped_retriever.holding(frozenset({"site"}), question)
    passages = shipped_retriever.index.passages
    assert passages[holding[0]].sheet_id == "nouvelle-aquitaine-urps-ml-exercice-coordonne"
    address = next(p for p in passages if p.body == "cpts-na.org")
    sheet_text = shipped_sheets[address.sheet_id].text
    assert [u.text for u in units_of(address, 1, sheet_text)] == ["cpts-na.org"]  # short, but a whole answer
