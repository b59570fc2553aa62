"""What defines what a definition question names (assistant.definitions), on the shipped sheets' passages,
and the ranking that brings those passages into a definition question's top passages."""

import pytest

from assistant.chunking import chunk_sheet
from assistant.corpus import load_corpus
from assistant.definitions import defines, passage_defines, sentence_defines
from assistant.index import build_index, open_index
from assistant.lexical import tokenize
from assistant.question import analyse
from assistant.retrieval import HybridRetriever
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def passages():
    return [p for s in load_corpus(CORPUS) for p in chunk_sheet(s)]


def _holding(passages, needle):
    return next(p for p in passages if needle in p.body)


def test_the_term_of_a_definition_question_is_what_it_names_without_its_filler_words():
    question = analyse("C'est quoi, au juste, l'exercice coordonné ?")
    assert question.defined_acronyms == ()
    assert sentence_defines("L'exercice coordonné désigne une organisation du travail entre plusieurs professionnels.",
                            question.defined_acronyms, question.defined)
    # the term must be the sentence's subject, not a word further on
    assert not sentence_defines("Les MSP sont un mode d'exercice coordonné parmi d'autres.",
                                question.defined_acronyms, question.defined)
    # « est » or « sont » defines when it says what the term is (« est un… », « sont composées… »), not how it is
    assert not sentence_defines("L'exercice coordonné est incontournable pour répondre aux besoins des patients.",
                                question.defined_acronyms, question.defined)
    assert sentence_defines("L'exercice coordonné est une organisation du travail entre plusieurs professionnels.",
                            question.defined_acronyms, question.defined)
    # a question that is not a definition has no term
    assert analyse("Combien de CPTS en Bretagne ?").defined == frozenset()


def test_a_definition_asks_about_the_first_acronym_it_names():
    assert analyse("Qu'est-ce que l'ACI dont on parle pour les maisons de santé ?").defined_acronyms == ("ACI",)
    assert analyse("What is the seed funding of an ESS?").defined_acronyms == ()  # an attribute, not a definition


def test_passages_that_define_and_passages_that_only_mention(passages):
    aci = analyse("Qu'est-ce que l'ACI dont on parle pour les maisons de santé ?")
    assert passage_defines(_holding(passages, "Accord conventionnel interprofessionnel"), aci)  # spelled out in a cell
    assert not passage_defines(_holding(passages, "Contrat ACI avec ARS et AM"), aci)  # mentioned only
    fir = analyse("Le FIR, qu'est-ce que c'est ?")
    assert passage_defines(_holding(passages, "Fonds d'intervention régional"), fir)
    assert not passage_defines(_holding(passages, "Aucun statut particulier Association pour FIR"), fir)
    coordinated = analyse("C'est quoi, au juste, l'exercice coordonné ?")
    assert passage_defines(_holding(passages, "L'exercice coordonné désigne"), coordinated)
    escap = analyse("ESCAP : de quoi s'agit-il ?")
    assert passage_defines(_holding(passages, "Minimum trois professionnels de santé, avec obligatoirement"), escap)
    assert not passage_defines(_holding(passages, "Pas de structuration juridique nécessaire"), escap)


def test_a_sentence_defines_what_its_heading_names_and_a_list_item_defines_with_its_introduction(passages):
    protocols = analyse("C'est quoi un protocole de coopération ?")
    heading = _holding(passages, "Cela consiste à mettre en place, à titre dérogatoire")
    assert heading.section[-1] == "Les protocoles de coopération"
    assert passage_defines(heading, protocols)
    # the same sentence does not define what its heading does not name
    assert not passage_defines(heading, analyse("Qu'est-ce qu'une CPTS ?"))
    dac = analyse("Qu'est-ce qu'un dispositif d'appui à la coordination ?")
    assert passage_defines(_holding(passages, "Ces dispositifs viennent en appui des professionnels"), dac)
    article = analyse("Le dispositif article 51, qu'est-ce que c'est ?")
    item = _holding(passages, "Le dispositif « Article 51 innovation en santé » permet")
    unit = "Trois modalités de financement existent actuellement pour permettre la mise en œuvre des ESS :\n" \
           "- Le dispositif « Article 51 innovation en santé » permet d'expérimenter de nouvelles organisations"
    assert defines(item, unit, article)


