"""How often one client may ask and vote: sliding windows per session and per network address.

A limit is written ``count/seconds``, several separated by commas (``"10/60,60/3600"``: 10 a minute and
60 an hour). The session limit catches one conversation gone wild; the address limit catches a script
that makes up a new session id for every call.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

from ..config import Settings
from ..errors import CoordoError

RATE_LIMIT_SETTINGS = ("ask_limit_session", "ask_limit_address", "feedback_limit_session", "feedback_limit_address")
MAX_KEYS = 100_000  # clients remembered at most; the oldest are forgotten first


class TooManyRequests(CoordoError):
    """A client over one of its limits; the message says when to try again."""

    exit_code = 2


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rates(text: str, setting: str) -> tuple[Rate, ...]:
    """``"10/60,60/3600"`` → two rates; empty or ``0`` → no limit.

    Raises:
        CoordoError: a malformed value (named by its ``COORDO_`` variable).
    """
    rates = []
    for part in filter(None, (p.strip() for p in str(text).split(","))):
        if part == "0":
            continue
        count, sep, seconds = part.partition("/")
        if not (sep and count.strip().isdigit() and seconds.strip().isdigit()) or int(seconds) <= 0 or int(count) <= 0:
            raise CoordoError(f"COORDO_{setting.upper()}={text!r} : attendu « nombre/secondes », plusieurs séparés "
                              "par des virgules (p. ex. 10/60,60/3600), ou 0 pour aucune limite.")
        rates.append(Rate(int(count), int(seconds)))
    return tuple(rates)


class RateLimiter:
    """Sliding windows per key; thread-safe. :meth:`hit` records a call only when every window allows it."""

    def __init__(self, rates: tuple[Rate, ...], clock: Callable[[], float] = time.monotonic):
        self.rates = rates
        self._longest = max((r.seconds for r in rates), default=0)
        self._clock = clock
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, record: bool = True) -> float:
        """0 if the call is allowed (and, with ``record``, counted), else the seconds to wait."""
        if not self.rates:
            return 0.0
        now = self._clock()
        with self._lock:
            calls = self._calls.pop(key, None) or deque()
            self._calls[key] = calls  # re-inserted: the dict stays ordered from least to most recently seen
            while calls and calls[0] <= now - self._longest:
                calls.popleft()
            wait = 0.0
            for rate in self.rates:
                recent = [t for t in calls if t > now - rate.seconds]
                if len(recent) >= rate.count:
                    wait = max(wait, recent[len(recent) - rate.count] + rate.seconds - now)
            if wait <= 0 and record:
                calls.append(now)
            while len(self._calls) > MAX_KEYS:
                del self._calls[next(iter(self._calls))]
            return max(wait, 0.0)


class ClientLimits:
    """The web API's limits on questions and votes, per session and per address."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic):
        def limiter(name: str) -> RateLimiter:
            return RateLimiter(parse_rates(getattr(settings, name), name), clock)

        self.questions = (limiter("ask_limit_session"), limiter("ask_limit_address"))
        self.votes = (limiter("feedback_limit_session"), limiter("feedback_limit_address"))
        self._lock = threading.Lock()

    def admit_question(self, session_id: str, address: str | None) -> None:
        """Raises :class:`TooManyRequests` when this session or this address asked too often."""
        self._admit(self.questions, session_id, address, "Trop de questions en peu de temps")

    def admit_feedback(self, session_id: str, address: str | None) -> None:
        self._admit(self.votes, session_id, address, "Trop d'avis envoyés en peu de temps")

    def _admit(self, limiters: tuple[RateLimiter, RateLimiter], session_id: str, address: str | None,
               what: str) -> None:
        by_session, by_address = limiters
        with self._lock:  # both checked, then both counted: a refused call uses up nothing
            wait = max(by_session.hit(session_id, record=False), by_address.hit(address, record=False) if address else 0)
            if not wait:
                by_session.hit(session_id)
                if address:
                    by_address.hit(address)
        if wait:
            raise TooManyRequests(f"{what} : réessayez dans {_delay(wait)}. Cette limite protège le service "
                                  "pour tous les médecins.")


def _delay(seconds: float) -> str:
    if seconds < 60:
        n = max(1, math.ceil(seconds))
        return f"{n} seconde{'s' if n > 1 else ''}"
    n = math.ceil(seconds / 60)
    return f"{n} minute{'s' if n > 1 else ''}"
