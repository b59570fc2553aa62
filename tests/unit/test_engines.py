"""Answer engines on fixed passages: no retrieval, no model (the LLM backend is scripted)."""

import re

import pytest

from assistant.answer.base import Context
from assistant.answer.extractive import ExtractiveEngine
from assistant.facts import asked_kinds
from assistant.question import analyse
from assistant.answer.llm import GenerationStats, LLMEngine
from assistant.chunking import chunk_sheet
from assistant.corpus import load_corpus
from assistant.schema import Retrieved
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def corpus():
    sheets = {s.id: s for s in load_corpus(CORPUS)}
    passages = {p.id: p for s in sheets.values() for p in chunk_sheet(s)}
    return sheets, passages


def context(corpus, question, needles):
    sheets, passages = corpus
    chosen = [next(p for p in passages.values() if needle in p.body) for needle in needles]
    retrieved = tuple(Retrieved(p, 1 / (60 + i)) for i, p in enumerate(chosen, start=1))
    return Context(question, retrieved, {k: s.meta for k, s in sheets.items()}, lambda sid: sheets[sid].text)


def test_extractive_quotes_the_cell_with_its_headers_and_exact_span(corpus):
    ctx = context(corpus, "Combien une CPTS peut-elle percevoir au titre de l'ACI ?", ["287 500", "80 105", "Association Loi 1901"])
    draft = ExtractiveEngine().answer(ctx)
    assert not draft.abstained
    first = draft.citations[0]
    assert "287 500" in first.text and first.sheet_id == "occitanie-urps-ml-interet-exercice-coordonne"
    assert first.date == "septembre 2025"
    sheets, _ = corpus
    assert sheets[first.sheet_id].text[first.start : first.end] == first.text
    assert "Financements : « ACI: 287 500 €" in draft.text and "[1]" in draft.text


def test_extractive_gives_both_figures_when_sheets_differ(corpus):
    ctx = context(
        corpus,
        "Combien l'Assurance maladie verse-t-elle à une MSP ?",
        ["ACI: 80 105", "jusqu'à 69 790 €"],
    )
    draft = ExtractiveEngine().answer(ctx)
    assert "80 105" in draft.text and "69 790" in draft.text
    assert "septembre 2025" in draft.text and "avril 2023" in draft.text
    assert "sources et de dates différentes" in draft.text


def test_extractive_says_when_the_asked_contact_is_missing(corpus):
    ctx = context(corpus, "Quel est le numéro de téléphone de l'ARS ?", ["L'ARS accompagne tous les porteurs"])
    draft = ExtractiveEngine().answer(ctx)
    assert draft.abstained and "numéro de téléphone" in draft.text


def test_asked_kinds():
    assert asked_kinds("Quel est le numéro de téléphone du SNC ?") >= {"phone"}
    assert "figure" in asked_kinds("Combien de CPTS en Occitanie ?")
    assert "contact" in asked_kinds("Qui contacter pour créer une ESS ?")


class Scripted:
    label = "scripted"

    def __init__(self, reply):
        self.reply = reply
        self.seen = None

    def generate(self, messages, max_tokens):
        self.seen = messages
        yield from re.findall(r"\S+\s*", self.reply)


def run_llm(corpus, reply, needles=("287 500", "80 105")):
    ctx = context(corpus, "Combien une CPTS peut-elle percevoir au titre de l'ACI ?", list(needles))
    backend = Scripted(reply)
    engine = LLMEngine(backend)
    events = list(engine.stream(ctx))
    return backend, events[:-1], events[-1]


def run_llm_on(corpus, question, needles, reply):
    backend = Scripted(reply)
    events = list(LLMEngine(backend).stream(context(corpus, question, needles)))
    return backend, events[:-1], events[-1]


def test_llm_reads_only_the_units_the_extractive_selection_quotes(corpus):
    """The model's extracts are the chosen units (the CPTS cell), not every retrieved passage (the MSP one)."""
    backend, pieces, draft = run_llm(corpus, "Une CPTS perçoit de 287 500 € à 580 000 € au titre de l'ACI [1].")
    prompt = backend.seen[-1]["content"]
    assert "[1] (URPS ML Occitanie, septembre 2025) CPTS" in prompt
    assert "Financements : ACI: 287 500 €" in prompt and "80 105" not in prompt
    assert "".join(pieces).startswith("Une CPTS")


