"""The benchmark's pure parts: synthetic corpora, targets, the printed table."""

import json

import numpy as np

from assistant.bench.run import BROWSER_QUESTION, browser_comparison, check_targets, render_table
from assistant.bench.synthetic import synthetic_passages
from assistant.schema import Passage


def _base(n=3):
    return [Passage(f"s#{i}", "s", "prose", ("A",), f"Texte {i} sur les MSP", f"Texte {i}", 0, 7) for i in range(n)]


def test_synthetic_passages_are_distinct_and_their_vectors_near_the_originals():
    base = _base()
    vectors = np.eye(3, 8, dtype=np.float32)
    passages, out = synthetic_passages(base, vectors, 50)
    assert len(passages) == 50 and len({p.text for p in passages}) == 50 and len({p.id for p in passages}) == 50
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    for n, p in enumerate(passages):
        assert p.text.startswith(base[n % 3].text)
        assert float(out[n] @ vectors[n % 3]) > 0.9  # still closest to its original


def test_targets_are_compared_and_unmeasured_ones_said():
    results = {
        "retrieval": {"hybrid_p95_ms": 30.0, "bm25_p50_ms": 0.1, "bm25_p95_ms": 0.2, "dense_p50_ms": 15,
                      "dense_p95_ms": 20, "hybrid_p50_ms": 16},
        "answers": {"extractive_p95_ms": 400.0},
        "cold_start": {"ask_s": 1.2},
        "scaling": {"100000": {"hybrid_p95_ms": 150.0, "hybrid_p50_ms": 90, "store_build_s": 100,
                               "embedding_estimate_s": 8000.0, "peak_rss_mb": 2000, "disk_mb": 900}},
        "index_build": {"passages": 245, "build_s": 20, "passages_per_s": 12.2, "peak_rss_mb": 300},
    }
    results["targets"] = check_targets(results)
    met = {(r["section"], r["metric"]): r["met"] for r in results["targets"]}
    assert met[("retrieval", "hybrid_p95_ms")] is True
    assert met[("answers", "extractive_p95_ms")] is False
    assert met[("llm", "first_token_p50_s")] is None
    assert met[("scaling", "100000.hybrid_p95_ms")] is True
    table = render_table(results)
    assert "MANQUÉ" in table and "non mesuré" in table and "100000 passages" in table


def _llm_section(first=1.2, total=3.2):
    return {"model": "m", "threads": 2, "load_s": 1, "warm_up_s": 3, "per_answer": [
        {"question": BROWSER_QUESTION, "first_token_s": first, "total_s": total, "prompt_tokens": 452,
         "cached_tokens": 339, "prompt_ms": 1100.0, "generated_tokens": 59, "decode_ms": 2000.0},
        {"question": "Autre ?", "first_token_s": 9.0, "total_s": 9.5, "prompt_tokens": 500, "cached_tokens": 339,
         "prompt_ms": 9000.0, "generated_tokens": 5, "decode_ms": 500.0}]}


def test_the_browser_test_timings_are_set_beside_the_bench_answer_to_the_same_question(tmp_path):
    timings = tmp_path / "web-timings.json"
    timings.write_text(json.dumps({"llm": {"question": BROWSER_QUESTION, "first_token_visible_s": 1.5,
                                           "full_answer_s": 4.0}, "extractive": {}}))
    llm = _llm_section()
    llm["browser"] = browser_comparison(llm, timings)
    assert llm["browser"]["first_token"] == {"browser_s": 1.5, "bench_s": 1.2, "gap": 0.25}
    assert llm["browser"]["full_answer"] == {"browser_s": 4.0, "bench_s": 3.2, "gap": 0.25}  # not the other question's
    table = render_table({"targets": [], "index_build": {"passages": 1, "build_s": 1, "passages_per_s": 1,
                                                         "peak_rss_mb": 1},
                          "retrieval": {k: 1 for k in ("bm25_p50_ms", "bm25_p95_ms", "dense_p50_ms", "dense_p95_ms",
                                                       "hybrid_p50_ms", "hybrid_p95_ms")}, "llm": llm})
    assert "premier jeton 1.5 s dans Chromium contre 1.2 s ici (+25%)" in table


def test_no_browser_comparison_without_the_test_timings_or_for_another_question(tmp_path):
    assert browser_comparison(_llm_section(), tmp_path / "absent.json") is None
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    assert browser_comparison(_llm_section(), broken) is None
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"llm": {"question": "Une autre question ?", "first_token_visible_s": 1.0,
                                         "full_answer_s": 2.0}}))
    assert browser_comparison(_llm_section(), other) is None
