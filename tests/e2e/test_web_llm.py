"""The chat with the LLM engine in Chromium: the passages show at once, the answer streams in after."""

import time

import pytest

from assistant.bench.run import BROWSER_QUESTION
from assistant.web.service import ChatService
from assistant.web.server import free_port
from tests.e2e.conftest import shot, start_web
from tests.e2e.test_web_browser import BOT, record_timing

pytestmark = [pytest.mark.models, pytest.mark.llm, pytest.mark.browser]
QUESTION = BROWSER_QUESTION  # `coordo bench` asks it first, so that the two timings can be compared
SECOND_QUESTION = "Quel financement une ESP peut-elle obtenir ?"


@pytest.fixture(scope="module")
def llm_web(llm_coordo, tmp_path_factory):
    settings = llm_coordo.settings.with_(data_dir=tmp_path_factory.mktemp("web-llm") / "data", port=free_port())
    service = ChatService(settings, coordo=llm_coordo)
    server, thread = start_web(settings, service)  # warms the model up, as `coordo serve` does
    yield f"http://127.0.0.1:{settings.port}", service
    server.should_exit = True
    thread.join(timeout=10)


def _visible(page, condition: str) -> None:
    """Wait until ``condition`` (a JS expression on ``bot``, the last answer's text) holds; checked every 50 ms, not
    every frame, so that the probe does not take the CPU the server needs."""
    page.wait_for_function(f"() => {{ const bots = document.querySelectorAll(\"{BOT}\"); "
                           f"const bot = bots.length ? bots[bots.length - 1].innerText : ''; return {condition}; }}",
                           polling=50, timeout=120_000)


def test_passages_show_before_the_first_token_then_the_answer_streams(llm_web, page):
    base, service = llm_web
    page.goto(base)
    page.wait_for_selector("#coordo-question textarea")
    page.wait_for_timeout(1000)  # the page settles while the physician types: the clock starts at the send
    page.fill("#coordo-question textarea", QUESTION)
    # The timed question: no screenshot until the answer is complete. A screenshot takes the CPU the model
    # needs (two cores, shared with Chromium), and a physician's browser does not run on the server.
    t0 = time.perf_counter()
    page.click("#coordo-send")
    _visible(page, "bot.includes('Rédaction de la réponse') && "
                   "document.querySelector('#coordo-sources').innerText.includes('Passages trouvés')")
    passages = time.perf_counter() - t0
    _visible(page, "bot.includes('▍')")
    first_token = time.perf_counter() - t0
    page.wait_for_function("() => document.querySelector('#coordo-choose label')", polling=50, timeout=180_000)
    full = time.perf_counter() - t0
    answer = page.locator(BOT).last.inner_text()
    assert "287 500" in answer and "[1]" in answer and "septembre 2025" in answer
    shot(page, "11-llm-reponse")
    stored = service.store.exchanges()[0].answer  # where the model's time went, as `coordo bench` reports it
    # a benchmark figure, not an assertion: `coordo bench` asks the same question first and prints both
    record_timing("llm", {"question": QUESTION, "passages_visible_s": round(passages, 3),
                          "first_token_visible_s": round(first_token, 3), "full_answer_s": round(full, 3),
                          "server_timings_ms": stored["timings_ms"], "generation": stored["generation"]})
    assert passages < first_token < full

    # The same stages, for the screenshots: a second question, not timed
    page.fill("#coordo-question textarea", SECOND_QUESTION)
    page.click("#coordo-send")
    _visible(page, "bot.includes('Rédaction de la réponse')")  # the passages are there, no model text yet
    assert "Passages trouvés" in page.inner_text("#coordo-sources")
    shot(page, "09-llm-passages-avant-la-reponse")
    _visible(page, "bot.includes('▍')")
    shot(page, "10-llm-reponse-en-cours")
    _visible(page, "bot.length > 0 && !bot.includes('▍') && !bot.includes('Rédaction de la réponse')")
    assert "[1]" in page.locator(BOT).last.inner_text()