def test_llm_answer_starts_with_the_checked_sentence_then_quotes_each_unit_cited_and_dated(corpus):
    _, _, draft = run_llm(corpus, "Une CPTS perçoit de 287 500 € à 580 000 € au titre de l'ACI [1].")
    first, *quotes = draft.text.split("\n")
    assert first == "Une CPTS perçoit de 287 500 € à 580 000 € au titre de l'ACI [1]."
    assert quotes and quotes[0].startswith("- CPTS") and "« ACI: 287 500 €" in quotes[0]
    assert quotes[0].endswith("[1] (URPS ML Occitanie, septembre 2025)")
    assert [c.marker for c in draft.citations] == [1] and not draft.warnings
    sheets, _ = corpus
    cited = draft.citations[0]
    assert sheets[cited.sheet_id].text[cited.start : cited.end] == cited.text


def test_llm_unsupported_figure_and_unknown_marker_are_removed_never_shown_as_sourced(corpus):
    _, _, draft = run_llm(corpus, "Une CPTS perçoit 287 500 € [1]. Elle reçoit aussi 999 999 € [1]. Voir [7].")
    assert "999" not in draft.text and "287 500" in draft.text
    assert any("999999" in w for w in draft.warnings) and any("[7]" in w for w in draft.warnings)


def test_llm_unverifiable_answer_falls_back_to_extractive(corpus):
    _, _, draft = run_llm(corpus, "Une CPTS touche un million.")
    assert "287 500" in draft.text and draft.citations
    assert any("extractive" in w for w in draft.warnings)


def test_llm_saying_the_extracts_do_not_answer_is_a_graded_refusal_with_what_they_say(corpus):
    _, _, draft = run_llm(corpus, "Les fiches ne répondent pas à cette question.")
    assert draft.abstained and draft.text.startswith("Les fiches ne précisent pas")
    assert "287 500" in draft.text and [c.marker for c in draft.citations] == [1]


def test_llm_is_not_asked_when_the_extractive_selection_refuses(corpus):
    backend, _, draft = run_llm_on(corpus, "Quel est le numéro de téléphone de l'ARS ?",
                                   ["L'ARS accompagne tous les porteurs"], "L'ARS répond au 01 02 03 04 05 [1].")
    assert backend.seen is None
    assert draft.abstained and "numéro de téléphone" in draft.text and "01 02" not in draft.text


def test_llm_verdict_that_the_extract_does_not_settle_is_removed(corpus):
    """« Oui, une SISA est nécessaire » cited to « Personnalité morale obligatoire (… notamment SISA) »: the
    extract never says the SISA is required, so the verdict goes and the extractive answer is given."""
    _, _, draft = run_llm_on(corpus, "Faut-il une SISA pour une MSP ?", ["Personnalité morale obligatoire"],
                             "Oui, une SISA est nécessaire pour une MSP [1].")
    assert "nécessaire" not in draft.text and "Personnalité morale obligatoire" in draft.text
    assert any("ne tranche" in w for w in draft.warnings)
    _, _, draft = run_llm_on(corpus, "Faut-il une personnalité morale pour une MSP ?",
                             ["Personnalité morale obligatoire"], "Oui, la personnalité morale est obligatoire [1].")
    assert draft.text.startswith("Oui, la personnalité morale est obligatoire [1].") and not draft.warnings


def test_extractive_refuses_a_count_it_cannot_give(corpus):
    ctx = context(corpus, "Combien de pharmaciens d'officine ont de nouvelles missions ?", ["pharmaciens d'officine"])
    draft = ExtractiveEngine().answer(ctx)
    assert draft.abstained and "ne donnent pas ce chiffre" in draft.text


def test_extractive_refuses_when_the_named_place_is_in_no_passage(corpus):
    ctx = context(corpus, "Combien de CPTS compte la Belgique ?", ["Bretagne | 20", "Guadeloupe |"])
    assert ExtractiveEngine().answer(ctx).abstained
    ctx = context(corpus, "Combien de CPTS compte la Bretagne ?", ["Bretagne | 20", "Guadeloupe |"])
    draft = ExtractiveEngine().answer(ctx)
    assert not draft.abstained and "Bretagne" in draft.text and "Guadeloupe" not in draft.text


