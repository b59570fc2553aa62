"""What a question asks, decided once (assistant.question): answer types, names, follow-ups."""

import pytest

from assistant.lexical import tokenize
from assistant.question import (COMPARISON, CONTACT, DATE, DEFINITION, LIST, OTHER, PROCEDURE, QUANTITY, YES_NO,
                                analyse)
from assistant.schema import Turn


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Qu'est-ce qu'une équipe de soins spécialisés ?", DEFINITION),
        ("C'est quoi un DAC ?", DEFINITION),
        ("What is a CPTS?", DEFINITION),
        ("MSP ou centre de santé : quelle différence ?", COMPARISON),
        ("Quelle différence entre une ESP et une CPTS ?", COMPARISON),
        ("Le projet de santé est-il obligatoire pour une ESP ?", YES_NO),
        ("Peut-on être salarié dans une CPTS ?", YES_NO),
        ("Est-ce que l'ESCAP demande une structure juridique ?", YES_NO),
        ("Can a nurse join an MSP?", YES_NO),
        ("Combien de CPTS en Bretagne ?", QUANTITY),
        ("Quels sont les avantages d'une MSP pour les patients ?", LIST),
        ("Quelles missions une CPTS doit-elle remplir ?", LIST),
        ("Qui contacter pour monter une ESS en Occitanie ?", CONTACT),
        ("Quel est le site de la fédération des CPTS ?", CONTACT),
        ("Comment créer une équipe de soins primaires ?", PROCEDURE),
        ("Quelles démarches pour ouvrir une MSP ?", PROCEDURE),
        # how to do it, asked with an inflected verb; how it works or is funded is not a procedure
        ("Comment crée-t-on une CPTS ?", PROCEDURE),
        ("Comment se monte une équipe de soins spécialisés ?", PROCEDURE),
        ("Comment obtient-on un financement FIR pour une ESP ?", PROCEDURE),
        ("Comment un DAC est-il mis en place sur un territoire ?", PROCEDURE),
        # how a structure works is what it is; how its funding works is not a definition
        ("Comment fonctionne une CPTS ?", DEFINITION),
        ("Comment ça marche, une équipe de soins spécialisés ?", DEFINITION),
        ("Comment fonctionne le financement des MSP ?", OTHER),
        ("Comment une CPTS est-elle financée ?", OTHER),
        # a question word after a preposition asks for a doer, not yes or no
        ("Par qui une équipe de soins spécialisés est-elle validée ?", OTHER),
        ("Qui finance les dispositifs d'appui à la coordination ?", OTHER),  # the DAC's name is not a call for help
        ("Qui finance les dispositifs d'appui a la coordination ?", OTHER),  # typed without accents
        ("Une maison de santé ?", DEFINITION),  # a structure alone, by its long form
        ("Depuis quand les ESS existent-elles ?", DATE),
        ("Le financement FIR d'une ESP", OTHER),
        # typographic apostrophes, as pasted from web pages, read like plain ones
        ("Qu’est-ce qu’une maison de santé ?", DEFINITION),
        ("C’est quoi l’ACI ?", DEFINITION),
        # a comparison by a verb, or asked of each side
        ("En quoi une ESS diffère-t-elle d'une ESP ?", COMPARISON),
        ("CPTS et ESS : comment chacune est-elle financée ?", COMPARISON),
        # « différents types » is a list, not a comparison; who may join is a list of members
        ("Quels sont les différents types de structures ?", LIST),
        ("Qui peut faire partie d'une ESP ?", LIST),
        ("Quels métiers dans une CPTS ?", LIST),
        # « what is the <attribute> of <structure> » asks for the attribute, not a definition
        ("What is the seed funding of an ESS?", OTHER),
        ("What is the ACI?", DEFINITION),
    ],
    ids=lambda v: v if len(v) < 40 else v[:40],
)
def test_answer_type(question, expected):
    assert analyse(question).answer_type == expected


def test_how_a_structure_works_defines_it_without_the_word_works():
    asked = analyse("Comment fonctionne un dispositif d'appui à la coordination ?")
    assert asked.defined_acronyms == ("DAC",)
    assert not set(tokenize("fonctionne")) & asked.concepts  # « en fonction de » is not what is asked


def test_structures_names_and_years_are_found_once():
    q = analyse("Combien une maison de santé pluriprofessionnelle touche-t-elle en Occitanie en 2022 ?")
    assert q.structures == ("MSP",)
    assert "Occitanie" in q.name_words and q.years == ("2022",)
    assert "msp" in q.concepts and "occitan" in q.names
    assert "figure" in q.kinds and q.quantity


def test_follow_up_is_made_standalone_before_analysis():
    history = [Turn("user", "Combien une CPTS perçoit-elle au titre de l'ACI ?"), Turn("assistant", "…")]
    q = analyse("Et pour une MSP ?", history)
    assert q.text == "Et pour une MSP ?"
    assert q.standalone == "Combien une MSP perçoit-elle au titre de l'ACI ?"
    assert q.structures == ("MSP",) and q.answer_type == QUANTITY


def test_specific_kinds_are_the_ones_the_answer_must_hold():
    assert analyse("Quel est le téléphone du SNC ?").specific_kinds == {"phone"}
    assert analyse("Quel financement pour une ESP ?").specific_kinds == frozenset()


def test_a_comparison_facet_is_what_it_asks_of_each_side():
    q = analyse("Sur le plan financier, en quoi une CPTS diffère-t-elle d'une ESS ?")
    assert "financi" in q.facet and not q.facet & {"cpts", "ess", "differ", "entre"}
    # words the sheets never use say nothing of what is compared
    assert q.facet_in(lambda token: token != "financi") == q.facet - {"financi"}


