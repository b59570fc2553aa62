import pytest

from assistant.text import clean_markup, figure_set, figures, fold, normalize_for_match, sentence_spans


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("- des **équipes de soins primaires (ESP)** qui", "- des équipes de soins primaires (ESP) qui"),
        ("1 ^{er} et 2 nd recours", "1er et 2 nd recours"),
        ('<ul style="list-style-type: none"> ■ Urbaine ■ Rurale </ul>', "Urbaine • Rurale"),
        ("[Plus d'informations sur le site ameli.fr](https://www.ameli.fr)",
         "Plus d'informations sur le site ameli.fr (https://www.ameli.fr)"),
        ("<u>Site internet</u>", "Site internet"),
        ("MSP\t-fécop\t<u>Site internet</u>", "MSP | -fécop | Site internet"),
    ],
    ids=["bold", "superscript", "html-list", "markdown-link", "underline", "tabs"],
)
def test_clean_markup(raw, expected):
    assert clean_markup(raw) == expected


def test_fold_and_normalize():
    assert fold("Île-de-France Œuvre") == "ile-de-france oeuvre"
    assert normalize_for_match("ACI : 287 500 €") == normalize_for_match("aci 287500 €")


def test_figures_keep_groups_and_skip_single_digits():
    text = "ACI: 287 500 € (taille 1) à 580 000, 47,68 %, le 01/11/2025, 06 84 50 06 40"
    assert figures(text) == ["287500", "580000", "4768", "01112025", "0684500640"]
    assert {"287500", "287", "500", "47", "4768", "2025"} <= figure_set(text)


def test_sentence_spans_are_exact_and_keep_list_numbers():
    raw = "Première phrase. Deuxième ; suite\n- 6. Améliorer la vie. Fin"
    spans = sentence_spans(raw)
    assert [raw[s:e] for s, e in spans] == ["Première phrase.", "Deuxième ; suite", "- 6. Améliorer la vie.", "Fin"]


def test_subject_pronouns_of_an_inverted_question_are_not_content_words():
    from assistant.lexical import tokenize

    assert tokenize("Depuis quand les ESS existent-elles ?") == tokenize("Depuis quand les ESS existent ?")
    assert tokenize("leurs patients") == tokenize("patients")
