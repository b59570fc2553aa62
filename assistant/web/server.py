"""``coordo serve``: one FastAPI app with the chat at ``/`` and, with credentials set, the review desk at ``/revue``."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from ..config import Settings
from .service import ChatService

log = logging.getLogger(__name__)
REVIEW_PATH = "/revue"


def create_app(settings: Settings, service: ChatService | None = None):
    """The ASGI app; loads the index and the models first, so problems show at start.

    Returns:
        (app, review_enabled)
    """
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no calls home
    # Gradio's temporary files live under the data directory, emptied at each start (read before gradio loads)
    os.environ["GRADIO_TEMP_DIR"] = str(gradio_temp_dir(settings))
    headless_matplotlib()
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.responses import RedirectResponse

    from .auth import ReviewerAccounts
    from .chat_app import build_chat
    from .guard import WebGuard, quiet_gradio_tracebacks
    from .render import CSS
    from .review import ReviewDesk
    from .review_app import build_review

    accounts = ReviewerAccounts.from_settings(settings)  # a malformed setting fails before anything loads
    quiet_gradio_tracebacks()
    service = service or ChatService(settings)
    service.warm_up()
    app = FastAPI(title="Coordo", docs_url=None, redoc_url=None)
    store_location = service.store.location
    app.add_middleware(WebGuard, settings=settings, review_path=REVIEW_PATH, accounts=accounts)

    @app.get("/healthz")
    def healthz() -> dict:
        info = service.coordo.retriever.index.info
        return {"status": "ok", "passages": info.passages, "index_built_at": info.built_at, "engine": settings.engine}

    if accounts:
        desk = ReviewDesk(service.store, settings.review_cases, service.sheet_text, sheets=lambda: service.sheets)
        review = build_review(desk)
        review.queue(default_concurrency_limit=settings.web_concurrency)
        app = gr.mount_gradio_app(app, review, path=REVIEW_PATH, auth=accounts.gradio_auth, css=CSS, footer_links=[],
                                  auth_message="Bureau de revue de Coordo : réservé à l'équipe de support.",
                                  max_file_size=settings.max_request_bytes)

        @app.get(REVIEW_PATH, include_in_schema=False)
        def review_home() -> RedirectResponse:
            return RedirectResponse(REVIEW_PATH + "/")  # Gradio's logout lands here: the login page, not a 404

    chat = build_chat(service)
    chat.queue(default_concurrency_limit=settings.web_concurrency)
    app = gr.mount_gradio_app(app, chat, path="/", css=CSS, footer_links=[], max_file_size=settings.max_request_bytes)
    app.state.store_location = store_location  # where the exchanges are kept, without any password
    return app, bool(accounts)


def headless_matplotlib() -> None:
    """Set matplotlib's backend (agg) now, at start.

    Gradio switches matplotlib to agg and back around every event it processes. Left unset, the backend is
    found by importing pyplot: on the first question, in the server's event loop, so every visitor waited
    (0.2 s on two cores, before the question even reached Coordo). This server draws nothing on a screen.
    """
    try:
        import matplotlib
    except ImportError:  # not installed: Gradio skips the switch too
        return
    matplotlib.use("agg")


def gradio_temp_dir(settings: Settings) -> Path:
    """``DATA_DIR/gradio-tmp``, emptied: nothing a previous run (or a visitor) left there survives a restart."""
    directory = Path(settings.data_dir) / "gradio-tmp"
    if directory.is_symlink() or directory.is_file():
        directory.unlink()
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, mode=0o700)
    return directory


def free_port(host: str = "127.0.0.1") -> int:
    """A port the system has free right now on ``host`` (for servers started on loopback)."""
    import socket

    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def check_port(host: str, port: int) -> None:
    """Fail before loading anything when the address is taken or invalid."""
    import socket

    from ..errors import CoordoError

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise CoordoError(
            f"Impossible d'écouter sur {host}:{port} ({exc.strerror}) : le port est peut-être déjà utilisé ; "
            "choisissez-en un autre avec --port."
        ) from exc


def run(app, settings: Settings) -> None:
    import uvicorn

    # access_log off: URLs are harmless, but nothing about a question belongs in plain logs
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", access_log=False)