def test_a_title_stating_a_total_answers_but_not_for_one_row(corpus):
    national = context(corpus, "Combien de CPTS sont en activité d'après la DGOS ?", ["Ile-de-France | 73"])
    draft = ExtractiveEngine().answer(national)
    assert "427 CPTS" in draft.text
    sheets, _ = corpus
    quoted = next(c for c in draft.citations if "427" in c.text)
    assert sheets[quoted.sheet_id].text[quoted.start : quoted.end] == quoted.text
    one_row = context(corpus, "Combien de CPTS en Corse ?", ["Corse | 1"])
    draft = ExtractiveEngine().answer(one_row)
    # the answer starts with the row, in its own cells and headers; the citation quotes the row as written
    assert draft.text.startswith("Corse — Nombre de CPTS : 1 ;") and "427" not in draft.text
    assert draft.citations[0].text == "Corse | 1 | 23 875 | 6,85 %"


def test_overlap_of_a_unit_holding_every_word_is_exactly_one_whatever_the_set_order():
    """Sums over sets follow the per-process string hash order; "all words found" must still be 1.0."""
    import random

    from assistant.answer.extractive import ExtractiveEngine, Unit
    from assistant.schema import Passage

    rng = random.Random(0)
    for trial in range(200):
        words = [f"mot{trial}x{n}" for n in range(rng.randint(2, 9))]
        weights = {w: rng.uniform(0.1, 5.0) for w in words}
        engine = ExtractiveEngine(idf=lambda t: weights.get(t, 0.0))
        text = " ".join(reversed(words)) + " autre"
        unit = Unit(Passage("s#1", "s", "prose", (), text, text, 0, len(text)), 1, 0, len(text), text, "")
        assert engine.overlap(set(words), unit, whole_passage=True) == 1.0


def test_a_list_question_gets_the_whole_list_with_its_introduction(corpus):
    ctx = context(corpus, "Quels sont les avantages de l'exercice coordonné pour un médecin ?",
                  ["1. Améliorer la qualité", "10. Travailler dans un cadre attractif"])
    draft = ExtractiveEngine().answer(ctx)
    assert not draft.abstained
    first_line = draft.text.splitlines()[0]
    assert "présente de nombreux avantages" in first_line
    assert "1. Améliorer la qualité et la sécurité des soins" in first_line and "10. Travailler dans un cadre attractif" in first_line
    sheets, _ = corpus
    cited = draft.citations[0]
    assert sheets[cited.sheet_id].text[cited.start : cited.end].count("\n- ") >= 9  # the whole list's span


def test_a_list_citation_quotes_each_item_whole_while_the_answer_shows_their_leads(corpus):
    ctx = context(corpus, "Quels sont les avantages de l'exercice coordonné pour un médecin ?",
                  ["1. Améliorer la qualité", "10. Travailler dans un cadre attractif"])
    draft = ExtractiveEngine().answer(ctx)
    cited = draft.citations[0]
    assert cited.kind == "list"
    # the answer shortens each item to its lead; the citation holds the sheet's own words for every item, so a
    # reader (and the review desk, which turns citations into evidence) gets exact quotes
    assert "10. Travailler dans un cadre attractif […]" in draft.text.splitlines()[0]
    assert "présente de nombreux avantages" in cited.text
    assert "1. Améliorer la qualité et la sécurité des soins: disposer de soins plus complets" in cited.text
    assert "notamment pour les nouveaux médecins qui souhaitent ne pas être seuls" in cited.text
    assert "[…]" not in cited.text


def test_a_list_question_quotes_the_list_beside_a_sentence_sharing_more_of_its_words(corpus, shipped_retriever):
    """« Sous quelles formes… » asks for several things: the list of forms (« en présentiel ; à distance ; via
    une équipe mobile »), ranked fourth, answers it, not the first passage's sentence that shares more of the
    question's rare words (« prendre en charge un patient »): the whole list is quoted."""
    ctx = context(corpus, "Sous quelles formes une équipe de soins spécialisés peut-elle prendre en charge un patient ?",
                  ["Elle peut être sollicitée par un professionnel", "Pilotées par les libéraux",
                   "L'ESS rassemble", "en présentiel (ex. : consultations avancées)"])
    draft = ExtractiveEngine(idf=shipped_retriever.index.lexical.idf).answer(ctx)
    assert "en présentiel" in draft.text and "équipe mobile" in draft.text


def test_where_a_sheet_comes_from_is_never_quoted_as_an_answer(corpus):
    """« Source : DGOS avril 2023 » holds a date and « Instruction de 2016 relative aux ESP » a year and a
    structure: neither says when anything was created, so neither answers nor fills a refusal."""
    for question, needles in [
        ("Depuis quand existent les CPTS ?", ["Source : DGOS avril 2023", "La communauté professionnelle territoriale"]),
        ("En quelle année les ESP ont-elles été créées ?", ["Instruction de 2016", "Les ESP sont constituées"]),
    ]:
        draft = ExtractiveEngine().answer(context(corpus, question, needles))
        assert draft.abstained, question
        assert "Source" not in draft.text and "2016" not in draft.text, draft.text


