"""A bounded load test on loopback: simulated physicians asking through the web app's API at once.

Each simulated physician is one ``gradio_client`` session that asks its questions one after the other
and sends a 👍/👎 on every answer; the test then counts, in the app's SQLite store, that every vote
is there.
"""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..evals.metrics import percentile


@dataclass(frozen=True)
class LoadResult:
    users: int
    requests: int
    errors: int
    feedback_sent: int
    feedback_stored: int
    p50_ms: float
    p95_ms: float
    wall_s: float

    @property
    def throughput(self) -> float:
        return self.requests / self.wall_s if self.wall_s else 0.0

    def to_dict(self) -> dict:
        return {**self.__dict__, "throughput_rps": round(self.throughput, 2)}


def _physician(base_url: str, questions: list[str], user: int) -> tuple[list[float], int, list[tuple[str, int]]]:
    from gradio_client import Client

    client = Client(base_url, verbose=False)
    latencies, errors, votes = [], 0, []
    session = ""
    for n, question in enumerate(questions):
        t = time.perf_counter()
        try:
            result = client.predict(question, "[]", session, api_name="/ask")
        except Exception:
            errors += 1
            continue
        latencies.append(time.perf_counter() - t)
        if "error" in result:
            errors += 1
            continue
        session = result["session_id"]
        vote = "down" if (user + n) % 3 == 0 else "up"
        ok = client.predict(session, result["exchange_id"], vote, f"charge {user}-{n}", api_name="/feedback")
        if ok.get("recorded"):
            votes.append((vote, result["exchange_id"]))
        else:
            errors += 1
    return latencies, errors, votes


def run_load(base_url: str, questions: list[str], users: int, per_user: int, database: Path) -> LoadResult:
    """``users`` physicians at once, ``per_user`` questions each (taken in turn from ``questions``)."""
    plans = [[questions[(u * per_user + n) % len(questions)] for n in range(per_user)] for u in range(users)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        outcomes = list(pool.map(lambda args: _physician(base_url, *args), [(p, u) for u, p in enumerate(plans)]))
    wall = time.perf_counter() - t0
    latencies = [x for lat, _, _ in outcomes for x in lat]
    votes = [v for _, _, vs in outcomes for v in vs]
    with sqlite3.connect(database) as db:
        stored = sum(
            1 for vote, exchange_id in votes
            if db.execute("SELECT 1 FROM feedback WHERE exchange_id = ? AND vote = ?", (exchange_id, vote)).fetchone()
        )
    return LoadResult(
        users=users,
        requests=users * per_user,
        errors=sum(e for _, e, _ in outcomes),
        feedback_sent=len(votes),
        feedback_stored=stored,
        p50_ms=round(percentile([x * 1000 for x in latencies], 0.5), 1),
        p95_ms=round(percentile([x * 1000 for x in latencies], 0.95), 1),
        wall_s=round(wall, 2),
    )
