"""The web app's door: checks every HTTP request before Gradio sees it.

- a request body over ``max_request_bytes`` is refused (413) before it is read into memory;
- file uploads are refused (403): the app has no upload component, so nobody needs them;
- the review desk answers no request sent by a page of another origin (403), so a page served on
  another local port cannot use a reviewer's cookie (cookies ignore the port);
- review-desk logins are throttled per account and per address, and failures are logged with the
  account name (only when it is one of the configured accounts) and the address, never the password.

Nothing the client sent is ever written to a log line here.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from urllib.parse import urlsplit

from ..config import Settings
from .auth import LoginPolicy, LoginThrottle, ReviewerAccounts, minutes

log = logging.getLogger(__name__)
REFUSED_ROUTES = ("/gradio_api/upload", "/gradio_api/process_recording")  # Gradio's file-writing routes
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _json(status: int, message: str, extra_headers: list[tuple[bytes, bytes]] = ()):
    body = json.dumps({"detail": message, "error": message}, ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode()),
               *extra_headers]

    async def respond(send) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return respond


def _replay(body: bytes, receive):
    delivered = False

    async def replayed():
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # then the client's disconnect, as the app expects

    return replayed


class WebGuard:
    """ASGI middleware around the whole app (chat, desk, API)."""

    def __init__(self, app, settings: Settings, review_path: str, accounts: ReviewerAccounts | None):
        self.app = app
        self.max_bytes = settings.max_request_bytes
        self.review_path = review_path.rstrip("/")
        self.accounts = accounts
        self.throttle = LoginThrottle(LoginPolicy.from_settings(settings))

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if path.rstrip("/").endswith(REFUSED_ROUTES):
            await _json(403, "L'envoi de fichiers n'est pas possible sur Coordo.")(send)
            return
        in_desk = path == self.review_path or path.startswith(self.review_path + "/")
        if in_desk and not _same_origin(headers):
            await _json(403, "Le bureau de revue ne répond qu'à ses propres pages.")(send)
            return
        declared = headers.get("content-length", "")
        if declared and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _json(413, _too_big(self.max_bytes), [(b"connection", b"close")])(send)
            return
        login = in_desk and method == "POST" and path.rstrip("/") == self.review_path + "/login"
        if not login and (declared or method not in _BODY_METHODS):
            await self.app(scope, receive, send)  # a declared length within the limit: the server enforces it
            return
        body = await self._read_body(receive)
        if body is None:
            await _json(413, _too_big(self.max_bytes), [(b"connection", b"close")])(send)
            return
        if login:
            await self._login(scope, body, receive, send)
        else:
            await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, receive) -> bytes | None:
        """The whole body of a request sent without a length, or None as soon as it passes the limit."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _login(self, scope, body: bytes, receive, send) -> None:
        address = (scope.get("client") or ("?", 0))[0]
        username = await _form_username(scope, body)
        keys = [f"address:{address}"] + ([f"account:{username}"] if username else [])
        wait = self.throttle.wait_s(*keys)
        if wait > 0:
            log.warning("Review desk login refused while locked out: %s from %s", self._account(username), address)
            await _json(429, f"Trop d'échecs de connexion : réessayez dans {minutes(wait)}.")(send)
            return
        self.throttle.attempt(*keys)  # counted as failed until it succeeds: parallel guesses are stopped too
        status = 0

        async def watch(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, _replay(body, receive), watch)
        if status == 200:
            self.throttle.succeeded(*keys)
        else:
            log.warning("Failed review desk login: %s from %s", self._account(username), address)

    def _account(self, username: str | None) -> str:
        """The account name when it is a configured one; what else a client typed never reaches the log."""
        if self.accounts and username in self.accounts.names():
            return f"account {username!r}"
        return "an unknown account"


async def _form_username(scope, body: bytes) -> str | None:
    from starlette.requests import Request

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(dict(scope), receive).form(max_files=0, max_fields=10)
        value = form.get("username")
    except Exception:  # a malformed form: Gradio refuses it too; the address is still counted
        return None
    return value.strip()[:200] if isinstance(value, str) else None


class _TracebackWithoutMessages:
    """Stands for the ``traceback`` module inside ``gradio.queueing``.

    Gradio prints the traceback of every failed event, and its messages quote the inputs (« Value: … is not
    in the list of choices », « Received inputs: [...] »): a script calling the page's events with made-up
    values would write them to the server's output. This logs where it failed and the exception's type only.
    """

    def __getattr__(self, name):
        return getattr(traceback, name)

    @staticmethod
    def print_exc(*args, **kwargs) -> None:
        kind, exc, tb = sys.exc_info()
        log.error("A web event failed: %s (its message is not logged: it may quote what the client sent)\n%s",
                  getattr(kind, "__name__", "?"), "".join(traceback.format_tb(tb)))


def quiet_gradio_tracebacks() -> None:
    """Route Gradio's printed tracebacks of failed events through :class:`_TracebackWithoutMessages`."""
    import gradio.queueing

    gradio.queueing.traceback = _TracebackWithoutMessages()


def _same_origin(headers: dict[str, str]) -> bool:
    """True when the request carries no Origin (not a cross-origin read) or its own host and port."""
    origin = headers.get("origin")
    if origin is None:
        return True
    host = headers.get("host", "").lower()
    return bool(host) and origin != "null" and urlsplit(origin.lower()).netloc == host


def _too_big(limit: int) -> str:
    return (f"Requête trop volumineuse (plus de {limit // 1000} ko) : raccourcissez la question, l'historique ou "
            "le commentaire.")
