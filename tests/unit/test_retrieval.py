import pytest

from assistant.question import analyse

from assistant.index import build_index, open_index
from assistant.retrieval import Coverage, HybridRetriever, rrf


def test_rrf_rewards_agreement():
    fused = rrf([[1, 2, 3], [2, 1, 4]], k=60)
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62) and fused[2] == pytest.approx(fused[1])
    assert fused[3] == pytest.approx(1 / 63) and fused[4] == pytest.approx(1 / 63)


def test_coverage_decision():
    assert Coverage(0.9, 1.0).covered(0.8, 0.5)
    assert not Coverage(0.7, 1.0).covered(0.8, 0.5)
    assert not Coverage(0.9, 0.2).covered(0.8, 0.5)
    assert not Coverage(0.9, 1.0, ("Québec",)).covered(0.8, 0.5)
    # a question naming a structure of the field may use its own words for the rest
    assert not Coverage(0.9, 0.5).covered(0.8, 0.6)
    assert Coverage(0.9, 0.5, names_field=True).covered(0.8, 0.6)
    assert not Coverage(0.7, 1.0, names_field=True).covered(0.8, 0.6)


@pytest.fixture
def retriever(settings, tiny_corpus, keyword_embeddings):
    s = settings.with_(corpus_dir=tiny_corpus)
    build_index(s, keyword_embeddings, keyword_embeddings.spec)
    return HybridRetriever(open_index(s.index_dir), keyword_embeddings)


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_cpts_funding_question_finds_the_cpts_cell(retriever, mode):
    result = retriever.search("Combien une communauté professionnelle territoriale perçoit au titre de l'ACI ?", 3, mode)
    assert "287 500" in result.passages[0].passage.body


def test_a_comparison_has_a_passage_about_each_side(retriever):
    """Each structure of a comparison gets its own best passage (its table cell for what is asked)."""
    result = retriever.search("Sur le plan juridique, en quoi une MSP diffère-t-elle d'une CPTS ?", 2)
    bodies = [r.passage.body for r in result.passages]
    assert any("SISA" in b for b in bodies) and any("loi 1901" in b for b in bodies)


def test_a_question_naming_a_structure_in_its_own_words_is_covered(retriever):
    result = retriever.search("Quelles missions une CPTS est-elle tenue de remplir ?")
    assert result.coverage.names_field and result.coverage.term_coverage < 0.6


def test_acronyms_expand_both_ways(retriever):
    by_long = retriever.search("la maison de santé pluriprofessionnelle", 2, "bm25")
    assert not any("CPTS" in r.passage.text for r in by_long.passages)
    by_short = retriever.search("communauté professionnelle territoriale", 2, "bm25")
    assert all("CPTS" in r.passage.text.splitlines()[-1] for r in by_short.passages)


def test_unknown_names_and_years(retriever):
    assert retriever.unknown_names(analyse("Comment fonctionne une MSP au Québec en 2030 ?")) == ("Québec", "2030")
    assert retriever.unknown_names(analyse("Quel financement pour une MSP en 2022 ?")) == ()
    # an acronym no sheet uses is unknown too; one the glossary reads in French (GP) is not
    assert retriever.unknown_names(analyse("Comment valider mes heures de DPC ?")) == ("DPC",)
    assert retriever.unknown_names(analyse("What does a GP earn in an MSP?")) == ()
    assert retriever.term_coverage(analyse("posologie amoxicilline")) == 0.0


def test_long_forms_are_found_in_the_plural():
    from assistant.acronyms import acronyms_in

    assert acronyms_in("Combien de maisons de santé pluriprofessionnelles ?") == ["MSP"]
    assert acronyms_in("les dispositifs d'appui à la coordination") == ["DAC"]


def test_a_stop_word_in_capitals_is_a_name():
    from assistant.lexical import tokenize

    # words are stemmed with their accents: the feminine participle and the verb share a stem, typed with or
    # without accents
    assert tokenize("pilotées") == tokenize("piloter") == tokenize("pilotees") == tokenize("piloté")
    assert tokenize("financée par") == tokenize("financer")
    assert tokenize("idée") == tokenize("idee")
    assert "avec" in tokenize("le site de l'association AVEC Santé")
    assert "avec" not in tokenize("une MSP avec un médecin")


