"""The benchmark's pure parts: synthetic corpora, targets, the printed table."""

import numpy as np

from assistant.bench.run import check_targets, render_table
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
