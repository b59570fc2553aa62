"""« Combien de centres de santé… ? » is answered by a figure of what it counts, not by a count of something
else in the same table row (a count of CPTS), or gets a graded refusal; likewise a figure of another year, of
another variant (« taille 1 » for « taille 3 ») or one that is not a minimum when the least is asked."""

import pytest

from assistant.answer.extractive import ExtractiveEngine
from assistant.facts import counted, names_variant, numbered_variants, states_minimum, states_number
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
    # an amount measures something too, and a price is what it measures
    ("Quel est le montant de la cotisation annuelle pour adhérer à une CPTS ?", "cotisation"),
    ("Quel est le montant annuel de l'ACI pour une MSP ?", "ACI"),
    ("Quel est le taux de couverture par les CPTS en Bretagne ?", "couverture"),
    ("Quel est le salaire d'un coordinateur de CPTS ?", "salaire"),
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


def test_a_price_asked_by_its_name_asks_for_a_figure():
    assert analyse("Quel est le loyer moyen d'un cabinet en MSP ?").quantity
    assert analyse("Quels sont les tarifs pratiqués dans les centres de santé ?").answer_type == "quantity"
    assert not analyse("Le coût de la coordination est-il pris en charge ?").quantity


@pytest.mark.parametrize("question, variants", [
    ("Quel est le montant de l'ACI pour une CPTS de taille 3 ?", ("taille 3",)),
    ("Combien de MSP en Nouvelle-Aquitaine au 01/11/2025 ?", ()),  # a date, not a variant
    ("Combien de CPTS en Occitanie en 2025 ?", ()),
    ("Combien d'ESS touchent 50 000 € ?", ()),
])
def test_the_numbered_variants_a_question_asks_about(question, variants):
    assert numbered_variants(question) == variants


def test_a_text_names_a_variant_only_with_its_own_number():
    text = "ACI: 287 500 € (taille 1) à 580 000 (taille 4) si résultats 100%"
    assert names_variant(text, "taille 4") and names_variant(text, "Taille 1")
    assert not names_variant(text, "taille 3")


def test_a_minimum_is_stated_in_words_or_signs():
    assert states_minimum("Minimum trois professionnels de santé") and states_minimum("au moins deux médecins")
    assert states_minimum("> 2500 dont 582 pluriprofessionnels")
    assert not states_minimum("Ensemble de professionnels constitué autour de médecins spécialistes 1 ou plusieurs")


def _cell(passages, sheet, entity, attribute):
    return next(p for p in passages if p.sheet_id.startswith(sheet) and p.kind == "table_cell"
                and p.entity.startswith(entity) and p.attribute.startswith(attribute))


def _answer(sheets, question, passages):
    return ExtractiveEngine().answer(context_of(sheets, question, passages))


def test_a_figure_of_another_year_is_a_graded_refusal_naming_the_year(shipped_sheets, shipped_passages):
    row = _region_row(shipped_passages, "Nouvelle-Aquitaine")  # the SNC's table, dated avril 2023
    draft = _answer(shipped_sheets, "Combien de CPTS en Nouvelle-Aquitaine en 2025 ?", [row])
    assert draft.abstained
    assert draft.text.startswith("Les fiches ne donnent pas ce chiffre pour 2025. Elles indiquent seulement :")
    assert "35" in draft.citations[0].text
    # the sheet's own date is the year of a figure that names none
    assert not _answer(shipped_sheets, "Combien de CPTS en Nouvelle-Aquitaine en 2023 ?", [row]).abstained


def test_a_figure_of_another_variant_is_a_graded_refusal_naming_it(shipped_sheets, shipped_passages):
    cell = _cell(shipped_passages, "occitanie", "CPTS", "Financements")
    answered = _answer(shipped_sheets, "Quel montant d'ACI pour une CPTS de taille 4 ?", [cell])
    assert not answered.abstained and "580 000" in answered.text
    draft = _answer(shipped_sheets, "Quel est le montant de l'ACI pour une CPTS de taille 3 ?", [cell])
    assert draft.abstained and draft.text.startswith("Les fiches ne donnent pas ce chiffre pour « taille 3 ».")


def test_the_least_asked_is_answered_by_a_minimum_or_gets_a_graded_refusal(shipped_sheets, shipped_passages):
    escap = _cell(shipped_passages, "nouvelle-aquitaine", "ESCAP", "Public")
    answered = _answer(shipped_sheets, "Combien de professionnels au minimum pour former une ESCAP ?", [escap])
    assert not answered.abstained and "Minimum trois" in answered.text
    ess = _cell(shipped_passages, "occitanie", "ESS", "Composition")
    draft = _answer(shipped_sheets, "Combien de spécialistes faut-il au minimum pour créer une ESS ?", [ess])
    assert draft.abstained and draft.text.startswith("Les fiches ne donnent pas de minimum.")


def test_a_price_the_sheets_never_give_is_a_graded_refusal(shipped_sheets, shipped_passages):
    cell = _cell(shipped_passages, "occitanie", "MSP", "Financements")
    draft = _answer(shipped_sheets, "Quel est le loyer moyen d'un cabinet en MSP ?", [cell])
    assert draft.abstained and "80 105" in draft.citations[0].text


def test_a_share_asks_for_a_figure_of_what_it_is_a_share_of():
    question = analyse("Quelle part de la population est couverte par les CPTS en Occitanie ?")
    assert question.quantity and "figure" in question.kinds and question.counted == frozenset({"popul"})