def test_a_question_on_one_attribute_of_a_structure_ranks_that_cell(shipped_retriever):
    passages = shipped_retriever.index.passages
    question = analyse("Que faut-il mettre dans le projet de santé d'une équipe de soins spécialisés ?")
    first = passages[shipped_retriever.cells("ESS", question)[0]]
    assert (first.attribute, first.sheet_id) == ("Projet de santé", "occitanie-urps-ml-interet-exercice-coordonne")
    assert first.id in [r.passage.id for r in shipped_retriever.search(question, k=5).passages]
    # the words of an attribute, in the question's own form; « santé » alone does not name « Projet de santé »
    legal = [passages[i].attribute for i in shipped_retriever.cells("ESS", analyse("Sous quelle forme juridique monter une ESS ?"))]
    assert legal[0] == "Forme juridique" and "Projet de santé" not in legal
    assert not shipped_retriever.cells("ESS", analyse("Quels professionnels de santé dans une ESS ?"))


def test_the_words_that_only_ask_what_something_means_are_not_its_topic(shipped_retriever):
    # « qu'entend-on par », « au juste » appear in no sheet: they frame the question, the corpus need not know them
    asked = analyse("Qu'entend-on au juste par exercice coordonné ?")
    assert shipped_retriever.term_coverage(asked) == 1.0
    assert "entend" not in asked.topic.lower()


def test_an_english_question_is_measured_on_its_words_of_the_field(shipped_retriever):
    from assistant.lexical import tokenize

    # English function words are no topic; « practice », « working », « alone » are the field's words in English
    asked = analyse("Why would a GP choose coordinated practice over working alone?")
    assert not {"would", "over"} & set(tokenize(asked.topic))
    assert shipped_retriever.term_coverage(asked) >= 0.6
    assert shipped_retriever.term_coverage(analyse("What is the capital of Australia?")) < 0.6


def test_a_question_about_one_structure_ranks_another_structures_cells_last(retriever):
    """« Une association loi 1901 pour une maison de santé ? » matches the CPTS's « Association loi 1901 » cell
    word for word; the MSP's cells and the sentences about no other structure come first."""
    result = retriever.search("Une association loi 1901 pour une maison de santé ?", 5)
    entities = [r.passage.entity for r in result.passages]
    cpts = [n for n, e in enumerate(entities) if e.startswith("CPTS")]
    msp = [n for n, e in enumerate(entities) if e.startswith("MSP")]
    assert msp and all(n > max(msp) for n in cpts), entities
    # a comparison is about both: nothing is set aside
    both = retriever.search("Forme juridique : quelle différence entre une MSP et une CPTS ?", 2)
    assert {r.passage.entity.split()[0] for r in both.passages} == {"MSP", "CPTS"}


def test_a_question_whether_something_is_required_is_searched_with_the_words_that_say_so(shipped_retriever):
    """« Est-on obligé de rejoindre… ? » is answered by « … sur la base du volontariat », which shares none of its
    words: a yes/no question on an obligation searches the words that state one or its absence."""
    from assistant.retrieval import OBLIGATION_TERMS, HybridRetriever

    asked = analyse("Est-on obligé de rejoindre une structure d'exercice coordonné ?")
    assert OBLIGATION_TERMS in HybridRetriever._lexical_query(asked)
    assert OBLIGATION_TERMS not in HybridRetriever._lexical_query(analyse("Qui valide le projet de santé d'une MSP ?"))
    passages = shipped_retriever.index.passages
    volunteer = next(i for i, p in enumerate(passages) if "sur la base du volontariat" in p.body)

    def rank(query: str) -> int:
        scores = shipped_retriever.index.lexical.scores(query)
        return sum(score > scores[volunteer] for score in scores)

    assert rank(HybridRetriever._lexical_query(asked)) < rank(asked.search_text)
