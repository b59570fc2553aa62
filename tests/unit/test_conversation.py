import pytest

from assistant.conversation import standalone_question
from assistant.schema import Turn

CPTS = [Turn("user", "Combien une CPTS peut-elle percevoir au titre de l'ACI ?"), Turn("assistant", "287 500 €…")]


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Et son financement FIR ?", "Et son financement FIR ? (CPTS)"),
        ("et pour une MSP ?", "Combien une MSP peut-elle percevoir au titre de l'ACI ?"),
        ("Et pour une maison de santé ?", "Combien une MSP peut-elle percevoir au titre de l'ACI ?"),
        ("Quelle forme juridique pour une MSP ?", "Quelle forme juridique pour une MSP ?"),
    ],
    ids=["pronoun", "other-structure", "long-form", "standalone"],
)
def test_follow_ups_become_standalone(question, expected):
    assert standalone_question(question, CPTS) == expected


def test_first_question_is_left_alone():
    assert standalone_question("Et son financement FIR ?", []) == "Et son financement FIR ?"


def test_a_new_place_replaces_the_previous_one():
    history = [Turn("user", "Combien de CPTS en Occitanie ?")]
    assert standalone_question("Et en Provence-Alpes-Côte d'Azur ?", history) == (
        "Combien de CPTS en Provence-Alpes-Côte d'Azur ?"
    )


def test_other_acronyms_carry_over_when_no_structure_is_named():
    history = [Turn("user", "Quel est le rôle de l'ARS dans l'exercice coordonné ?")]
    assert standalone_question("Et quelle direction contacter ?", history) == "Et quelle direction contacter ? (ARS)"
