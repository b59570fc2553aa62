"""The chat behind the web pages, without any UI: answer, stream, store, take feedback.

One :class:`ChatService` per process: the index, the embedding model and the answer engine (the LLM
included) are loaded once and shared by every visitor. Each visitor has a session id; the store
links every exchange and every vote to it, so nobody can vote on, or read, another's conversation.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Iterator, Sequence

from ..config import Settings
from ..errors import CoordoError
from ..pipeline import Coordo, validate_question
from ..schema import Answer, Searched, SheetMeta, Turn
from .limits import ClientLimits
from .store import Store
from .validation import FieldLimits

log = logging.getLogger(__name__)
PURGE_EVERY_S = 3600.0


@dataclass(frozen=True)
class Reply:
    """The end of one streamed answer: the stored exchange's id and the answer itself."""

    exchange_id: str  # the stored exchange's public id: random, reveals nothing about other exchanges
    answer: Answer


@dataclass(frozen=True)
class Failure:
    """A question that got no answer, with the French message to show instead."""

    message: str


class ChatService:
    def __init__(self, settings: Settings, *, coordo: Coordo | None = None, store: Store | None = None):
        self.settings = settings
        self.coordo = coordo or Coordo(settings)
        self.store = store or Store.from_settings(settings)
        self._reload_lock = threading.Lock()
        self._last_purge = 0.0
        self.limits = ClientLimits(settings)  # per-client rates on questions and votes (web API and pages)
        self.fields = FieldLimits.from_settings(settings)

    def warm_up(self) -> None:
        """Load the index, the models and the engine now, and warm the LLM (clear errors at start, and no
        wait at the first question)."""
        self.coordo.warm_up()
        self.purge()

    @property
    def model_label(self) -> str:
        backend = getattr(self.coordo.engine, "backend", None)
        if backend is not None:
            return backend.label
        return f"sans modèle génératif ; embeddings {self.coordo.retriever.index.info.embedding.label()}"

    @property
    def sheets(self) -> dict[str, SheetMeta]:
        return self.coordo.retriever.index.sheets

    def sheet_text(self, sheet_id: str) -> str:
        return self.coordo.retriever.index.sheet_text(sheet_id)

    def passage_counts(self) -> dict[str, int]:
        return {k: v["passages"] for k, v in self.coordo.retriever.index.info.sheets.items()}

    def stream(self, session_id: str, question: str, history: Sequence[Turn] = ()) -> Iterator[Searched | str | Reply | Failure]:
        """What retrieval found, the answer's text pieces, then a :class:`Reply` (or a :class:`Failure`)."""
        try:
            validate_question(question, self.settings.max_question_chars)
        except CoordoError as exc:
            yield Failure(str(exc))
            return
        self._maybe_reload()
        try:
            for event in self.coordo.stream(question, history):
                if isinstance(event, Answer):
                    exchange_id = self.store.record(session_id, list(history), event, self.model_label)
                    yield Reply(exchange_id, event)
                else:
                    yield event
        except CoordoError as exc:
            log.error("Question not answered: %s", type(exc).__name__)  # never the question itself
            yield Failure(f"Erreur : {exc}")
        except Exception as exc:
            # where it failed, without the exception's message: that may quote the question
            log.error("Unexpected %s while answering (question not logged):\n%s", type(exc).__name__,
                      "".join(traceback.format_tb(exc.__traceback__)))
            yield Failure("Erreur inattendue : la question n'a pas pu être traitée. Réessayez dans un instant.")
        self.purge()

    def ask(self, session_id: str, question: str, history: Sequence[Turn] = ()) -> Reply | Failure:
        last: Reply | Failure | None = None
        for event in self.stream(session_id, question, history):
            if isinstance(event, (Reply, Failure)):
                last = event
        assert last is not None
        return last

    def feedback(self, session_id: str, exchange_id: str, vote: str | None, comment: str = "") -> bool:
        """👍 ("up"), 👎 ("down") or None to withdraw; only on this session's own exchanges.

        Returns:
            True once the vote (or its withdrawal) is committed; False when the exchange is not this session's.

        Raises:
            DatabaseUnavailable: the database could not be reached; nothing was recorded (say so to the physician).
        """
        if vote is None:
            return self.store.clear_feedback(exchange_id, session_id)
        return self.store.set_feedback(exchange_id, session_id, vote, comment)

    def purge(self) -> int:
        if time.monotonic() - self._last_purge < PURGE_EVERY_S and self._last_purge:
            return 0
        self._last_purge = time.monotonic()
        try:
            removed = self.store.purge()
        except CoordoError:
            log.warning("Retention purge skipped: database unavailable; retried in an hour")
            return 0
        if removed:
            log.info("Retention: %d exchange(s) older than %d days deleted", removed, self.store.retention_days)
        return removed

    def _maybe_reload(self) -> None:
        if not self._reload_lock.acquire(blocking=False):
            return  # another request is already loading the new index; this one uses the current one
        try:
            self.coordo.reload_if_rebuilt()
        except CoordoError as exc:
            log.warning("A new index could not be loaded; the current one stays in use: %s", exc)
        finally:
            self._reload_lock.release()
