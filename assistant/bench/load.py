"""A bounded load test on loopback: simulated physicians asking through the web app's API at once.

Each simulated physician asks its questions one after the other through Gradio's HTTP API (the
``/ask`` and ``/feedback`` endpoints of the chat app: a POST that queues the call, then the server-sent
events that carry its result) and sends a 👍/👎 on every answer; the test then counts, in the app's
store (SQLite or PostgreSQL), that every vote is there. Given several workers' URLs, the physicians are split
over them (physician n on worker n mod k), as a proxy with sticky sessions would. Plain HTTP keeps the simulated clients light: with
``gradio_client`` they used more CPU than the server on a two-core machine.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence

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


def _call(client, base_url: str, endpoint: str, *data) -> dict:
    """One call of a Gradio API endpoint: queue it, then read its result from the event stream."""
    import json

    url = f"{base_url.rstrip('/')}/gradio_api/call/{endpoint}"
    event_id = client.post(url, json={"data": list(data)}).raise_for_status().json()["event_id"]
    event, payload = "", ""
    with client.stream("GET", f"{url}/{event_id}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                payload = line[5:].strip()
                break
    if event != "complete":
        raise RuntimeError(f"{endpoint}: {event} {payload[:200]}")
    return json.loads(payload)[0]


def _physician(base_url: str, questions: list[str], user: int) -> tuple[list[float], int, list[tuple[str, int]]]:
    import httpx

    latencies, errors, votes = [], 0, []
    session = ""
    with httpx.Client(timeout=300) as client:
        for n, question in enumerate(questions):
            t = time.perf_counter()
            try:
                result = _call(client, base_url, "ask", question, "[]", session)
            except Exception:
                errors += 1
                continue
            latencies.append(time.perf_counter() - t)
            if "error" in result:
                errors += 1
                continue
            session = result["session_id"]
            vote = "down" if (user + n) % 3 == 0 else "up"
            try:
                ok = _call(client, base_url, "feedback", session, result["exchange_id"], vote, f"charge {user}-{n}")
            except Exception:
                ok = {}
            if ok.get("recorded"):
                votes.append((vote, result["exchange_id"]))
            else:
                errors += 1
    return latencies, errors, votes


def run_load(base_url: str | Sequence[str], questions: list[str], users: int, per_user: int, store) -> LoadResult:
    """``users`` physicians at once, ``per_user`` questions each (taken in turn from ``questions``).

    ``store`` is a :class:`~assistant.web.store.Store` on the served app's database, to count the votes kept.
    """
    bases = [base_url] if isinstance(base_url, str) else list(base_url)
    plans = [[questions[(u * per_user + n) % len(questions)] for n in range(per_user)] for u in range(users)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        outcomes = list(pool.map(lambda args: _physician(bases[args[1] % len(bases)], *args),
                                 [(p, u) for u, p in enumerate(plans)]))
    wall = time.perf_counter() - t0
    latencies = [x for lat, _, _ in outcomes for x in lat]
    votes = [v for _, _, vs in outcomes for v in vs]
    stored = 0
    for vote, public_id in votes:
        exchange = store.by_public_id(public_id)
        stored += bool(exchange and exchange.vote == vote)
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
