"""What the web app keeps: every exchange (question → answer), the physicians' feedback and the reviews.

SQLAlchemy Core over the embedded SQLite file (WAL, ``synchronous=FULL``) or a PostgreSQL server shared
by several web workers (``COORDO_DATABASE_URL``); the schema comes from the Alembic migrations in
``migrations/``. Every write is committed before the call returns, so what a page acknowledged survives
a crash. Pages and API callers name an exchange by a random public id, never by the row counter.
Questions may hold patient details: exchanges older than the retention period are deleted
(:meth:`Store.purge`), and nothing here logs a question.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..errors import DatabaseUnavailable
from ..schema import Answer, Turn
from . import database
from .database import DB_FILE  # noqa: F401  (re-exported: where the embedded database lives)

log = logging.getLogger(__name__)
VOTES = ("up", "down")
VERDICTS = {"correct": "correcte", "incorrect": "incorrecte", "missing_source": "source manquante"}
RETRY_S = 5.0  # a short outage (a server restart) is waited out for this long before the page is told
T = TypeVar("T")

metadata = sa.MetaData()
exchanges_table = sa.Table(
    "exchanges", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("public_id", sa.Text),
    sa.Column("session_id", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("history", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("abstained", sa.Integer, nullable=False),
    sa.Column("engine", sa.Text, nullable=False),
    sa.Column("model", sa.Text, nullable=False),
)
feedback_table = sa.Table(
    "feedback", metadata,
    sa.Column("exchange_id", sa.Integer, sa.ForeignKey("exchanges.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("vote", sa.Text, nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
)
reviews_table = sa.Table(
    "reviews", metadata,
    sa.Column("exchange_id", sa.Integer, sa.ForeignKey("exchanges.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("verdict", sa.Text, nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("case_id", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Exchange:
    """One question and its answer as stored, with the feedback and the review it received."""

    id: int  # the row number: for the review desk only
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
    public_id: str = ""  # what the page and the API know the exchange by


class Store:
    """The web app's database; safe to share between threads and between worker processes.

    Args:
        data_dir: where the embedded SQLite file lives (when ``database_url`` is empty).
        retention_days: exchanges older than this are deleted by :meth:`purge`.
        database_url: empty, or ``postgresql+psycopg://user:password@host:port/db``.

    Raises:
        DatabaseUnavailable: the database cannot be reached or refuses the credentials (one French line).
    """

    def __init__(self, data_dir: Path, retention_days: int = 90, database_url: str = "", retry_s: float = RETRY_S):
        if retention_days < 1:
            raise ValueError("retention_days must be at least 1")
        self.retention_days = retention_days
        self.url = database_url
        self.data_dir = Path(data_dir)
        self.retry_s = retry_s
        self.engine = database.open_engine(database_url, self.data_dir)
        self.path = self.data_dir / DB_FILE if not database_url else None
        try:
            self.revision = database.migrate(self.engine)
        except sa.exc.DBAPIError as exc:
            self.engine.dispose()
            raise database.unavailable(exc, database_url, self.data_dir, at_start=True) from None

    @classmethod
    def from_settings(cls, settings) -> "Store":
        return cls(settings.data_dir, settings.retention_days, settings.database_url)

    @property
    def location(self) -> str:
        """Where the exchanges are kept, without the password."""
        return database.describe(self.url, self.data_dir)

    def close(self) -> None:
        self.engine.dispose()

    def _write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one transaction, committed before returning; a short outage is retried.

        Every write here is idempotent (upserts, an insert keyed by its public id), so running it again after
        a connection lost during the commit cannot store anything twice.
        """
        deadline = time.monotonic() + self.retry_s
        pause = 0.1
        while True:
            try:
                with self.engine.begin() as connection:
                    return work(connection)
            except (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError) as exc:
                if time.monotonic() + pause > deadline:
                    log.warning("Database unavailable (%s); the caller is told", type(getattr(exc, "orig", exc)).__name__)
                    raise database.unavailable(exc, self.url, self.data_dir, at_start=False) from None
                time.sleep(pause)
                pause = min(pause * 2, 1.0)

    _read = _write

    # -- chat side -------------------------------------------------------------------------------

    def record(self, session_id: str, history: list[Turn] | tuple[Turn, ...], answer: Answer, model: str,
               at: datetime | None = None) -> str:
        """Store one answered question; returns its public id (given to the page, for feedback)."""
        public_id = secrets.token_hex(16)
        row = {
            "public_id": public_id,
            "session_id": session_id,
            "created_at": _stamp(at or now_utc()),
            "question": answer.question,
            "history": json.dumps([{"role": t.role, "content": t.content} for t in history], ensure_ascii=False),
            "answer": json.dumps(answer.to_dict(), ensure_ascii=False),
            "abstained": int(answer.abstained),
            "engine": answer.engine,
            "model": model,
        }

        def work(db: Connection) -> None:
            insert = self._insert(exchanges_table).values(**row).on_conflict_do_nothing(index_elements=["public_id"])
            db.execute(insert)

        self._write(work)
        return public_id

    def set_feedback(self, public_id: str, session_id: str, vote: str, comment: str = "") -> bool:
        """Record 👍/👎 (and a comment) on an exchange of this session; False if it is not this session's."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}")
        e = exchanges_table
        source = sa.select(
            e.c.id, sa.literal(vote, sa.Text), sa.literal(comment.strip(), sa.Text), sa.literal(_stamp(now_utc()), sa.Text)
        ).where(e.c.public_id == public_id, e.c.session_id == session_id)
        insert = self._insert(feedback_table).from_select(["exchange_id", "vote", "comment", "updated_at"], source)
        upsert = insert.on_conflict_do_update(
            index_elements=["exchange_id"],
            set_={"vote": insert.excluded.vote, "comment": insert.excluded.comment,
                  "updated_at": insert.excluded.updated_at},
        ).returning(feedback_table.c.exchange_id)
        return bool(self._write(lambda db: db.execute(upsert).all()))

    def clear_feedback(self, public_id: str, session_id: str) -> bool:
        """Withdraw this session's vote; False (and nothing touched) if the exchange is not this session's."""
        owned = sa.select(exchanges_table.c.id).where(
            exchanges_table.c.public_id == public_id, exchanges_table.c.session_id == session_id
        )

        def work(db: Connection) -> bool:
            exchange_id = db.execute(owned).scalar()
            if exchange_id is None:
                return False
            db.execute(feedback_table.delete().where(feedback_table.c.exchange_id == exchange_id))
            return True

        return self._write(work)

    # -- review side -----------------------------------------------------------------------------

    def review(self, exchange_id: int, verdict: str, comment: str, reviewer: str, case_id: str = "") -> None:
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {tuple(VERDICTS)}")
        insert = self._insert(reviews_table).values(
            exchange_id=exchange_id, verdict=verdict, comment=comment.strip(), reviewer=reviewer, case_id=case_id,
            updated_at=_stamp(now_utc()),
        )
        upsert = insert.on_conflict_do_update(
            index_elements=["exchange_id"],
            set_={
                "verdict": insert.excluded.verdict, "comment": insert.excluded.comment,
                "reviewer": insert.excluded.reviewer, "updated_at": insert.excluded.updated_at,
                "case_id": sa.case((insert.excluded.case_id != "", insert.excluded.case_id),
                                   else_=reviews_table.c.case_id),
            },
        )
        self._write(lambda db: db.execute(upsert))

    def exchanges(self, *, disliked: bool = False, refused: bool = False, since: str = "", until: str = "",
                  limit: int = 500, offset: int = 0) -> list[Exchange]:
        """Newest first; ``since``/``until`` are dates (YYYY-MM-DD, inclusive, UTC); ``offset`` pages on."""
        query = _SELECT.where(*_filters(disliked, refused, since, until))
        query = query.order_by(exchanges_table.c.id.desc()).limit(limit).offset(offset)
        return self._read(lambda db: [_exchange(r) for r in db.execute(query).mappings()])

    def count(self, *, disliked: bool = False, refused: bool = False, since: str = "", until: str = "") -> int:
        """How many exchanges match these filters (all of them, not one page)."""
        query = sa.select(sa.func.count()).select_from(_JOINED).where(*_filters(disliked, refused, since, until))
        return self._read(lambda db: int(db.execute(query).scalar_one()))

    def get(self, exchange_id: int) -> Exchange | None:
        """An exchange by its row number (the review desk's « N° »)."""
        return self._one(exchanges_table.c.id == exchange_id)

    def by_public_id(self, public_id: str) -> Exchange | None:
        return self._one(exchanges_table.c.public_id == public_id)

    def session_exchanges(self, session_id: str) -> list[Exchange]:
        query = _SELECT.where(exchanges_table.c.session_id == session_id).order_by(exchanges_table.c.id)
        return self._read(lambda db: [_exchange(r) for r in db.execute(query).mappings()])

    def _one(self, condition) -> Exchange | None:
        row = self._read(lambda db: db.execute(_SELECT.where(condition)).mappings().first())
        return _exchange(row) if row else None

    # -- retention -------------------------------------------------------------------------------

    def purge(self, now: datetime | None = None) -> int:
        """Delete the exchanges (and their feedback and reviews) older than the retention period.

        On PostgreSQL one worker purges at a time (an advisory lock); the others return 0 at once.
        """
        cutoff = _stamp((now or now_utc()) - timedelta(days=self.retention_days))

        def work(db: Connection) -> int:
            if self.engine.dialect.name == "postgresql":
                locked = db.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": database.PURGE_LOCK})
                if not locked.scalar():
                    return 0
            return db.execute(exchanges_table.delete().where(exchanges_table.c.created_at < cutoff)).rowcount

        return self._write(work)

    def _insert(self, table: sa.Table):
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table)


