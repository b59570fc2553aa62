"""The chat with the LLM engine in Chromium: the passages show at once, the answer streams in after."""

import time

import pytest

from assistant.web.service import ChatService
from assistant.web.server import free_port
from tests.e2e.conftest import shot, start_web
from tests.e2e.test_web_browser import BOT, record_timing

pytestmark = [pytest.mark.models, pytest.mark.llm, pytest.mark.browser]
QUESTION = "Combien une CPTS peut-elle percevoir au titre de l'ACI ?"


@pytest.fixture(scope="module")
def llm_web(llm_coordo, tmp_path_factory):
    settings = llm_coordo.settings.with_(data_dir=tmp_path_factory.mktemp("web-llm") / "data", port=free_port())
    service = ChatService(settings, coordo=llm_coordo)
    server, thread = start_web(settings, service)  # warms the model up, as `coordo serve` does
    yield f"http://127.0.0.1:{settings.port}", service
    server.should_exit = True
    thread.join(timeout=10)


def test_passages_show_before_the_first_token_then_the_answer_streams(llm_web, page):
    base, service = llm_web
    page.goto(base)
    page.fill("#coordo-question textarea", QUESTION)
    t0 = time.perf_counter()
    page.click("#coordo-send")
    page.get_by_text("Passages trouvés").wait_for(timeout=30_000)
    passages = time.perf_counter() - t0
    assert "Rédaction de la réponse" in page.locator(BOT).last.inner_text()  # no model text yet
    shot(page, "09-llm-passages-avant-la-reponse")
    page.wait_for_function(f"() => document.querySelector(\"{BOT}:last-of-type\") && "
                           f"[...document.querySelectorAll(\"{BOT}\")].pop().innerText.includes('▍')", timeout=120_000)
    first_token = time.perf_counter() - t0
    shot(page, "10-llm-reponse-en-cours")
    page.locator("#coordo-choose label").first.wait_for(timeout=180_000)
    full = time.perf_counter() - t0
    answer = page.locator(BOT).last.inner_text()
    assert "287 500" in answer and "[1]" in answer and "septembre 2025" in answer
    shot(page, "11-llm-reponse")
    stored = service.store.exchanges()[0].answer  # where the model's time went, as `coordo bench` reports it
    # a benchmark figure, not an assertion: compare with `coordo bench`'s llm section on the same quiet machine
    record_timing("llm", {"passages_visible_s": round(passages, 3), "first_token_visible_s": round(first_token, 3),
                          "full_answer_s": round(full, 3), "server_timings_ms": stored["timings_ms"],
                          "generation": stored["generation"]})
    assert passages < first_token < full
