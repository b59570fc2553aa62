"""The web store on both backends: the embedded SQLite file and a real PostgreSQL server on loopback.

Every test taking ``store``/``open_store`` runs twice (ids ``sqlite`` and ``postgresql``); the PostgreSQL
server is a throwaway cluster started for the session (see assistant/bench/postgres.py), each test gets a fresh database.
"""

from __future__ import annotations

import json
import os
import re
import stat
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from assistant.errors import DatabaseUnavailable
from assistant.schema import Answer, Citation
from assistant.web import database
from assistant.web.review import ReviewDesk
from assistant.web.store import Store, now_utc

BACKENDS = ["sqlite", "postgresql"]


def _answer(question="Q ?", abstained=False) -> Answer:
    citation = Citation(1, "fiche-test#3", "fiche-test", "Fiche de test", "URPS Test", "janvier 2025", ("A",),
                        "Les MSP réunissent", 10, 28)
    return Answer(question, question, "Réponse [1]", abstained, "extractive", (citation,) if not abstained else ())


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def open_store(backend, tmp_path, request):
    """Opens a Store on this test's database (one database, any number of Store objects: several workers)."""
    url = request.getfixturevalue("postgres").create_database() if backend == "postgresql" else ""
    opened = []

    def make(**kwargs) -> Store:
        store = Store(tmp_path / "data", database_url=url, **kwargs)
        opened.append(store)
        return store

    make.url = url
    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store):
    return open_store()


def _raw(store: Store, sql: str):
    """A query on a separate engine, as another process (or the same one after a crash and restart) would see."""
    engine = database.open_engine(store.url, store.data_dir)
    try:
        with engine.connect() as db:
            return db.execute(sa.text(sql)).all()
    finally:
        engine.dispose()


# -- durability and ownership ----------------------------------------------------------------------

def test_an_acknowledged_exchange_and_vote_are_committed_before_the_call_returns(store):
    public_id = store.record("s1", [], _answer(), "model")
    assert store.set_feedback(public_id, "s1", "down", "faux")
    rows = _raw(store, "SELECT e.question, f.vote FROM exchanges e JOIN feedback f ON f.exchange_id = e.id")
    assert [tuple(r) for r in rows] == [("Q ?", "down")]


def test_embedded_sqlite_is_wal_and_synchronous_full(tmp_path):
    store = Store(tmp_path / "data")
    with store.engine.connect() as db:
        assert db.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert db.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert db.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_feedback_only_on_ones_own_exchanges(store):
    mine = store.record("alice", [], _answer(), "m")
    assert store.set_feedback(mine, "alice", "down", " Faux ")
    assert not store.set_feedback(mine, "mallory", "up")
    e = store.by_public_id(mine)
    assert (e.vote, e.feedback_comment) == ("down", "Faux")
    assert [x.id for x in store.session_exchanges("mallory")] == []
    assert store.clear_feedback(mine, "alice")
    assert store.by_public_id(mine).vote == ""


def test_withdrawing_someone_elses_vote_answers_recorded_false(store):
    """Minor defect of issue 12: withdrawing a vote on another session's exchange said « recorded: true »."""
    theirs = store.record("alice", [], _answer(), "m")
    store.set_feedback(theirs, "alice", "down", "incomplet")
    assert store.clear_feedback(theirs, "mallory") is False
    assert store.clear_feedback("0" * 32, "mallory") is False  # an id that does not exist
    assert store.by_public_id(theirs).vote == "down"  # alice's vote is untouched
    assert store.clear_feedback(theirs, "alice") is True


def test_exchange_ids_given_out_reveal_no_counter(store):
    """Minor defect of issue 12: callers were given the global row counter (how many questions were asked)."""
    first, second = store.record("a", [], _answer(), "m"), store.record("b", [], _answer(), "m")
    for public_id in (first, second):
        assert re.fullmatch(r"[0-9a-f]{32}", public_id)
    rows = {e.public_id: e.id for e in store.exchanges()}
    assert set(rows) == {first, second}
    assert str(rows[first]) not in (first, second) and int(first, 16) + 1 != int(second, 16)
    # the row number cannot be used in place of the public id
    assert not store.set_feedback(str(rows[first]), "a", "down")
    assert store.by_public_id(str(rows[first])) is None


