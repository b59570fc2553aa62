"""The review desk's accounts: passwords (plain or hashed), their minimum length, and login throttling.

A password in ``COORDO_REVIEWERS`` may be given as a hash made by ``coordo hash-password``:
``pbkdf2_sha256$<iterations>$<salt>$<hash>`` (PBKDF2-HMAC-SHA256, salt and hash in URL-safe base64),
so the environment need not hold the password itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable

from ..config import Settings
from ..errors import CoordoError

HASH_SCHEME = "pbkdf2_sha256"
HASH_ITERATIONS = 600_000


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, iterations: int = HASH_ITERATIONS) -> str:
    """A salted PBKDF2 hash of ``password``, to put in ``COORDO_REVIEWERS`` instead of the password."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{HASH_SCHEME}${iterations}${_b64(salt)}${_b64(digest)}"


def is_hash(secret: str) -> bool:
    return secret.startswith(HASH_SCHEME + "$")


def verify_password(password: str, secret: str) -> bool:
    """``password`` against a plain password or a :func:`hash_password` hash, in constant time."""
    try:
        candidate = password.encode("utf-8")
    except UnicodeEncodeError:
        return False
    if not is_hash(secret):
        return hmac.compare_digest(candidate, secret.encode("utf-8"))
    _, iterations, salt, digest = secret.split("$")
    computed = hashlib.pbkdf2_hmac("sha256", candidate, _unb64(salt), int(iterations))
    return hmac.compare_digest(computed, _unb64(digest))


class ReviewerAccounts:
    """The desk's accounts from ``COORDO_REVIEWERS``, checked at start."""

    def __init__(self, pairs: list[tuple[str, str]], min_password_chars: int):
        for name, secret in pairs:
            if is_hash(secret):
                parts = secret.split("$")
                try:
                    ok = len(parts) == 4 and int(parts[1]) > 0 and _unb64(parts[2]) and len(_unb64(parts[3])) == 32
                except ValueError:
                    ok = False
                if not ok:
                    raise CoordoError(f"COORDO_REVIEWERS : le hash du compte « {name} » est illisible ; "
                                      "refaites-le avec `coordo hash-password`.")
            elif len(secret) < min_password_chars:
                raise CoordoError(
                    f"COORDO_REVIEWERS : le mot de passe du compte « {name} » est trop court ({len(secret)} "
                    f"caractères, minimum {min_password_chars}, COORDO_REVIEWER_MIN_PASSWORD_CHARS). "
                    "Choisissez-en un plus long, ou donnez un hash fait par `coordo hash-password`."
                )
        self._secrets = dict(pairs)

    @classmethod
    def from_settings(cls, settings: Settings) -> "ReviewerAccounts":
        return cls(settings.reviewer_credentials(), settings.reviewer_min_password_chars)

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def names(self) -> frozenset[str]:
        return frozenset(self._secrets)

    def check(self, username: str, password: str) -> bool:
        secret = self._secrets.get(username)
        return verify_password(password, secret) if secret is not None else False

    async def gradio_auth(self, username: str, password: str) -> bool:
        """Gradio's ``auth`` callable; a hash takes a fraction of a second, so it is checked off the event loop."""
        import anyio

        return await anyio.to_thread.run_sync(self.check, username, password)


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int  # per account and per address within the window
    window_s: float
    lockout_s: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "LoginPolicy":
        return cls(settings.login_max_failures, settings.login_window_s, settings.login_lockout_s)


class LoginThrottle:
    """Login attempts per account and per address; too many failures in the window lock that key for a while.

    An attempt counts as a failure from the moment it starts (:meth:`attempt`) and is forgiven when it
    succeeds, so thirty attempts sent at once are stopped after the first few, not after they all ran.
    """

    def __init__(self, policy: LoginPolicy, clock: Callable[[], float] = time.monotonic):
        self.policy = policy
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait_s(self, *keys: str) -> float:
        """Seconds before any of ``keys`` may try again (0: allowed now)."""
        now = self._clock()
        with self._lock:
            return max([self._locked_until.get(k, now) - now for k in keys] + [0.0])

    def attempt(self, *keys: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) + len(self._locked_until) > 100_000:  # bounded memory under made-up names
                self._failures.clear()
                self._locked_until = {k: t for k, t in self._locked_until.items() if t > now}
            for key in keys:
                recent = [t for t in self._failures.get(key, []) if t > now - self.policy.window_s] + [now]
                self._failures[key] = recent
                if len(recent) >= self.policy.max_failures:
                    self._locked_until[key] = now + self.policy.lockout_s
                    self._failures[key] = []

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
                self._locked_until.pop(key, None)


def minutes(seconds: float) -> str:
    n = max(1, math.ceil(seconds / 60))
    return f"{n} minute{'s' if n > 1 else ''}"