def test_an_average_asked_is_answered_by_an_average_or_gets_a_graded_refusal(shipped_sheets, shipped_passages):
    msp = _cell(shipped_passages, "occitanie", "MSP", "Financements")  # « ACI: 80 105 € en moyenne en 2022 »
    assert not _answer(shipped_sheets, "Combien touche en moyenne une MSP avec l'ACI ?", [msp]).abstained
    cpts = _cell(shipped_passages, "occitanie", "CPTS", "Financements")  # a range, no average
    draft = _answer(shipped_sheets, "Combien touche en moyenne une CPTS au titre de l'ACI ?", [cpts])
    assert draft.abstained and draft.text.startswith("Les fiches ne donnent pas de moyenne.")


def test_a_scheme_no_figure_of_the_structure_comes_with_is_a_graded_refusal(shipped_sheets, shipped_passages):
    ess = _cell(shipped_passages, "nouvelle-aquitaine", "ESS", "Financement")  # an amorçage credit and a dotation
    draft = _answer(shipped_sheets, "Combien une ESS peut-elle obtenir au titre du FIR ?", [ess])
    assert draft.abstained and draft.text.startswith("Les fiches ne donnent pas ce chiffre (FIR).")
    esp = _cell(shipped_passages, "occitanie", "ESP", "Financements")
    answered = _answer(shipped_sheets, "Combien une ESP peut-elle recevoir au titre du FIR ?", [esp])
    assert not answered.abstained and "30 000" in answered.text


def test_a_figure_about_another_structure_does_not_answer(shipped_sheets, shipped_passages):
    esp = _cell(shipped_passages, "occitanie", "ESP", "Composition")  # « Au moins 1 médecin généraliste… »
    draft = _answer(shipped_sheets, "Combien de médecins faut-il au minimum pour ouvrir un centre de santé ?", [esp])
    assert draft.abstained
    assert not _answer(shipped_sheets, "Combien de médecins faut-il au minimum dans une ESP ?", [esp]).abstained


def test_un_as_an_article_is_no_number():
    assert not states_number("Il répond à un besoin du territoire.")
    assert states_number("au moins un médecin généraliste") and states_number("trois professionnels")


def test_what_each_number_of_a_text_counts():
    from assistant.acronyms import expand
    from assistant.facts import counts, counts_only_others, counts_things
    from assistant.lexical import tokenize

    stems = lambda word: tokenize(expand(word))  # noqa: E731
    msp = frozenset(tokenize("maisons"))
    assert counts("313 MSP", msp, stems)  # « MSP » is a maison de santé
    composition = "Au moins 2 médecins généralistes et 1 paramédical"
    assert counts_only_others(composition, msp, stems)
    assert not counts_only_others(composition, frozenset({"medecin"}), stems)
    # amounts, shares, years, fractions and lengths count no thing
    assert not counts_only_others("ACI: 80 105 € en moyenne en 2022 FIR: 50 000 € en 2 fois sur 2 ans", msp, stems)
    assert not counts_only_others("Tarifs opposables – 1/3 payant", frozenset({"tarif"}), stems)
    assert counts_things("Combien de MSP existe-t-il ?") and not counts_things("Quel est le montant de l'ACI ?")


def test_a_how_many_question_is_not_answered_by_numbers_that_count_something_else(shipped_sheets, shipped_passages):
    composition = _cell(shipped_passages, "occitanie", "MSP", "Composition")  # « Au moins 2 médecins… »
    count = next(p for p in shipped_passages if p.kind == "table_cell" and p.attribute.startswith("Nombre")
                 and p.entity.startswith("MSP"))  # « 2251 en fonctionnement »
    question = "Combien de maisons de santé pluriprofessionnelles existe-t-il ?"
    draft = _answer(shipped_sheets, question, [composition, count])
    assert not draft.abstained and "2251" in draft.citations[0].text
    assert not any("médecins" in c.text for c in draft.citations)


def test_retrieval_ranks_the_counts_of_what_is_counted(shipped_retriever):
    question = analyse("Combien de maisons de santé pluriprofessionnelles existe-t-il ?")
    passages = shipped_retriever.index.passages
    bodies = [passages[i].body for i in shipped_retriever.counting(question)]
    assert any(b.startswith("2251 en fonctionnement") for b in bodies) and any(b.startswith("313 MSP") for b in bodies)
    top = [r.passage.body for r in shipped_retriever.search(question, k=5).passages]
    assert any(b.startswith("2251") or b.startswith("313 MSP") for b in top)


def test_an_amount_counts_nothing(shipped_sheets, shipped_passages):
    """« Combien de MSP en Occitanie ? » is not answered by the MSP's « ACI : 80 105 € … » cell."""
    from assistant.acronyms import expand
    from assistant.facts import gives_count
    from assistant.lexical import tokenize

    stems = lambda w: tokenize(expand(w))  # noqa: E731
    msp = frozenset(tokenize("MSP"))
    assert not gives_count("ACI: 80 105 € en moyenne en 2022 FIR: 50 000 € en 2 fois sur 2 ans", msp, stems)
    assert not gives_count("47,68 %", msp, stems) and not gives_count("au 31.12.2022", msp, stems)
    assert gives_count("313 MSP", msp, stems) and gives_count("2251 en fonctionnement", msp, stems)
    funding = _cell(shipped_passages, "occitanie", "MSP", "Financements")
    draft = _answer(shipped_sheets, "Combien de MSP y a-t-il en Occitanie ?", [funding])
    assert draft.abstained and draft.text.startswith("Les fiches ne donnent pas ce chiffre.")
    number = _cell(shipped_passages, "snc", "MSP", "Nombre")
    draft = _answer(shipped_sheets, "Combien de MSP en France ?", [number])
    assert not draft.abstained and "2251" in draft.text