def test_a_vote_given_on_one_worker_is_seen_by_the_other(open_store):
    worker_a, worker_b = open_store(), open_store()
    asked_on_a = worker_a.record("s-a", [], _answer("posée sur A"), "m")
    asked_on_b = worker_b.record("s-b", [], _answer("posée sur B"), "m")
    assert worker_b.set_feedback(asked_on_b, "s-b", "down", "faux")
    desk = ReviewDesk(worker_a, "unused.jsonl", lambda _: "")
    assert [row[2] for row in desk.page().rows] == ["posée sur B", "posée sur A"]
    assert [row[2] for row in desk.page(disliked=True).rows] == ["posée sur B"]
    assert worker_a.by_public_id(asked_on_a).question == "posée sur A"


# -- the desk --------------------------------------------------------------------------------------

def test_filters_newest_first_and_dates(store):
    old = store.record("s", [], _answer("vieille"), "m", at=now_utc() - timedelta(days=3))
    refused = store.record("s", [], _answer("refus", abstained=True), "m")
    disliked = store.record("s", [], _answer("mauvaise"), "m")
    store.set_feedback(disliked, "s", "down")
    ids = lambda exchanges: [e.public_id for e in exchanges]  # noqa: E731
    assert ids(store.exchanges()) == [disliked, refused, old]
    assert ids(store.exchanges(disliked=True)) == [disliked]
    assert ids(store.exchanges(refused=True)) == [refused]
    today = now_utc().strftime("%Y-%m-%d")
    assert old not in ids(store.exchanges(since=today))
    assert ids(store.exchanges(until=(now_utc() - timedelta(days=2)).strftime("%Y-%m-%d"))) == [old]
    assert store.count() == 3 and store.count(disliked=True) == 1 and store.count(since=today) == 2


def test_d1_desk_pages_through_every_exchange_and_counts_matches(store):
    """D1: 500 spam exchanges (ask + 👎) buried every real 👎, and the counter only said « 500 échange(s) »."""
    real = [store.record(f"medecin-{i}", [], _answer(f"vraie question {i}"), "m",
                         at=now_utc() - timedelta(hours=2)) for i in range(3)]
    for public_id, session in zip(real, (f"medecin-{i}" for i in range(3))):
        store.set_feedback(public_id, session, "down", "réponse fausse")
    with store.engine.begin() as db:  # 520 spam exchanges with a 👎 each, in one transaction (speed only)
        from assistant.web.store import exchanges_table, feedback_table

        for i in range(520):
            db.execute(exchanges_table.insert().values(
                public_id=f"spam{i:028d}", session_id="spam", created_at=now_utc().isoformat(), question="spam",
                history="[]", answer=json.dumps(_answer("spam").to_dict()), abstained=0, engine="x", model="m"))
        spam_ids = [r.id for r in db.execute(sa.select(exchanges_table.c.id).where(
            exchanges_table.c.session_id == "spam"))]
        db.execute(feedback_table.insert(), [
            {"exchange_id": i, "vote": "down", "comment": "", "updated_at": "x"} for i in spam_ids])
    desk = ReviewDesk(store, "unused.jsonl", lambda _: "", page_size=100)
    first = desk.page(disliked=True)
    assert (first.total, first.pages, len(first.rows)) == (523, 6, 100)
    assert "523 échange(s) correspondent au filtre" in first.summary and "page 1/6" in first.summary
    seen = []
    for number in range(1, first.pages + 1):
        seen += [row[2] for row in desk.page(number, disliked=True).rows]
    assert len(seen) == 523 and sorted(q for q in seen if q != "spam") == [f"vraie question {i}" for i in range(3)]
    assert desk.page(99, disliked=True).page == 6  # past the end: the last page, not an empty list
    # nothing up to the day before yesterday (the real ones are 2 hours old: yesterday's date after midnight)
    assert desk.page(1, disliked=True, until=(now_utc() - timedelta(days=2)).strftime("%Y-%m-%d")).total == 0


# -- retention -------------------------------------------------------------------------------------