def test_a_definition_question_finds_the_defining_passage_among_its_top_passages(settings, keyword_embeddings):
    s = settings.with_(corpus_dir=CORPUS)
    build_index(s, keyword_embeddings, keyword_embeddings.spec)
    retriever = HybridRetriever(open_index(s.index_dir), keyword_embeddings)
    question = analyse("Qu'est-ce que l'ACI dont on parle pour les maisons de santé ?")
    top = retriever.search(question, k=5).passages
    assert any("Accord conventionnel interprofessionnel" in r.passage.body for r in top)
    assert all(passage_defines(retriever.index.passages[i], question) for i in retriever.defining(question))


def test_the_defining_passages_kept_per_term_are_bounded(settings, keyword_embeddings, monkeypatch):
    import assistant.retrieval as retrieval

    s = settings.with_(corpus_dir=CORPUS)
    build_index(s, keyword_embeddings, keyword_embeddings.spec)
    retriever = HybridRetriever(open_index(s.index_dir), keyword_embeddings)
    monkeypatch.setattr(retrieval, "MAX_CACHED_DEFINITIONS", 2)
    for term in ("l'exercice coordonné", "le FIR", "la SISA", "l'ESCAP"):
        retriever.defining(analyse(f"C'est quoi, {term} ?"))
    assert len(retriever._defining) == 2  # a visitor's every new term does not grow the server's memory


def test_each_sheets_definition_comes_before_a_second_one_from_any_sheet(shipped_retriever):
    question = analyse("Qu'est-ce qu'une maison de santé pluriprofessionnelle ?")
    ranked = shipped_retriever.defining(question)
    sheets = [shipped_retriever.index.passages[i].sheet_id for i in ranked]
    firsts = len(set(sheets))
    assert len(set(sheets[:firsts])) == firsts  # every sheet that defines it, once, before any repeat


def test_a_definition_quotes_each_sheets_definition_once(shipped_passages, shipped_sheets):
    from assistant.answer.extractive import ExtractiveEngine
    from tests.unit.conftest import context_of

    # two cells of one sheet's ESP row come first, as retrieval may give them
    cells = [p for p in shipped_passages if p.kind == "table_cell" and "ESP" in p.entity
             and p.sheet_id == "nouvelle-aquitaine-urps-ml-exercice-coordonne" and p.attribute in ("Public", "Échelle")]
    sentence = _holding(shipped_passages, "Les ESP se composent de professionnels de santé")
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "Qu'est-ce qu'une équipe de soins primaires ?",
                                                 [*cells, sentence]))
    sheets = [c.sheet_id for c in draft.citations]
    assert len(cells) == 2 and len(sheets) == len(set(sheets)) == 2  # one row's cell, then the other sheet's sentence
    assert any("se composent de professionnels de santé" in c.text for c in draft.citations)


def test_a_glossary_entry_defines_its_acronym():
    from assistant.definitions import glossary_defines

    pta = analyse("Que veut dire PTA ?")
    assert pta.defined == frozenset(tokenize("PTA"))  # « veut dire » only asks what it means
    assert glossary_defines("PTA. Plateformes territoriales d'appui", pta.defined_acronyms, pta.defined)
    assert sentence_defines("PTA. Plateformes territoriales d'appui", pta.defined_acronyms, pta.defined)
    # another entry of the same glossary, and a sentence that only lists the acronym, do not
    assert not glossary_defines("CTA. Coordination territoriale d'appui", pta.defined_acronyms, pta.defined)
    assert not sentence_defines("Au sein d'un même territoire, le DAC regroupe en un interlocuteur unique plusieurs "
                                "dispositifs anciens : PTA, MAIA, CTA, réseaux de santé.",
                                pta.defined_acronyms, pta.defined)
    # an acronym the field's list does not know is the term asked
    assert glossary_defines("HAD. Hospitalisation à domicile", (), frozenset(tokenize("HAD")))
    assert analyse("Que signifie le sigle CLIC ?").defined == frozenset(tokenize("CLIC"))


def test_a_glossary_is_quoted_entry_by_entry_and_its_sheet_may_also_say_what_the_term_is(
        shipped_passages, shipped_sheets):
    from assistant.answer.extractive import ExtractiveEngine
    from tests.unit.conftest import context_of

    glossary = next(p for p in shipped_passages if p.kind == "table" and "PTA. Plateformes" in p.body)
    mention = _holding(shipped_passages, "plusieurs dispositifs anciens : PTA")
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "Que veut dire PTA ?", [mention, glossary]))
    assert draft.citations[0].text == "PTA. Plateformes territoriales d'appui"  # the entry, not the whole glossary
    assert all("MAIA. Maisons" not in c.text for c in draft.citations)

    sentence = _holding(shipped_passages, "vise à soutenir l'émergence d'innovations")
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "Le FIR, qu'est-ce que c'est ?", [glossary, sentence]))
    quoted = [c.text for c in draft.citations]
    # one sheet, two kinds of definition: the long form, and what the fund is for
    assert "FIR. Fonds d'intervention régional" in quoted
    assert any("soutenir l'émergence d'innovations" in text for text in quoted)


