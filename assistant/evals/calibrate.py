"""Setting the "not covered" thresholds on data: a grid over the two thresholds, judged on held-out questions."""

from __future__ import annotations

from dataclasses import dataclass

from ..retrieval import Coverage


@dataclass(frozen=True)
class Point:
    min_dense: float
    min_terms: float
    accuracy: float  # share of right answer/refuse decisions
    false_refusals: int
    missed_refusals: int


def decisions(signals: list[tuple[Coverage, bool]], min_dense: float, min_terms: float) -> Point:
    right = false_refusals = missed = 0
    for coverage, answerable in signals:
        covered = coverage.covered(min_dense, min_terms)
        right += covered == answerable
        false_refusals += answerable and not covered
        missed += (not answerable) and covered
    return Point(min_dense, min_terms, right / max(1, len(signals)), false_refusals, missed)


def grid(signals: list[tuple[Coverage, bool]]) -> list[Point]:
    dense = [round(0.76 + 0.005 * i, 3) for i in range(21)]
    terms = [round(0.1 * i, 2) for i in range(0, 8)]
    return [decisions(signals, d, t) for d in dense for t in terms]


def best(points: list[Point]) -> Point:
    """Most right decisions; on ties, fewer false refusals, then the loosest thresholds."""
    return max(points, key=lambda p: (p.accuracy, -p.false_refusals, -p.min_dense, -p.min_terms))