def test_retention_purges_old_questions_with_their_feedback(store):
    old = store.record("s", [], _answer("patient de 54 ans"), "m", at=now_utc() - timedelta(days=91))
    store.set_feedback(old, "s", "down")
    recent = store.record("s", [], _answer(), "m", at=now_utc() - timedelta(days=89))
    store.review(store.by_public_id(old).id, "incorrect", "", "alice")
    assert store.purge() == 1
    assert store.by_public_id(old) is None and store.by_public_id(recent) is not None
    assert _raw(store, "SELECT COUNT(*) FROM feedback")[0][0] == 0
    assert _raw(store, "SELECT COUNT(*) FROM reviews")[0][0] == 0
    assert _raw(store, "SELECT COUNT(*) FROM exchanges WHERE question LIKE '%patient%'")[0][0] == 0


def test_the_purge_runs_in_one_worker_at_a_time(postgres):
    """On PostgreSQL, a worker that finds the purge under way (advisory lock held) skips it."""
    store = Store("unused", database_url=postgres.create_database())
    store.record("s", [], _answer(), "m", at=now_utc() - timedelta(days=200))
    other_worker = sa.create_engine(store.url.replace("postgresql+psycopg", "postgresql+psycopg", 1))
    with other_worker.connect() as db:
        db.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": database.PURGE_LOCK})
        assert store.purge() == 0 and store.count() == 1
        db.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": database.PURGE_LOCK})
    assert store.purge() == 1 and store.count() == 0
    other_worker.dispose()
    store.close()


# -- reviews ---------------------------------------------------------------------------------------

def test_reviews_keep_their_case_id_when_revised(store):
    exchange = store.by_public_id(store.record("s", [], _answer(), "m"))
    store.review(exchange.id, "incorrect", " faux ", "alice", case_id="review-1")
    store.review(exchange.id, "correct", "finalement juste", "bob")
    e = store.get(exchange.id)
    assert (e.verdict, e.review_comment, e.reviewer, e.case_id) == ("correct", "finalement juste", "bob", "review-1")
    with pytest.raises(ValueError):
        store.review(exchange.id, "peut-être", "", "bob")


# -- migrations ------------------------------------------------------------------------------------

def _fill_v1(insert_exchange, vote, review):
    """The same rows, whatever wrote them: 3 exchanges, 2 votes, 1 review (with an evaluation case)."""
    from assistant.schema import Turn

    first = insert_exchange("s1", [], _answer("Qu'est-ce qu'une CPTS ?"), "m1", now_utc() - timedelta(days=2))
    second = insert_exchange("s1", [Turn("user", "Qu'est-ce qu'une CPTS ?"), Turn("assistant", "Une communauté")],
                             _answer("Et une MSP ?"), "m1", now_utc() - timedelta(days=1))
    third = insert_exchange("s2", [], _answer("Hors sujet", abstained=True), "m2", now_utc())
    vote(first, "s1", "up", "")
    vote(third, "s2", "down", "aurait dû répondre")
    review(third, "missing_source", "ajouter la fiche", "alice", "review-3")
    return [first, second, third]


def _rows(store_or_engine_url, data_dir):
    engine = database.open_engine(store_or_engine_url, data_dir)
    with engine.connect() as db:
        out = {t: [tuple(r) for r in db.execute(sa.text(f"SELECT * FROM {t} ORDER BY 1"))]
               for t in ("exchanges", "feedback", "reviews")}
    engine.dispose()
    return out


def test_a_database_made_by_the_pre_alembic_code_is_upgraded_in_place_with_every_row_kept(tmp_path):
    from tests.unit.legacy import store_v1

    data = tmp_path / "data"
    old = store_v1.Store(data)
    ids = _fill_v1(lambda s, h, a, m, at: old.record(s, h, a, m, at=at), old.set_feedback, old.review)
    before = {e.id: e for e in old.exchanges()}
    os.chmod(data / "coordo.sqlite3", 0o644)  # as the old code left it (D16)
    raw_before = _rows("", data)

    store = Store(data)
    assert store.revision == "0002"
    after = {e.id: e for e in store.exchanges()}
    assert sorted(after) == sorted(ids)
    for exchange_id, old_exchange in before.items():
        new = after[exchange_id]
        assert re.fullmatch(r"[0-9a-f]{32}", new.public_id)
        fields = ("session_id", "created_at", "question", "history", "answer", "abstained", "engine", "model", "vote",
                  "feedback_comment", "verdict", "review_comment", "reviewer", "case_id")
        assert {f: getattr(new, f) for f in fields} == {f: getattr(old_exchange, f) for f in fields}
    raw_after = _rows("", data)
    assert raw_after["feedback"] == raw_before["feedback"] and raw_after["reviews"] == raw_before["reviews"]
    assert [r[:9] for r in raw_after["exchanges"]] == raw_before["exchanges"]  # same columns, public_id appended
    assert stat.S_IMODE(os.stat(data / "coordo.sqlite3").st_mode) == 0o600
    # the upgraded database works as a new one: votes by public id, new exchanges after the old ones
    assert store.set_feedback(after[ids[1]].public_id, "s1", "down")
    newer = store.by_public_id(store.record("s3", [], _answer(), "m"))
    assert newer.id > max(ids)
    store.close()
    assert Store(data).count() == 4  # opening again: nothing to migrate, nothing lost


