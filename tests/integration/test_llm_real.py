"""The LLM engine end to end with the real local model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M)."""

import pytest

pytestmark = [pytest.mark.models, pytest.mark.llm]

OCCITANIE = "occitanie-urps-ml-interet-exercice-coordonne"


def test_cpts_aci_answer_is_generated_checked_and_cited(llm_coordo):
    pieces, answer = [], None
    for event in llm_coordo.stream("Combien une CPTS peut-elle percevoir au titre de l'ACI ?"):
        if isinstance(event, str):
            pieces.append(event)
        else:
            answer = event
    assert len(pieces) > 3  # streamed token by token
    assert not answer.abstained and answer.engine == "llm"
    assert "287 500" in answer.text and "580 000" in answer.text
    assert any(c.sheet_id == OCCITANIE and "287 500" in c.text for c in answer.citations)
    assert "[1]" in answer.text
    assert answer.timings_ms["first_text"] < answer.timings_ms["total"]


def test_the_model_reads_only_the_chosen_units_and_its_sentence_comes_before_their_quotes(llm_coordo):
    # (« Combien une CPTS peut-elle percevoir… ? » is now answered « 287 500 € (taille 1) ou 580 000 € (taille 4) »,
    # which the checks remove: a range is no alternative; the test needs a sentence that passes them)
    answer = llm_coordo.ask("Combien de CPTS y a-t-il en Occitanie ?")
    first, *quotes = answer.text.split("\n")
    assert "[1]" in first and not first.startswith("- ")  # the model's own sentence, checked
    assert quotes and all(q.startswith("- ") and "«" in q for q in quotes)  # then the sheet's words, cited and dated
    assert not any("extractive" in w for w in answer.warnings), answer.warnings
    # the fixed rules come from llama.cpp's cache; what is read per question is the few chosen units
    read = answer.generation["prompt_tokens"] - answer.generation["cached_tokens"]
    assert 0 < read < 250, answer.generation


def test_off_topic_question_is_refused_without_generation(llm_coordo):
    answer = llm_coordo.ask("Quelle est la posologie de l'amoxicilline ?")
    assert answer.abstained and "ne répondent pas" in answer.text and not answer.citations


def test_every_shown_figure_is_in_a_cited_passage(llm_coordo):
    from assistant.text import figure_set, figures

    answer = llm_coordo.ask("Quel financement FIR pour une MSP ?")
    # a figure may also be the cited sheet's date, shown beside its quote (as the evaluation counts it)
    shown = [t for c in answer.citations for t in (c.text, c.date)]
    supported = set().union(*(figure_set(t) for t in shown)) if shown else set()
    assert all(f in supported for f in figures(answer.text)), (answer.text, answer.warnings)