def test_a_line_that_refers_back_is_quoted_with_the_line_above(corpus):
    ctx = context(corpus, "Quel site propose une cartographie des CPTS ?", ["Ce site propose une cartographie"])
    draft = ExtractiveEngine().answer(ctx)
    assert not draft.abstained and "fcpts.org" in draft.text and "cartographie" in draft.text


def test_a_comparison_quotes_each_structure_it_names(corpus):
    ctx = context(corpus, "MSP ou centre de santé : quelle différence ?",
                  ["Salariés", "Libéraux", "Les centres de santé sont avant tout"])
    draft = ExtractiveEngine().answer(ctx)
    assert not draft.abstained and len(draft.citations) >= 2
    cited = " ".join(c.text for c in draft.citations)
    assert "Salariés" in cited and "Libéraux" in cited


def test_graded_refusal_quotes_what_the_sheets_say_and_abstains(corpus):
    """Turned on by a threshold: a question whose specific terms the passages lack gets « ne précisent pas »."""
    ctx = context(corpus, "Quelles sont les conditions de renouvellement du FIR d'une ESP ?", ["FIR : 30 000 €"])
    assert not ExtractiveEngine().answer(ctx).abstained  # off by default (see evals/calibration.md)
    draft = ExtractiveEngine(min_answer_coverage=0.9).answer(ctx)
    assert draft.abstained
    assert draft.text.startswith("Les fiches ne précisent pas ce point (conditions, renouvellement")
    assert "Elles indiquent seulement" in draft.text and "30 000" in draft.text and draft.citations


def test_the_answer_starts_with_the_answer(corpus):
    ctx = context(corpus, "Combien de CPTS en Bretagne ?", ["Bretagne | 20"])
    draft = ExtractiveEngine().answer(ctx)
    assert draft.text.startswith("Bretagne — Nombre de CPTS : 20 ;") and "[1]" in draft.text.splitlines()[0]


def test_a_heading_that_asks_a_question_is_answered_by_the_sentence_below_it(corpus):
    """A sheet's FAQ heading (« …, de quoi s'agit-il ? ») is never the answer: the sentence under it is,
    past a sub-heading, quoted with its exact span and the heading as its lead."""
    ctx = context(corpus, "Qu'est-ce que l'exercice coordonné en soins ambulatoires ?", ["de quoi s'agit-il ?"])
    draft = ExtractiveEngine().answer(ctx)
    assert not draft.abstained
    first = draft.citations[0]
    assert not first.text.endswith("?") and first.text.startswith("L'exercice coordonné désigne")
    sheets, _ = corpus
    assert sheets[first.sheet_id].text[first.start : first.end] == first.text


@pytest.mark.parametrize("question, needles, leads_with", [
    # who makes it up, not another cell of its row
    ("Qu'entend-on par équipe de soins primaires ?", ["Accès / continuité des soins", "Médecin généraliste + paramédicaux"],
     "Médecin généraliste + paramédicaux"),
    # the line that spells the acronym out
    ("Le FIR, qu'est-ce que c'est ?", ["Aucun statut particulier Association pour FIR", "Fonds d'intervention régional"],
     "Fonds d'intervention régional"),
    # of two acronyms the first is asked about; its long form is in a cell of another structure's row
    ("Qu'est-ce que l'ACI dont on parle pour les maisons de santé ?",
     ["Contrat ACI avec ARS et AM", "Accord conventionnel interprofessionnel"], "Accord conventionnel interprofessionnel"),
], ids=["who-makes-it-up", "spelled-out", "first-acronym"])
def test_a_definition_leads_with_the_unit_that_defines(corpus, question, needles, leads_with):
    draft = ExtractiveEngine().answer(context(corpus, question, needles))
    assert leads_with in draft.citations[0].text


# -- the LLM's warm-up and where its time goes -------------------------------------------------------

class Measured(Scripted):
    """A backend with llama.cpp's interface for counts and warm-up (no model: the counts are given)."""

    def __init__(self, reply):
        super().__init__(reply)
        self.warmed_with = None

    def generate_measured(self, messages, max_tokens, on_stats):
        yield from self.generate(messages, max_tokens)
        on_stats(GenerationStats(prompt_tokens=520, cached_tokens=300, prompt_ms=1500.0, generated_tokens=30,
                                 decode_ms=2500.0))

    def warm_up(self, messages):
        self.warmed_with = messages


