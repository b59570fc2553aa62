"""Questions on who does what (« Qui finance les centres de santé ? », « Par qui une ESS est-elle validée ? »):
the action asked (assistant.agents), the passages that state it and name someone, found and quoted."""

import pytest

from assistant.agents import asked_action, names_doer
from assistant.answer.extractive import ExtractiveEngine
from assistant.lexical import tokenize
from assistant.question import analyse
from tests.unit.conftest import context_of


@pytest.mark.parametrize("question, action", [
    ("Qui finance les centres de santé ?", "finance"),
    ("Mais qui pilote les équipes de soins spécialisés ?", "pilote"),
    ("Par qui une équipe de soins spécialisés est-elle validée ?", "valide"),
    ("Qui est à l'initiative de la création d'une CPTS ?", "initiative"),
    ("Qui peut créer une CPTS ?", "créer"),
    ("Qui s'occupe de la coordination ?", "occupe"),
])
def test_the_action_whose_doer_is_asked(question, action):
    asked = analyse(question)
    assert set(tokenize(action)) <= asked.action


def test_a_light_verb_brings_its_object_and_a_verb_its_nouns_and_synonyms():
    assert set(tokenize("validation")) <= asked_action("Qui décide de la validation d'une ESS ?")
    assert set(tokenize("gestionnaire")) <= asked_action("Qui gère un centre de santé ?")
    # whoever pays the remuneration is whoever finances it
    assert set(tokenize("financement")) <= asked_action("Qui verse la rémunération forfaitaire ?")
    # « payer » would share its stem with « Pays d'Auray »
    assert not set(tokenize("Pays")) & asked_action("Qui verse l'aide ?")


@pytest.mark.parametrize("question", [
    "Qu'est-ce qu'une MSP ?",
    "Qui peut faire partie d'une ESP ?",  # members: a list of its own
    "Qui peut m'accompagner pour monter une CPTS ?",  # helpers: a contact question
    "Qui ?",
])
def test_other_questions_ask_no_doer(question):
    assert not analyse(question).action


def test_a_doer_is_named_with_the_action():
    action = asked_action("Qui finance les centres de santé ?")
    assert names_doer("Financement : Remboursement des actes par l'Assurance-maladie", action)
    assert not names_doer("Financement possible via le FIR", action)  # nobody named
    assert not names_doer("Le DAC est accessible aux professionnels", action)  # not the action


def test_retrieval_ranks_the_passages_that_name_a_doer(shipped_retriever):
    question = analyse("Qui gère un centre de santé ?")
    passages = shipped_retriever.index.passages
    bodies = [passages[i].body for i in shipped_retriever.doing(question)[:5]]
    assert any(body.startswith("Gestionnaire : municipalités") for body in bodies)
    top = [r.passage.body for r in shipped_retriever.search(question, k=5).passages]
    assert any(body.startswith("Gestionnaire : municipalités") for body in top)


def test_the_unit_that_names_the_doer_is_quoted(shipped_sheets, shipped_passages):
    # the ESS's definition comes first, as retrieval gives it; the sentence naming who pilots it is quoted first
    passages = [p for p in shipped_passages if "Pilotées par les libéraux" in p.body
                or p.body.startswith("Dernière-née des organisations territoriales")]
    assert passages[0].body.startswith("Dernière-née")
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "Qui pilote les équipes de soins spécialisés ?",
                                                 passages))
    assert not draft.abstained
    assert "Pilotées par les libéraux" in draft.citations[0].text


@pytest.mark.parametrize("question, stem", [
    ("Who manages the FIR fund?", "ger"),  # read in French through the glossary: « gère »
    ("Who validates an ESS?", "valid"),
    ("Who finances health centres?", "financ"),
])
def test_an_english_who_question_asks_the_doer_of_its_verb(question, stem):
    assert stem in analyse(question).action


def test_a_french_place_name_is_not_read_as_an_english_verb():
    from assistant.glossary import french_terms

    assert french_terms("la région Pays de la Loire") == ""  # « pays » is no English « pays »
