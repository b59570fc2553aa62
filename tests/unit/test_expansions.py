"""Questions on what an acronym stands for (« Que veut dire le sigle SISA ? »): answered by a unit that spells it
out (a glossary entry, the long form in brackets), or a graded refusal when no passage does."""

import pytest

from assistant.answer.extractive import ExtractiveEngine
from assistant.definitions import gives_long_form, spells_out
from assistant.question import DEFINITION, analyse
from tests.unit.conftest import context_of


@pytest.mark.parametrize("question, acronym", [
    ("Que veut dire le sigle SISA ?", "SISA"),
    ("Que veut dire PTA ?", "PTA"),
    ("Que signifie le sigle CLIC ?", "CLIC"),
    ("CPTS : que veut dire ce sigle ?", "CPTS"),
    ("What does ESP stand for?", "ESP"),
    # what something is, or means in practice, is not what its letters stand for
    ("Qu'est-ce que la SISA ?", ""),
    ("Que veut dire MSP en pratique pour un médecin ?", ""),
    ("Que signifie exercer en équipe de soins primaires ?", ""),
])
def test_questions_on_what_an_acronym_stands_for(question, acronym):
    asked = analyse(question)
    assert asked.answer_type == DEFINITION and asked.expansion_of == acronym


@pytest.mark.parametrize("text, acronym, spelled", [
    ("ESP (Équipe de Soins Primaires)", "ESP", True),
    ("Les dispositifs d'appui à la coordination (DAC) viennent en appui", "DAC", True),
    ("un Contrat Local de Santé (CLS) signé avec la mairie", "CLS", True),  # not in the field's list
    ("CPTS Communauté Professionnelle Territoriale de Santé", "CPTS", True),  # a table's row header
    ("Personnalité morale obligatoire (constitution associative ou en société, notamment SISA).", "SISA", False),
    ("SISA (pour toucher l'ACI)", "SISA", False),  # brackets whose initials do not spell it
    ("Les CPTS (voir tableau 2) sont", "CPTS", False),
])
def test_what_spells_an_acronym_out(text, acronym, spelled):
    assert spells_out(text, acronym) == spelled


def test_a_glossary_entry_gives_the_long_form():
    assert gives_long_form("", "PTA. Plateformes territoriales d'appui", "PTA")
    assert not gives_long_form("", "CTA. Coordination territoriale d'appui", "PTA")


def _holding(passages, needle):
    return next(p for p in passages if needle in p.body)


def test_the_long_form_answers(shipped_sheets, shipped_passages):
    glossary = _holding(shipped_passages, "PTA. Plateformes territoriales d'appui")
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "Que veut dire PTA ?", [glossary]))
    assert not draft.abstained and "Plateformes territoriales d'appui" in draft.citations[0].text


def test_no_long_form_is_a_graded_refusal(shipped_sheets, shipped_passages):
    # the sheets name the SISA (a legal form of MSP) but never spell it out
    naming = [p for p in shipped_passages if "SISA" in p.body][:3]
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "Que veut dire le sigle SISA ?", naming))
    assert draft.abstained
    assert draft.text.startswith("Les fiches ne donnent pas la forme développée du sigle SISA. Elles indiquent "
                                 "seulement :")
    assert draft.citations and "SISA" in draft.citations[0].text