def test_llm_warm_up_reads_exactly_the_prefix_every_question_shares(corpus):
    backend = Measured("Une CPTS perçoit de 287 500 € à 580 000 € [1].")
    engine = LLMEngine(backend)
    engine.warm_up()
    list(engine.stream(context(corpus, "Combien une CPTS peut-elle percevoir au titre de l'ACI ?", ["287 500"])))
    asked = backend.seen
    # llama.cpp reuses the longest common prefix: the rules, the example, and the start of the last turn
    assert backend.warmed_with[:3] == asked[:3]
    assert backend.warmed_with[3]["content"].startswith("Extraits :\n[1] (") and asked[3]["content"].startswith(
        "Extraits :\n[1] (")


def test_llm_answer_reports_prompt_tokens_prompt_time_and_decode_time(corpus):
    _, _, draft = run_llm_with(corpus, Measured("Une CPTS perçoit de 287 500 € à 580 000 € [1]."))
    assert draft.generation == {"prompt_tokens": 520, "cached_tokens": 300, "prompt_ms": 1500.0,
                                "generated_tokens": 30, "decode_ms": 2500.0}
    _, pieces, draft = run_llm_with(corpus, Scripted("Une CPTS perçoit de 287 500 € à 580 000 € [1]."))
    assert draft.generation["generated_tokens"] == len(pieces)  # any other backend: counted by the clock
    assert draft.generation["prompt_ms"] >= 0 and draft.generation["decode_ms"] >= 0


def run_llm_with(corpus, backend):
    ctx = context(corpus, "Combien une CPTS peut-elle percevoir au titre de l'ACI ?", ["287 500", "80 105"])
    events = list(LLMEngine(backend).stream(ctx))
    return backend, events[:-1], events[-1]


def test_a_question_whether_something_is_required_is_answered_by_the_rule(corpus):
    """« Faut-il… ? », « est-ce obligatoire ? »: the unit that says what is required (or not) comes first."""
    assert asked_kinds("Faut-il forcément une SISA ?") == {"rule"}
    assert asked_kinds("Quels types d'actes peut-on déléguer ?") == set()
    assert analyse("Combien de médecins faut-il pour une MSP ?").kinds == {"figure"}
    ctx = context(corpus, "Faut-il monter une association pour participer à une ESCAP ?",
                  ["200€ par an et par professionnel", "Pas de structuration juridique"])
    draft = ExtractiveEngine().answer(ctx)
    assert "Pas de structuration juridique" in draft.citations[0].text


def test_a_question_whether_something_is_required_is_answered_by_what_says_it_in_so_many_words(corpus, shipped_retriever):
    """« Faut-il forcément… ? » is answered by « … n'intègre pas forcément un projet immobilier » too, not only by a
    sentence that shares its rare words (« collective ») but says what one must do once there."""
    from assistant.facts import states_obligation

    assert states_obligation("Toutefois il se fait systématiquement sur la base du volontariat")
    assert states_obligation("SISA privilégiée (percevoir ACI et salarier coordination)")
    assert not states_obligation("L'exercice coordonné peut prendre différentes formes")
    ctx = context(corpus, "Faut-il forcément partager les mêmes locaux pour faire de l'exercice coordonné ?",
                  ["dans un même lieu ou non", "L'exercice coordonné nécessite de travailler de façon collective",
                   "n'intègre pas forcément"])
    draft = ExtractiveEngine(idf=shipped_retriever.index.lexical.idf).answer(ctx)
    assert any("n'intègre pas forcément" in c.text for c in draft.citations), draft.text



def test_a_definition_from_a_table_names_the_structure_in_full_but_drops_legal_references(corpus):
    ctx = context(corpus, "ESCAP : de quoi s'agit-il ?", ["Minimum trois professionnels de santé, avec obligatoirement"])
    draft = ExtractiveEngine().answer(ctx)
    assert "ESCAP (Équipe de Soins Coordonnée Avec le Patient)" in draft.text
    ctx = context(corpus, "Comment une MSP est-elle financée ?", ["Remboursement des actes par l'Assurance-maladie"])
    assert "L. 6323-3" not in ExtractiveEngine().answer(ctx).text


