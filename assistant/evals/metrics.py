"""Metrics as pure functions over plain data (one verdict per question, then aggregates)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from ..text import figure_set, figures
from .dataset import EvalCase, contains


def relevant(text: str, case: EvalCase) -> bool:
    """A passage is relevant when it holds one of the case's evidence snippets."""
    return any(contains(text, e) for e in case.evidence)


def first_relevant_rank(texts: list[str], case: EvalCase) -> int | None:
    for rank, text in enumerate(texts, start=1):
        if relevant(text, case):
            return rank
    return None


def ndcg(texts: list[str], case: EvalCase, k: int = 5) -> float:
    gains = [1.0 if relevant(t, case) else 0.0 for t in texts[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = min(k, max(1, len(case.evidence)))
    idcg = sum(1 / math.log2(i + 2) for i in range(ideal))
    return min(1.0, dcg / idcg)


def facts_found(answer: str, case: EvalCase) -> bool:
    """Every expected group has one variant in the answer."""
    return all(any(contains(answer, v) for v in group) for group in case.expected_facts)


def unsupported_figures(answer: str, cited_texts: list[str], sheet_labels: list[str]) -> list[str]:
    """Figures of the answer that no cited passage (nor the cited sheet's date) contains."""
    supported = set().union(*(figure_set(t) for t in [*cited_texts, *sheet_labels])) if cited_texts else set()
    return [f for f in figures(answer) if f not in supported]


@dataclass(frozen=True)
class Verdict:
    """What one question got right or wrong."""

    answerable: bool
    abstained: bool
    rank: int | None  # first relevant retrieved passage
    ndcg5: float
    facts: bool
    citation_hit: bool
    citation_precision: float | None
    unsupported: tuple[str, ...]

    @property
    def abstention_correct(self) -> bool:
        return self.abstained != self.answerable

    @property
    def correct(self) -> bool:
        if not self.answerable:
            return self.abstained
        return not self.abstained and self.facts and self.citation_hit

    def to_dict(self) -> dict:
        d = asdict(self)
        d["unsupported"] = list(self.unsupported)
        d["abstention_correct"], d["correct"] = self.abstention_correct, self.correct
        return d


def verdict(case: EvalCase, answer: str, abstained: bool, retrieved: list[str], cited: list[str],
            sheet_labels: list[str]) -> Verdict:
    if not case.answerable:
        return Verdict(False, abstained, None, 0.0, False, False, None, ())
    rank = first_relevant_rank(retrieved, case)
    flags = [relevant(c, case) for c in cited]
    return Verdict(
        answerable=True,
        abstained=abstained,
        rank=rank,
        ndcg5=ndcg(retrieved, case, 5),
        facts=not abstained and facts_found(answer, case),
        citation_hit=not abstained and any(flags),
        citation_precision=(sum(flags) / len(flags)) if flags else None,
        unsupported=tuple(unsupported_figures(answer, cited, sheet_labels)) if not abstained else (),
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def retrieval_metrics(ranks: list[int | None], ndcgs: list[float]) -> dict:
    n = len(ranks) or 1
    return {
        "hit@1": sum(1 for r in ranks if r and r <= 1) / n,
        "hit@3": sum(1 for r in ranks if r and r <= 3) / n,
        "hit@5": sum(1 for r in ranks if r and r <= 5) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
        "ndcg@5": sum(ndcgs) / n,
    }


def aggregate(verdicts: list[Verdict], latencies_ms: list[float]) -> dict:
    """All the metrics of one run."""
    answerable = [v for v in verdicts if v.answerable]
    unanswerable = [v for v in verdicts if not v.answerable]
    answered = [v for v in answerable if not v.abstained]
    abstained = [v for v in verdicts if v.abstained]
    true_abstentions = sum(1 for v in abstained if not v.answerable)
    precisions = [v.citation_precision for v in answered if v.citation_precision is not None]
    n = max(1, len(answerable))
    out = {"questions": len(verdicts), "answerable": len(answerable), "unanswerable": len(unanswerable)}
    out.update(retrieval_metrics([v.rank for v in answerable], [v.ndcg5 for v in answerable]))
    out.update({
        "fact_accuracy": sum(v.facts for v in answerable) / n,
        "citation_hit": sum(v.citation_hit for v in answerable) / n,
        "citation_precision": sum(precisions) / len(precisions) if precisions else 0.0,
        "answers_with_unsupported_figures": sum(1 for v in answered if v.unsupported) / max(1, len(answered)),
        "unsupported_figures": sum(len(v.unsupported) for v in answered),
        "abstention_precision": true_abstentions / len(abstained) if abstained else 0.0,
        "abstention_recall": true_abstentions / len(unanswerable) if unanswerable else 0.0,
        "abstention_accuracy": sum(v.abstention_correct for v in verdicts) / max(1, len(verdicts)),
        "false_refusals": sum(1 for v in answerable if v.abstained),
        "correct": sum(v.correct for v in verdicts) / max(1, len(verdicts)),
        "latency_p50_ms": percentile(latencies_ms, 0.5),
        "latency_p95_ms": percentile(latencies_ms, 0.95),
    })
    return out