def test_a_sentence_that_names_the_term_after_saying_what_it_is_defines_it():
    populationnelle = analyse("Qu'entend-on par approche populationnelle ?")
    assert sentence_defines("Les CPTS, les ESS et les DAC prennent en charge la population d'un territoire ; on parle "
                            "d'approche populationnelle.", (), populationnelle.defined)
    omnidoc = analyse("Omnidoc, c'est quoi exactement ?")
    assert sentence_defines("Outils numériques de coordination : plateformes comme Omnidoc, Globule.", (), omnidoc.defined)
    # the term elsewhere in the sentence, not right after the words that name it, does not
    assert not sentence_defines("Des messageries comme MSSanté facilitent le travail avec Omnidoc.", (), omnidoc.defined)


def test_a_definition_starts_with_what_the_term_is_not_what_it_does(shipped_passages, shipped_sheets):
    from assistant.answer.extractive import ExtractiveEngine
    from assistant.definitions import says_what_it_is
    from tests.unit.conftest import context_of

    assert says_what_it_is("L'exercice coordonné désigne un mode d'organisation dans lequel…")
    assert says_what_it_is("Les ESP sont des équipes constituées autour de médecins généralistes")
    assert not says_what_it_is("L'exercice coordonné n'est pas une fin en soi : c'est un moyen de redonner sens")
    assert not says_what_it_is("L'exercice coordonné des soins de premier recours permet d'offrir un cadre")
    does = _holding(shipped_passages, "L'exercice coordonné n'est pas une fin en soi")
    is_ = _holding(shipped_passages, "L'exercice coordonné désigne un mode d'organisation")
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "Qu'entend-on au juste par exercice coordonné ?",
                                                 [does, is_]))
    assert "désigne un mode d'organisation" in draft.citations[0].text


def test_retrieval_ranks_first_the_definitions_that_say_what_the_term_is(shipped_retriever):
    """« … désigne un mode d'organisation » (what it is) before « … permet d'offrir un cadre » (what it does),
    however many of the question's words each shares."""
    retriever = shipped_retriever
    ranked = [retriever.index.passages[i].body for i in retriever.defining(analyse("C'est quoi, au juste, l'exercice coordonné ?"))]
    saying = [n for n, body in enumerate(ranked) if "exercice coordonné désigne" in body]
    doing = [n for n, body in enumerate(ranked) if "coordonné des soins de premier recours permet" in body]
    assert saying[:2] == [0, 1] and doing and min(doing) > 1


def test_a_term_no_passage_defines_gets_a_graded_refusal_quoting_what_the_sheets_say_of_it(
        shipped_passages, shipped_sheets):
    from assistant.answer.extractive import ExtractiveEngine
    from tests.unit.conftest import context_of

    uses = _holding(shipped_passages, "du forfait structure avec un gain potentiel")
    other = _holding(shipped_passages, "L'exercice coordonné désigne un mode d'organisation")
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "Le forfait structure, c'est quoi ?", [uses, other]))
    assert draft.abstained
    assert draft.text.startswith("Les fiches ne définissent pas « forfait structure ». Elles indiquent seulement :")
    assert [c.sheet_id for c in draft.citations] == [uses.sheet_id] and "forfait structure" in draft.citations[0].text
    # a term the passages never name whole: the plain refusal, nothing quoted as if it were about it
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "Qu'est-ce qu'un contrat territorial de santé ?",
                                                 [other]))
    assert draft.abstained and not draft.citations
    assert draft.text.startswith("Les fiches ne définissent pas « contrat territorial de santé ». Elles portent sur")


def test_a_qualified_term_no_sheet_defines_is_answered_with_what_the_term_it_narrows_is(
        shipped_passages, shipped_sheets, shipped_retriever):
    from assistant.answer.extractive import ExtractiveEngine
    from tests.unit.conftest import context_of

    question = analyse("Qu'est-ce que l'exercice coordonné pluriprofessionnel ?")
    assert question.defined_term == "exercice coordonné pluriprofessionnel"
    assert question.defined_heads == (frozenset(tokenize("exercice coordonné")),)
    is_ = _holding(shipped_passages, "L'exercice coordonné désigne un mode d'organisation")
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, question.text, [is_]))
    assert not draft.abstained and "désigne un mode d'organisation" in draft.citations[0].text
    ranked = [shipped_retriever.index.passages[i].body for i in shipped_retriever.defining(question)]
    assert "exercice coordonné désigne" in ranked[0]