def test_a_revision_1_database_is_upgraded_with_every_row_kept(backend, tmp_path, request):
    """The same upgrade on either backend, from a database at revision 0001 (made by Alembic)."""
    from alembic import command
    from alembic.config import Config

    url = request.getfixturevalue("postgres").create_database() if backend == "postgresql" else ""
    engine = database.open_engine(url, tmp_path)
    config = Config()
    config.set_main_option("script_location", str(database.MIGRATIONS))
    with engine.begin() as db:
        config.attributes["connection"] = db
        command.upgrade(config, "0001")
    with engine.begin() as db:
        def insert(s, h, a, m, at):
            row = db.execute(sa.text(
                "INSERT INTO exchanges (session_id, created_at, question, history, answer, abstained, engine, model)"
                " VALUES (:s, :c, :q, :h, :a, :ab, :e, :m) RETURNING id"),
                {"s": s, "c": at.isoformat(), "q": a.question, "h": json.dumps([t.__dict__ for t in h]),
                 "a": json.dumps(a.to_dict()), "ab": int(a.abstained), "e": a.engine, "m": m})
            return row.scalar_one()

        def vote(i, s, v, c):
            db.execute(sa.text("INSERT INTO feedback VALUES (:i, :v, :c, 'x')"), {"i": i, "v": v, "c": c})

        def review(i, v, c, r, case):
            db.execute(sa.text("INSERT INTO reviews VALUES (:i, :v, :c, :r, :case, 'x')"),
                       {"i": i, "v": v, "c": c, "r": r, "case": case})

        _fill_v1(insert, vote, review)
    engine.dispose()
    before = _rows(url, tmp_path)
    store = Store(tmp_path, database_url=url)
    after = _rows(url, tmp_path)
    assert store.revision == "0002" and store.count() == 3
    assert after["feedback"] == before["feedback"] and after["reviews"] == before["reviews"]
    assert [r[:9] for r in after["exchanges"]] == before["exchanges"]
    assert len({e.public_id for e in store.exchanges()}) == 3
    store.close()


def test_the_migrations_work_from_an_installed_package(tmp_path):
    """A wheel built from this checkout, installed elsewhere, migrates a new database (no checkout on the path)."""
    import shutil
    import subprocess
    import sys

    from assistant.config import PROJECT_ROOT

    source = tmp_path / "src"
    shutil.copytree(PROJECT_ROOT / "assistant", source / "assistant", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", str(source), "-w",
                    str(tmp_path / "wheel")], check=True, capture_output=True, cwd=tmp_path)
    wheel = next((tmp_path / "wheel").glob("coordo-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(tmp_path / "site"), str(wheel)],
                   check=True, capture_output=True, cwd=tmp_path)
    probe = ("import sys, assistant.web.store as s; from pathlib import Path; "
             "assert Path(s.__file__).is_relative_to(Path(sys.argv[1])), s.__file__; "
             "print(s.Store(Path(sys.argv[2])).revision)")
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "site"), str(tmp_path / "data")],
                          capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path / "site")})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "0002"


def test_the_migrations_ship_inside_the_package():
    """The Alembic scripts are package files (found from the installed package, not from a checkout)."""
    import assistant.web.migrations as migrations
    from alembic.script import ScriptDirectory

    assert database.MIGRATIONS == __import__("pathlib").Path(migrations.__file__).parent
    script = ScriptDirectory(str(database.MIGRATIONS))
    assert [r.revision for r in script.walk_revisions()] == ["0002", "0001"]
    assert script.get_current_head() == "0002"


# -- files on disk (D16) ---------------------------------------------------------------------------

