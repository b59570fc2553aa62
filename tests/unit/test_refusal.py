from assistant.config import Settings
from assistant.refusal import REFUSAL, not_covered
from assistant.retrieval import Coverage, SearchResult


def test_a_question_naming_what_no_sheet_mentions_is_told_which_words():
    result = SearchResult(passages=(object(),), coverage=Coverage(0.9, 1.0, ("DPC",), names_field=False))
    draft = not_covered(result, Settings())
    assert draft.abstained and not draft.citations
    assert draft.text.startswith("Les fiches ne répondent pas à cette question : elles ne mentionnent pas « DPC ».")
    two = not_covered(SearchResult((object(),), Coverage(0.9, 1.0, ("Québec", "2030"))), Settings())
    assert "« Québec » ni « 2030 »" in two.text


def test_an_off_topic_question_gets_the_plain_refusal():
    draft = not_covered(SearchResult((object(),), Coverage(0.1, 0.0)), Settings())
    assert draft.text == REFUSAL and draft.abstained
