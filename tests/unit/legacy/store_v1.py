"""The web store exactly as it was before SQLAlchemy and Alembic (verbatim copy): it makes the "old database" that
the migration tests upgrade. Do not edit: it stands for databases already in the field."""


from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

from assistant.schema import Answer, Turn

DB_FILE = "coordo.sqlite3"
VOTES = ("up", "down")
VERDICTS = {"correct": "correcte", "incorrect": "incorrecte", "missing_source": "source manquante"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS exchanges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    history TEXT NOT NULL,
    answer TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    engine TEXT NOT NULL,
    model TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS exchanges_created ON exchanges(created_at);
CREATE INDEX IF NOT EXISTS exchanges_session ON exchanges(session_id);
CREATE TABLE IF NOT EXISTS feedback (
    exchange_id INTEGER PRIMARY KEY REFERENCES exchanges(id) ON DELETE CASCADE,
    vote TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reviews (
    exchange_id INTEGER PRIMARY KEY REFERENCES exchanges(id) ON DELETE CASCADE,
    verdict TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    reviewer TEXT NOT NULL,
    case_id TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
"""


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Exchange:
    """One question and its answer as stored, with the feedback and the review it received."""

    id: int
    session_id: str
    created_at: str
    question: str
    history: tuple[Turn, ...]
    answer: dict  # Answer.to_dict()
    abstained: bool
    engine: str
    model: str
    vote: str = ""
    feedback_comment: str = ""
    verdict: str = ""
    review_comment: str = ""
    reviewer: str = ""
    case_id: str = ""


class Store:
    """The web app's SQLite database; safe to share between threads (one connection per call)."""

    def __init__(self, data_dir: Path, retention_days: int = 90):
        if retention_days < 1:
            raise ValueError("retention_days must be at least 1")
        self.path = Path(data_dir) / DB_FILE
        self.retention_days = retention_days
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            yield db
        finally:
            db.close()

    # -- chat side -------------------------------------------------------------------------------

    def record(self, session_id: str, history: list[Turn] | tuple[Turn, ...], answer: Answer, model: str,
               at: datetime | None = None) -> int:
        """Store one answered question; returns its id (given to the page, for feedback)."""
        row = (
            session_id,
            _stamp(at or now_utc()),
            answer.question,
            json.dumps([{"role": t.role, "content": t.content} for t in history], ensure_ascii=False),
            json.dumps(answer.to_dict(), ensure_ascii=False),
            int(answer.abstained),
            answer.engine,
            model,
        )
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO exchanges (session_id, created_at, question, history, answer, abstained, engine, model)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid)

    def set_feedback(self, exchange_id: int, session_id: str, vote: str, comment: str = "") -> bool:
        """Record 👍/👎 (and a comment) on an exchange of this session; False if it is not this session's."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}")
        with self._connect() as db:
            owned = db.execute(
                "SELECT 1 FROM exchanges WHERE id = ? AND session_id = ?", (exchange_id, session_id)
            ).fetchone()
            if not owned:
                return False
            db.execute(
                "INSERT INTO feedback (exchange_id, vote, comment, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(exchange_id) DO UPDATE SET vote = excluded.vote, comment = excluded.comment,"
                " updated_at = excluded.updated_at",
                (exchange_id, vote, comment.strip(), _stamp(now_utc())),
            )
        return True

    def clear_feedback(self, exchange_id: int, session_id: str) -> None:
        with self._connect() as db:
            db.execute(
                "DELETE FROM feedback WHERE exchange_id = (SELECT id FROM exchanges WHERE id = ? AND session_id = ?)",
                (exchange_id, session_id),
            )

    # -- review side -----------------------------------------------------------------------------

    def review(self, exchange_id: int, verdict: str, comment: str, reviewer: str, case_id: str = "") -> None:
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {tuple(VERDICTS)}")
        with self._connect() as db:
            db.execute(
                "INSERT INTO reviews (exchange_id, verdict, comment, reviewer, case_id, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(exchange_id) DO UPDATE SET verdict = excluded.verdict,"
                " comment = excluded.comment, reviewer = excluded.reviewer,"
                " case_id = CASE WHEN excluded.case_id != '' THEN excluded.case_id ELSE reviews.case_id END,"
                " updated_at = excluded.updated_at",
                (exchange_id, verdict, comment.strip(), reviewer, case_id, _stamp(now_utc())),
            )

    def exchanges(self, *, disliked: bool = False, refused: bool = False, since: str = "", until: str = "",
                  limit: int = 500) -> list[Exchange]:
        """Newest first; ``since``/``until`` are dates (YYYY-MM-DD, inclusive, UTC)."""
        where, params = [], []
        if disliked:
            where.append("f.vote = 'down'")
        if refused:
            where.append("e.abstained = 1")
        if since:
            where.append("e.created_at >= ?")
            params.append(since)
        if until:
            where.append("e.created_at < ?")
            params.append(_next_day(until))
        sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY e.id DESC LIMIT ?"
        with self._connect() as db:
            return [_exchange(r) for r in db.execute(sql, (*params, limit))]

    def get(self, exchange_id: int) -> Exchange | None:
        with self._connect() as db:
            row = db.execute(_SELECT + " WHERE e.id = ?", (exchange_id,)).fetchone()
        return _exchange(row) if row else None

    def session_exchanges(self, session_id: str) -> list[Exchange]:
        with self._connect() as db:
            return [_exchange(r) for r in db.execute(_SELECT + " WHERE e.session_id = ? ORDER BY e.id", (session_id,))]

    # -- retention -------------------------------------------------------------------------------

    def purge(self, now: datetime | None = None) -> int:
        """Delete the exchanges (and their feedback and reviews) older than the retention period."""
        cutoff = _stamp((now or now_utc()) - timedelta(days=self.retention_days))
        with self._connect() as db:
            return db.execute("DELETE FROM exchanges WHERE created_at < ?", (cutoff,)).rowcount


def _next_day(day: str) -> str:
    return (datetime.strptime(day, "%Y-%m-%d") + timedelta(days=1)).strftime("%Y-%m-%d")


_SELECT = (
    "SELECT e.*, COALESCE(f.vote, '') AS vote, COALESCE(f.comment, '') AS feedback_comment,"
    " COALESCE(r.verdict, '') AS verdict, COALESCE(r.comment, '') AS review_comment,"
    " COALESCE(r.reviewer, '') AS reviewer, COALESCE(r.case_id, '') AS case_id"
    " FROM exchanges e LEFT JOIN feedback f ON f.exchange_id = e.id LEFT JOIN reviews r ON r.exchange_id = e.id"
)


def _exchange(row: sqlite3.Row) -> Exchange:
    return Exchange(
        id=row["id"],
        session_id=row["session_id"],
        created_at=row["created_at"],
        question=row["question"],
        history=tuple(Turn(t["role"], t["content"]) for t in json.loads(row["history"])),
        answer=json.loads(row["answer"]),
        abstained=bool(row["abstained"]),
        engine=row["engine"],
        model=row["model"],
        vote=row["vote"],
        feedback_comment=row["feedback_comment"],
        verdict=row["verdict"],
        review_comment=row["review_comment"],
        reviewer=row["reviewer"],
        case_id=row["case_id"],
    )