def test_under_a_heading_naming_the_term_a_sentence_naming_it_first_defines_it_when_nothing_else_does(
        shipped_passages, shipped_sheets):
    from assistant.answer.extractive import ExtractiveEngine
    from assistant.definitions import Rule, definition_rule, passage_defines
    from tests.unit.conftest import context_of

    def rule_for(question):
        return definition_rule(question, lambda r: any(passage_defines(p, question, r) for p in shipped_passages))

    zoom = _holding(shipped_passages, "Les Equipes de Soins Spécialisés en Cardiologie CARDIO+ sont déployées")
    question = analyse("Cardio+, c'est quoi au juste ?")
    assert not passage_defines(zoom, question) and passage_defines(zoom, question, Rule(question.defined, loose=True))
    assert definition_rule(question, lambda r: passage_defines(zoom, question, r)) == Rule(question.defined, loose=True)
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, question.text, [zoom]))
    assert not draft.abstained and "Soins Spécialisés en Cardiologie" in draft.citations[0].text
    # the loose reading is a last resort: « exercice coordonné » has sentences that say what it is, and the
    # sentences under its headings that only use the term are not taken for its definition
    coordinated = analyse("Qu'est-ce que l'exercice coordonné ?")
    assert rule_for(coordinated) == Rule(coordinated.defined)


def test_a_qualified_term_falls_back_to_the_shorter_term_whose_sheets_say_what_it_is(shipped_passages):
    from assistant.definitions import definition_rule, passage_defines, passage_says_what_it_is

    # « exercice coordonné … soins » is only said to « permettre »; « exercice coordonné » « désigne » something
    question = analyse("Qu'appelle-t-on exercice coordonné en soins primaires ?")
    first_head, shorter = question.defined_heads
    chosen = definition_rule(question, lambda r: any(passage_defines(p, question, r) for p in shipped_passages),
                             lambda r: any(passage_says_what_it_is(p, question, r) for p in shipped_passages))
    assert any(passage_defines(p, question, type(chosen)(first_head)) for p in shipped_passages)
    assert chosen.term == shorter


def test_a_structures_thing_is_defined_by_its_cell_in_the_structures_row(shipped_passages, shipped_sheets):
    """« Qu'est-ce que le projet de santé d'une MSP ? » asks what the MSP's projet de santé is: the « Projet de
    santé » cell of the MSP row says it, not the sentences on what an MSP is."""
    from assistant.answer.extractive import ExtractiveEngine
    from tests.unit.conftest import context_of

    cell = next(p for p in shipped_passages if p.kind == "table_cell" and "MSP" in p.entity
                and p.attribute == "Projet de santé" and "diagnostic patientèle" in p.body)
    msp = _holding(shipped_passages, "Toujours pluriprofessionnelle, la MSP regroupe")
    question = analyse("Qu'est-ce que le projet de santé d'une maison de santé ?")
    assert defines(cell, cell.body, question) and not passage_defines(msp, question)
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, question.text, [msp, cell]))
    assert not draft.abstained and "diagnostic patientèle" in draft.citations[0].text
    # a thing of a structure that no passage says anything about: the definition refusal names the thing
    draft = ExtractiveEngine().answer(context_of(shipped_sheets, "Qu'est-ce que le forfait structure d'une maison de santé ?",
                                                 [msp]))
    assert draft.abstained and draft.text.startswith("Les fiches ne définissent pas « forfait structure ».")


def test_a_term_said_of_a_pronoun_subject_is_not_defined_by_that_sentence():
    """« Elles sont investies d'une responsabilité populationnelle et constituent un réseau… » is about the CPTS
    (« Elles »): it does not say what a responsabilité populationnelle is."""
    question = analyse("Qu'est-ce que la responsabilité populationnelle ?")
    said_of = ("Elles sont investies d’une responsabilité populationnelle et constituent un réseau territorial de "
               "proximité.")
    assert not sentence_defines(said_of, question.defined_acronyms, question.defined)
    assert sentence_defines("La responsabilité populationnelle désigne la prise en charge de la population d'un "
                            "territoire.", question.defined_acronyms, question.defined)