def test_a_sentence_about_another_structure_that_names_the_asked_one_in_passing_comes_after(corpus):
    """Under the ESS heading, « … sans se substituer aux autres organisations » names the DAC in passing: a
    question about the DAC is answered from the DAC's own section, although the ESS sentence shares more of its
    words (« territoire », « place »)."""
    ctx = context(corpus, "Comment un DAC est-il mis en place sur un territoire ?",
                  ["défini localement sur proposition des professionnels", "Pilotées par les libéraux, l'ESS"])
    units = ExtractiveEngine().units(ctx)
    ess = next(u for u in units if u.text.startswith("Pilotées par les libéraux"))
    assert ess.elsewhere and not any(u.elsewhere for u in units if "DAC défini localement" in u.text)
    draft = ExtractiveEngine().answer(ctx)
    assert draft.citations[0].text.startswith("Le DAC") and any("défini localement" in c.text for c in draft.citations)
    # a comparison asks about each structure: no unit is about another one
    both = context(corpus, "Quelle différence entre un DAC et une ESS ?", ["Pilotées par les libéraux, l'ESS"])
    assert not any(u.elsewhere for u in ExtractiveEngine().units(both))


def test_a_link_title_answers_where_to_read_more_not_what_it_names():
    from tests.unit.conftest import context_of

    sheets = {s.id: s for s in load_corpus(CORPUS)}
    passages = [p for s in sheets.values() for p in chunk_sheet(s)]
    links = next(p for p in passages if "Structures coordonnées et rémunérations" in p.body)
    funding = next(p for p in passages if "rémunération spécifique pouvant aller jusqu'à 69 790 €" in p.body)
    draft = ExtractiveEngine().answer(context_of(
        sheets, "Quelle rémunération une maison de santé peut-elle espérer de l'Assurance maladie ?", [links, funding]))
    assert "69 790" in draft.citations[0].text
    assert not any("Structures coordonnées et rémunérations" in c.text for c in draft.citations)
    site = ExtractiveEngine().answer(context_of(
        sheets, "Sur quel site l'Assurance maladie présente-t-elle les structures coordonnées ?", [links]))
    assert "ameli.fr" in site.text


def test_a_regional_sheet_answers_for_its_region_without_repeating_its_name():
    from tests.unit.conftest import context_of

    sheets = {s.id: s for s in load_corpus(CORPUS)}
    passages = [p for s in sheets.values() for p in chunk_sheet(s)]
    row = next(p for p in passages if p.kind == "table_row" and p.body.startswith("Nouvelle-Aquitaine"))
    cell = next(p for p in passages if p.sheet_id.startswith("nouvelle-aquitaine") and p.kind == "table_cell"
                and p.entity.startswith("CPTS") and p.attribute == "Financement")
    draft = ExtractiveEngine().answer(context_of(
        sheets, "Comment une CPTS est-elle financée en Nouvelle-Aquitaine ?", [row, cell]))
    assert "ACI CPTS" in draft.citations[0].text  # the count of CPTS in the region's row is not how they are funded


def test_a_question_for_france_and_a_region_is_answered_by_a_national_sheet_and_the_regional_one():
    from tests.unit.conftest import context_of

    sheets = {s.id: s for s in load_corpus(CORPUS)}
    assert sheets["snc-tout-savoir-exercice-coordonne"].meta.national
    assert not sheets["occitanie-urps-ml-interet-exercice-coordonne"].meta.national
    passages = [p for s in sheets.values() for p in chunk_sheet(s)]
    regional = next(p for p in passages if p.body.startswith("313 MSP"))
    national = next(p for p in passages if p.body.startswith("2251 en fonctionnement"))
    draft = ExtractiveEngine().answer(context_of(
        sheets, "Combien de MSP en France et en Nouvelle-Aquitaine ?", [regional, national]))
    assert "313" in draft.text and "2251" in draft.text
    only_region = ExtractiveEngine().answer(context_of(
        sheets, "Combien de MSP en Nouvelle-Aquitaine ?", [regional, national]))
    assert "2251" not in only_region.text  # the national count is not the region's


def test_an_average_length_of_time_is_not_answered_by_a_fixed_one(corpus):
    needles = ["Comité départemental et/ou régional Contrat ACI avec ARS et AM (5 années)"]
    draft = ExtractiveEngine().answer(context(corpus, "Quel est le délai moyen de validation d'un projet de santé par l'ARS ?", needles))
    assert draft.abstained and draft.text.startswith("Les fiches ne précisent pas ce délai moyen.")
    assert "5 années" in draft.text  # what they do say, cited
    draft = ExtractiveEngine().answer(context(corpus, "Pour combien de temps une MSP signe-t-elle son contrat ACI ?", needles))
    assert not draft.abstained and "5 années" in draft.text