def test_a_bare_comparison_asks_what_each_structure_is():
    facet = analyse("ESP et MSP, on les confond : quelle différence ?").facet_in(lambda token: token != "confond")
    assert {"composit", "public"} <= facet
    assert analyse("Qu'est-ce qu'une MSP ?").facet_in(lambda token: True) == frozenset()
    # « souvent », « on confond » only say how the question is asked
    asked = analyse("MSP et CPTS, on confond souvent : quelle est la différence ?")
    assert asked.compares_what_each_is(lambda token: True)
    assert not analyse("Sur le plan juridique, en quoi une ESP diffère-t-elle d'une CPTS ?").compares_what_each_is(
        lambda token: True)


def test_a_structure_typed_without_capitals_is_named_like_its_acronym():
    from assistant.acronyms import acronyms_in

    assert acronyms_in("Une Escap, c'est quoi ?") == ["ESCAP"]
    assert acronyms_in("les cpts et les Msp") == ["CPTS", "MSP"]
    assert analyse("Qu'est-ce qu'une cpts ?").defined_acronyms == ("CPTS",)
    # other acronyms are French or English words when typed in lower case: « un clic », « it has »
    assert acronyms_in("en un clic, it has") == []


def test_a_definition_refusal_names_the_term_as_typed():
    assert analyse("Qu'est ce qu'un Contrat Local de Santé ?").defined_term == "Contrat Local de Santé"
    assert analyse("Qu'est-ce qu'un groupe qualité interprofessionnel ?").defined_term == "groupe qualité interprofessionnel"
    assert analyse("Qu'est-ce que le CPOM ?").defined_term == "CPOM"
    assert analyse("Combien de CPTS ?").defined_term == ""


def test_a_definition_of_a_structures_thing_asks_about_the_thing_not_the_structure():
    asked = analyse("Qu'est-ce que le projet de santé d'une maison de santé ?")
    assert asked.owner == "MSP" and asked.defined_acronyms == () and asked.defined == frozenset(tokenize("projet santé"))
    asked = analyse("Qu'est-ce que le guichet unique offert par une ESS ?")
    assert asked.owner == "ESS" and asked.defined == frozenset(tokenize("guichet unique"))
    assert analyse("Qu'est-ce que la coordinatrice parcours d'une CPTS ?").defined_term == "coordinatrice parcours"
    # the structure as the place of the thing: « la X en / dans / au sein d'une structure »
    asked = analyse("Qu'est-ce que la forme juridique au sein d'une CPTS ?")
    assert asked.owner == "CPTS" and asked.defined == frozenset(tokenize("forme juridique"))
    assert analyse("C'est quoi la validation en ESS ?").owner == "ESS"
    assert analyse("Qu'est-ce que le projet de santé dans une CPTS ?").defined == frozenset(tokenize("projet santé"))
    # the structure itself, or practising in it, is what these ask about
    for question in ("Qu'est-ce qu'une MSP ?", "Que signifie exercer en équipe de soins primaires ?",
                     "Qu'est-ce que l'ACI dont on parle pour les maisons de santé ?"):
        assert analyse(question).owner == ""
    assert analyse("Que signifie exercer en équipe de soins primaires ?").defined_acronyms == ("ESP",)


def test_acronyms_the_field_does_not_know_are_named_words_to_check():
    assert analyse("Comment valider mes heures de DPC ?").name_words == ("DPC",)
    assert analyse("DPC : comment valider mes heures ?").name_words == ("DPC",)  # first word too
    assert analyse("Locaux de la MSP : location ou acquisition en SCI ?").name_words == ("SCI",)
    # the field's own acronyms (« URPS ML » as one, in the plural too) and roman numerals are not
    assert analyse("Que fait l'URPS ML pour les MSPs et les CPTS ?").name_words == ()
    assert analyse("Que dit le titre II de l'article 51 ?").name_words == ()
    assert analyse("Comment fonctionne une MSP au Québec ?").name_words == ("Québec",)


def test_a_long_form_counts_as_its_acronym_only_where_it_is_written():
    # « maison de santé pluriprofessionnelle » is the MSP, once
    assert analyse("Qu'est-ce qu'une maison de santé pluriprofessionnelle ?").subject == frozenset({"msp"})
    # the CPTS's long form is not written here: « professionnels de santé » keep their words
    members = analyse("Quels professionnels de santé peuvent adhérer à une CPTS ?")
    assert set(tokenize("professionnels santé")) <= members.subject
    # nor the « santé » of « projet de santé » beside « la MSP »
    assert set(tokenize("projet santé")) <= analyse("Le projet de santé de la CPTS diffère-t-il de celui de la MSP ?").subject
    # a stop word written in capitals stays a name (« AVEC Santé »)
    assert "avec" in analyse("Quel est le site de l'association AVEC Santé ?").subject


def test_one_structures_thing_set_against_anothers_is_a_comparison():
    assert analyse("La validation d'une ESS se fait-elle comme celle d'une CPTS ?").answer_type == COMPARISON
    assert analyse("Le projet de santé d'une MSP est-il le même que celui d'une CPTS ?").answer_type == COMPARISON
    # « comme » alone compares nothing
    assert analyse("Une ESS, comme une CPTS, peut-elle être une association ?").answer_type != COMPARISON


def test_the_glossary_does_not_bring_back_a_long_forms_words():
    # « centre » is also an English word of the glossary; inside « centre de santé » it is the CDS
    asked = analyse("Quelle est la différence entre une maison de santé et un centre de santé ?")
    assert asked.subject == frozenset(tokenize("CDS MSP différence entre")) | {"cd", "msp"}
    # money asked in other words still brings the sheets' own words (« touche » → financement)
    assert "financ" in analyse("Combien touche une maison de santé ?").subject
