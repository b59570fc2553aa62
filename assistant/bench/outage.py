"""The database stopped and started again under load: what the physicians got, and what was kept.

Simulated physicians ask and vote without pause over the web workers' API (``/ask`` and ``/feedback``, as in
:mod:`.load`, each question in a new session so that per-session rates never bind); meanwhile ``stop_db`` is
called, the database stays down ``outage_s`` seconds, and ``start_db`` brings it back. Each round sends the votes
first (on the last round's answer), then the next question; a vote refused during the outage is sent again at the
next round, as a physician clicks again. Every call is timed, so that it can be placed before, during or after the
outage; at the end the store is read to check that every acknowledged exchange and vote is there, and that no vote
refused for good was stored anyway.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .load import _call

OUTAGE_WORDS = "momentanément injoignable"  # what the physician reads while the database is down


@dataclass(frozen=True)
class Call:
    endpoint: str  # "ask" or "feedback"
    started: float  # time.monotonic()
    ended: float
    ok: bool  # an answer with its exchange id, or {"recorded": true}
    message: str = ""  # what came back instead ("" when ok)


@dataclass(frozen=True)
class Vote:
    session_id: str
    exchange_id: str
    vote: str


@dataclass
class _Physician:
    calls: list[Call] = field(default_factory=list)
    exchanges: list[str] = field(default_factory=list)  # acknowledged exchange ids
    acknowledged: list[Vote] = field(default_factory=list)
    pending: list[Vote] = field(default_factory=list)  # refused, to send again
    anomalies: list[str] = field(default_factory=list)  # {"recorded": false} without a reason, and the like
    rounds_after_restart: int = 0  # whole rounds (votes, then a question) begun after the restart


@dataclass(frozen=True)
class OutageResult:
    users: int
    outage_s: float  # from the stop command to the end of the start command
    requests: int
    during_outage: int  # calls that overlapped the outage
    during_answered: int  # of those: answered (a retried write, or done before the stop bit)
    during_refused: int  # of those: the « momentanément injoignable » message
    waited_out: int  # calls begun while the database was down and answered once it was back (the store's retry)
    refused_asks: int  # questions refused with that message (their answer computed, not stored, not shown)
    refused_votes: int  # votes refused with that message (sent again at the next round)
    refused_total: int  # every call refused with that message
    other_errors: list[str]  # any other failure (message), anywhere: must be empty
    after_restart: int  # calls started once the database was back
    errors_after_restart: int
    recovery_s: float  # from the end of the start command to the first call answered after it
    acknowledged_exchanges: int
    stored_exchanges: int
    acknowledged_votes: int
    stored_votes: int
    refused_votes_stored: int  # votes refused for good (never acknowledged) found in the store anyway
    wall_s: float

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _physician(base_url: str, questions: list[str], user: int, state: _Physician, stop: threading.Event,
               restarted: threading.Event, think_s: float) -> None:
    import httpx

    def call(endpoint: str, *data) -> tuple[dict, Call]:
        t0 = time.monotonic()
        try:
            result = _call(client, base_url, endpoint, *data)
        except Exception as exc:  # a failed HTTP call or an error event: recorded, never raised
            result = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
        ok = ("exchange_id" in result) if endpoint == "ask" else bool(result.get("recorded"))
        record = Call(endpoint, t0, time.monotonic(), ok and "error" not in result, str(result.get("error", "")))
        state.calls.append(record)
        return result, record

    n = 0
    with httpx.Client(timeout=300) as client:
        while True:
            after = restarted.is_set()
            # the votes first (last round's answer, and any refused before): some are in flight when the database
            # stops, as asks are
            for wanted in list(state.pending):
                answer, sent = call("feedback", wanted.session_id, wanted.exchange_id, wanted.vote, f"panne {user}-{n}")
                if sent.ok:
                    state.pending.remove(wanted)
                    state.acknowledged.append(wanted)
                elif not sent.message:
                    state.anomalies.append(f"vote refusé sans raison : {answer}")
            if stop.is_set():
                break
            question = questions[(user * 7 + n) % len(questions)]
            result, record = call("ask", question, "[]", "")
            if record.ok:
                state.exchanges.append(result["exchange_id"])
                vote = "down" if (user + n) % 3 == 0 else "up"
                state.pending.append(Vote(result["session_id"], result["exchange_id"], vote))
            n += 1
            state.rounds_after_restart += after
            stop.wait(think_s)


def run_outage(bases: Sequence[str], questions: list[str], users: int, store, stop_db: Callable[[], None],
               start_db: Callable[[], None], *, outage_s: float = 8.0, rounds_after: int = 1,
               think_s: float = 0.5, cap_s: float = 600.0) -> tuple[OutageResult, list[str]]:
    """``users`` physicians over ``bases`` (physician n on worker n mod k); the database is stopped once every
    physician has had an answer, started again ``outage_s`` seconds later, and the load ends once every physician
    has done ``rounds_after`` whole rounds begun after the restart (or after ``cap_s`` seconds in all).

    Returns the result and the anomalies seen (each a short French line; none expected).
    """
    states = [_Physician() for _ in range(users)]
    stop, restarted = threading.Event(), threading.Event()
    threads = [threading.Thread(target=_physician, daemon=True,
                                args=(bases[u % len(bases)], questions, u, states[u], stop, restarted, think_s))
               for u in range(users)]
    t0 = time.monotonic()
    for thread in threads:
        thread.start()
    while not all(s.exchanges for s in states) and time.monotonic() - t0 < cap_s / 3:
        time.sleep(0.2)
    down_at = time.monotonic()
    stop_db()
    time.sleep(outage_s)
    start_db()
    up_at = time.monotonic()
    restarted.set()
    while not all(s.rounds_after_restart >= rounds_after for s in states) and time.monotonic() - t0 < cap_s:
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(timeout=300)
    wall = time.monotonic() - t0

    calls = sorted((c for s in states for c in s.calls), key=lambda c: c.started)
    anomalies = [a for s in states for a in s.anomalies]
    anomalies += [f"{u} : physician still running" for u, t in enumerate(threads) if t.is_alive()]
    during = [c for c in calls if c.started < up_at and c.ended > down_at]
    after = [c for c in calls if c.started >= up_at]
    refused = [c for c in calls if not c.ok and OUTAGE_WORDS in c.message]
    others = [f"{c.endpoint}: {c.message or 'réponse incomplète'}" for c in calls
              if not c.ok and OUTAGE_WORDS not in c.message]
    first_ok = min((c.ended for c in calls if c.ok and c.ended >= up_at), default=float("nan"))

    exchanges = [e for s in states for e in s.exchanges]
    stored_exchanges = sum(store.by_public_id(e) is not None for e in exchanges)
    votes = [v for s in states for v in s.acknowledged]
    stored_votes = 0
    for vote in votes:
        kept = store.by_public_id(vote.exchange_id)
        stored_votes += bool(kept and kept.vote == vote.vote)
    refused_for_good = [v for s in states for v in s.pending]
    refused_stored = 0
    for vote in refused_for_good:
        kept = store.by_public_id(vote.exchange_id)
        refused_stored += bool(kept and kept.vote)

    result = OutageResult(
        users=users,
        outage_s=round(up_at - down_at, 2),
        requests=len(calls),
        during_outage=len(during),
        during_answered=sum(c.ok for c in during),
        during_refused=sum(not c.ok and OUTAGE_WORDS in c.message for c in during),
        waited_out=sum(c.ok and down_at <= c.started < up_at and c.ended >= up_at for c in calls),
        refused_asks=sum(c.endpoint == "ask" for c in refused),
        refused_votes=sum(c.endpoint == "feedback" for c in refused),
        refused_total=len(refused),
        other_errors=others,
        after_restart=len(after),
        errors_after_restart=sum(not c.ok for c in after),
        recovery_s=round(first_ok - up_at, 2),
        acknowledged_exchanges=len(exchanges),
        stored_exchanges=stored_exchanges,
        acknowledged_votes=len(votes),
        stored_votes=stored_votes,
        refused_votes_stored=refused_stored,
        wall_s=round(wall, 2),
    )
    return result, anomalies