def _next_day(day: str) -> str:
    return (datetime.strptime(day, "%Y-%m-%d") + timedelta(days=1)).strftime("%Y-%m-%d")


def _filters(disliked: bool, refused: bool, since: str, until: str) -> list:
    where = []
    if disliked:
        where.append(feedback_table.c.vote == "down")
    if refused:
        where.append(exchanges_table.c.abstained == 1)
    if since:
        where.append(exchanges_table.c.created_at >= since)
    if until:
        where.append(exchanges_table.c.created_at < _next_day(until))
    return where


_JOINED = exchanges_table.outerjoin(feedback_table, feedback_table.c.exchange_id == exchanges_table.c.id).outerjoin(
    reviews_table, reviews_table.c.exchange_id == exchanges_table.c.id
)
_SELECT = sa.select(
    exchanges_table,
    sa.func.coalesce(feedback_table.c.vote, "").label("vote"),
    sa.func.coalesce(feedback_table.c.comment, "").label("feedback_comment"),
    sa.func.coalesce(reviews_table.c.verdict, "").label("verdict"),
    sa.func.coalesce(reviews_table.c.comment, "").label("review_comment"),
    sa.func.coalesce(reviews_table.c.reviewer, "").label("reviewer"),
    sa.func.coalesce(reviews_table.c.case_id, "").label("case_id"),
).select_from(_JOINED)


def _exchange(row) -> Exchange:
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
        public_id=row["public_id"] or "",
    )
