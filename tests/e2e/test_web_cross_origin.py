"""D4 (issue 12): a page served on another local port must not read or drive the review desk through a
reviewer's cookie (cookies ignore the port). Replayed as the probe did: headless Chromium, a reviewer logged in,
then a page on another loopback port calling the desk with ``credentials: "include"``."""

from __future__ import annotations

import functools
import http.server
import threading

import httpx
import pytest

from assistant.index import build_index
from assistant.pipeline import Coordo
from assistant.web.server import free_port
from assistant.web.service import ChatService
from tests.e2e.conftest import REVIEWER, start_web

pytestmark = [pytest.mark.browser]
SECRET_QUESTION = "Mon patient Octave Martin peut-il être suivi par la MSP ?"

_STEAL = """async ([desk, fnIndex]) => {
  const results = {};
  async function attempt(name, run) {
    try { results[name] = {ok: true, text: await run()}; }
    catch (e) { results[name] = {ok: false, text: String(e)}; }
  }
  await attempt('config', async () => (await fetch(desk + '/config', {credentials: 'include'})).text());
  const hash = 'evil' + Math.random().toString(36).slice(2);
  await attempt('join', async () => (await fetch(desk + '/gradio_api/queue/join', {
    method: 'POST', credentials: 'include', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({data: [false, false, '', ''], fn_index: fnIndex, session_hash: hash, event_data: null,
                          trigger_id: null})})).text());
  await attempt('data', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 8000);
    const r = await fetch(desk + '/gradio_api/queue/data?session_hash=' + hash,
                          {credentials: 'include', signal: controller.signal});
    return await r.text();
  });
  return results;
}"""


@pytest.fixture
def desk(settings, tiny_corpus, tmp_path, keyword_embeddings):
    web_settings = settings.with_(corpus_dir=tiny_corpus, data_dir=tmp_path / "data", min_dense_score=0.0,
                                  min_term_coverage=0.0, review_cases=tmp_path / "cases.jsonl",
                                  reviewers=":".join(REVIEWER), port=free_port())
    build_index(web_settings, keyword_embeddings, keyword_embeddings.spec)
    service = ChatService(web_settings, coordo=Coordo(web_settings, embeddings=keyword_embeddings))
    service.ask("victim", SECRET_QUESTION)
    server, thread = start_web(web_settings, service)
    yield f"http://127.0.0.1:{web_settings.port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def other_port_site(tmp_path):
    """A plain page served from another port of the same machine, as any local program could."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("<html><body>Une autre application locale</body></html>", encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _refresh_fn_index(base: str) -> int:
    """The desk's list-loading event (triggered on page load), found in its config as a reviewer."""
    with httpx.Client(base_url=base) as client:
        client.post("/revue/login", data={"username": REVIEWER[0], "password": REVIEWER[1]})
        config = client.get("/revue/config").json()
    return next(d["id"] for d in config["dependencies"] if any(t[1] == "load" for t in d["targets"]))


def test_d4_page_on_another_port_cannot_read_or_drive_the_desk(desk, other_port_site, browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(desk + "/revue/")
    page.locator("input").first.fill(REVIEWER[0])
    page.locator("input[type=password]").fill(REVIEWER[1])
    page.keyboard.press("Enter")
    page.get_by_text("Coordo · revue des réponses").wait_for()
    # the reviewer's own desk shows the exchange: the cookie is good
    page.locator("#review-list [role=row]").filter(has_text="Octave Martin").first.wait_for()

    evil = context.new_page()  # same browser, same cookies, another origin
    evil.goto(other_port_site + "/index.html")
    results = evil.evaluate(_STEAL, [desk + "/revue", _refresh_fn_index(desk)])
    context.close()
    for step, result in results.items():
        assert not result["ok"], f"{step}: the other page read the desk's answer: {result['text'][:200]}"
        assert "Octave Martin" not in result["text"]