def test_d16_data_directory_is_private_and_database_files_are_0600(tmp_path):
    """D16: the SQLite file was world-readable (0644 in a 0755 directory)."""
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    store = Store(data)
    store.record("s", [], _answer("patient diabétique"), "m")
    with store.engine.connect() as db:  # keep a connection open: the -wal and -shm files exist
        db.exec_driver_sql("SELECT 1").all()
        assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
        for name in ("coordo.sqlite3", "coordo.sqlite3-wal", "coordo.sqlite3-shm"):
            assert stat.S_IMODE(os.stat(data / name).st_mode) == 0o600, name


# -- configuration and errors ----------------------------------------------------------------------

def test_coordo_config_shows_the_database_url_with_the_password_hidden(monkeypatch):
    from click.testing import CliRunner

    from assistant.cli import main

    monkeypatch.setenv("COORDO_DATABASE_URL", "postgresql+psycopg://coordo:p@ss:w0rd@db.local:5432/coordo")
    result = CliRunner().invoke(main, ["config"])
    assert result.exit_code == 0
    assert "COORDO_DATABASE_URL=postgresql+psycopg://coordo:***@db.local:5432/coordo" in result.output
    assert "w0rd" not in result.output and "p@ss" not in result.output
    monkeypatch.setenv("COORDO_DATABASE_URL", "")
    assert "COORDO_DATABASE_URL=\n" in CliRunner().invoke(main, ["config"]).output


def _serve(tmp_path, url):
    import socket

    from click.testing import CliRunner

    from assistant.cli import main

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return CliRunner().invoke(main, ["serve", "--port", str(port), "--data-dir", str(tmp_path)],
                              env={"COORDO_DATABASE_URL": url})


def test_serve_with_postgresql_down_is_one_french_line_and_exit_7(tmp_path, postgres):
    from assistant.bench.postgres import free_port

    result = _serve(tmp_path, postgres.url(port=free_port()))
    assert result.exit_code == 7
    assert "Serveur PostgreSQL injoignable" in result.output and "COORDO_DATABASE_URL" in result.output
    assert "Traceback" not in result.output and postgres.url().split(":")[2].split("@")[0] not in result.output


def test_serve_with_wrong_credentials_is_one_french_line_and_exit_7(tmp_path, postgres):
    result = _serve(tmp_path, postgres.url(password="mauvais-secret"))
    assert result.exit_code == 7
    assert "refuse les identifiants" in result.output and "mauvais-secret" not in result.output
    assert "Traceback" not in result.output


def test_a_database_url_that_is_not_postgresql_is_refused(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="postgresql\\+psycopg://"):
        Store(tmp_path, database_url="mysql://u:p@localhost/db")


@pytest.fixture
def own_postgres():
    """A cluster of its own, for tests that stop and restart the server."""
    from assistant.bench.postgres import create_cluster, destroy_cluster

    cluster = create_cluster()
    yield cluster
    destroy_cluster(cluster)


def test_an_outage_while_serving_is_told_and_no_acknowledged_vote_is_lost(own_postgres):
    url = own_postgres.create_database()
    store = Store("unused", database_url=url, retry_s=0.5)
    acknowledged = store.record("s", [], _answer(), "m")
    assert store.set_feedback(acknowledged, "s", "down", "faux")
    own_postgres.stop("immediate")  # a crash: only what was committed survives
    with pytest.raises(DatabaseUnavailable, match="momentanément injoignable.*Réessayez"):
        store.set_feedback(acknowledged, "s", "up")
    with pytest.raises(DatabaseUnavailable):
        store.record("s", [], _answer("pendant la panne"), "m")
    own_postgres.start()
    e = store.by_public_id(acknowledged)  # the pool reconnects by itself
    assert (e.vote, e.feedback_comment) == ("down", "faux")
    assert store.count() == 1  # the refused exchange was not half-stored

    # a restart shorter than the retry window is waited out: the vote is recorded, not refused
    store.retry_s = 20.0
    own_postgres.stop("fast")
    restart = threading.Timer(1.0, own_postgres.start)
    restart.start()
    started = time.monotonic()
    assert store.set_feedback(acknowledged, "s", "up", "finalement juste")
    restart.join()
    assert time.monotonic() - started >= 0.9
    assert store.by_public_id(acknowledged).vote == "up"
    store.close()
