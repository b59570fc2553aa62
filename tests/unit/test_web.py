"""The web layer without a browser: store, rendering, chat service, review desk, the ASGI app's routes."""

import json
import logging

import pytest

from assistant.evals.dataset import DatasetError, load_dataset
from assistant.index import build_index
from assistant.pipeline import Coordo
from assistant.schema import Answer, Citation, Searched, SheetMeta, Turn
from assistant.web import render
from assistant.web.review import CaseForm, ReviewDesk
from assistant.web.service import ChatService, Failure, Reply


QUESTION = "Quel financement ACI pour une MSP ?"


def _answer(question="Q ?", abstained=False) -> Answer:
    citation = Citation(1, "fiche-test#3", "fiche-test", "Fiche de test", "URPS Test", "janvier 2025", ("A",),
                        "Les MSP réunissent", 10, 28)
    return Answer(question, question, "Réponse [1]", abstained, "extractive", (citation,) if not abstained else ())


# The store's own tests, on SQLite and PostgreSQL, are in test_store.py.


# -- rendering -------------------------------------------------------------------------------------

def test_html_in_a_question_is_escaped_never_markup():
    shown = render.user_message('<script>alert(1)</script><img src=x onerror="x()">')
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "<img" not in shown


def test_sheet_view_highlights_the_exact_span_and_escapes_the_rest():
    text = "Avant <b>gras</b> — LE PASSAGE CITÉ — après"
    start = text.index("LE PASSAGE")
    html = render.sheet_view(SheetMeta("f", "Titre", "Éditeur", date="2025"), text, start, start + len("LE PASSAGE CITÉ"))
    assert f"<mark class='coordo-hl' id='{render.HIGHLIGHT_ID}'>LE PASSAGE CITÉ</mark>" in html
    assert "<strong>gras</strong>" in html and "2025" in html  # the sheet's own marks are rendered


def test_answer_message_dates_every_source_and_marks_refusals():
    answer = _answer().to_dict()
    assert "[1]" in render.answer_message(answer) and "janvier 2025" in render.answer_message(answer)
    assert render.answer_message(_answer(abstained=True).to_dict()).startswith("**Non couvert par les fiches.**")


# -- service ---------------------------------------------------------------------------------------

def test_stream_shows_passages_before_the_text_then_stores_the_exchange(service):
    events = list(service.stream("s1", QUESTION))
    assert isinstance(events[0], Searched) and events[0].retrieved
    assert any(isinstance(e, str) for e in events)
    reply = events[-1]
    assert isinstance(reply, Reply) and "80 105" in reply.answer.text
    stored = service.store.by_public_id(reply.exchange_id)
    assert stored.session_id == "s1" and stored.answer["citations"] and stored.engine == "extractive"


@pytest.mark.parametrize("question", ["", "   ", "x" * 1001], ids=["empty", "blank", "too-long"])
def test_bad_questions_get_a_french_message_and_nothing_is_stored(service, question):
    result = service.ask("s1", question)
    assert isinstance(result, Failure) and ("vide" in result.message or "trop longue" in result.message)
    assert service.store.exchanges() == []


def test_follow_ups_use_the_conversation_they_are_given(service):
    first = service.ask("s1", "Quel financement pour une CPTS ?")
    history = [Turn("user", "Quel financement pour une CPTS ?"), Turn("assistant", first.answer.text)]
    follow = service.ask("s1", "Et pour une MSP ?", history)
    assert follow.answer.standalone_question != "Et pour une MSP ?"
    assert service.store.by_public_id(follow.exchange_id).history == tuple(history)


def test_questions_never_reach_the_logs(service, caplog):
    secret = "Mon patient Jean Dupont diabétique peut-il aller en MSP ?"
    with caplog.at_level(logging.DEBUG):
        service.ask("s1", secret)
        service.ask("s1", secret + " " + "x" * 2000)
    assert "Dupont" not in caplog.text


def test_a_rebuilt_index_is_picked_up_and_the_old_one_served_until_then(service, web_settings, keyword_embeddings,
                                                                        tiny_corpus):
    before = service.ask("s", "Quel est le numéro de la hotline ESCAP ?")
    assert "01 23 45 67 89" not in before.answer.text
    sheet = tiny_corpus / "fiche-test.txt"
    sheet.write_text(sheet.read_text(encoding="utf-8") + "\nHotline ESCAP : 01 23 45 67 89\n", encoding="utf-8")
    old = service.coordo.retriever
    build_index(web_settings, keyword_embeddings, keyword_embeddings.spec)  # retires the loaded index's directory
    assert old.search("Quel financement ACI ?").passages  # the loaded index still answers meanwhile
    after = service.ask("s", "Quel est le numéro de la hotline ESCAP ?")
    assert service.coordo.retriever is not old
    assert "01 23 45 67 89" in after.answer.text


# -- review desk -----------------------------------------------------------------------------------

def test_review_and_case_in_the_dataset_schema(service, web_settings):
    reply = service.ask("s1", QUESTION)
    service.feedback("s1", reply.exchange_id, "down", "incomplet")
    desk = ReviewDesk(service.store, web_settings.review_cases, service.sheet_text)
    exchange = service.store.by_public_id(reply.exchange_id)
    rows = desk.rows(disliked=True)
    assert rows[0][0] == exchange.id and rows[0][5] == "négatif"
    html = desk.detail_html(exchange)
    assert "incomplet" in html and "coordo-cited" in html and "fusion" in html
    form = desk.draft(exchange)
    assert form.sources == "fiche-test" and form.evidence
    with pytest.raises(DatasetError, match="expected_facts"):
        desk.make_case(exchange.id, form, "alice")  # an answerable case needs its facts
    assert not web_settings.review_cases.exists()
    case = desk.make_case(
        exchange.id,
        CaseForm(form.category, True, "80 105\nFIR | Fonds d'intervention régional", form.evidence, form.sources),
        "alice", "missing_source", "ajouter le FIR",
    )
    assert case["expected_facts"] == [["80 105"], ["FIR", "Fonds d'intervention régional"]]
    cases = load_dataset(web_settings.review_cases, {"fiche-test": service.sheet_text("fiche-test")})
    assert [c.id for c in cases] == [f"review-{exchange.id}"]
    reviewed = service.store.by_public_id(reply.exchange_id)
    assert (reviewed.verdict, reviewed.reviewer, reviewed.case_id) == ("missing_source", "alice", case["id"])
    with pytest.raises(DatasetError, match="déjà présent"):
        desk.make_case(exchange.id, CaseForm("funding", True, "80 105", form.evidence, form.sources), "alice")


def test_evidence_must_be_in_the_sheets(service, web_settings):
    reply = service.ask("s1", QUESTION)
    desk = ReviewDesk(service.store, web_settings.review_cases, service.sheet_text)
    with pytest.raises(DatasetError, match="introuvable"):
        desk.make_case(service.store.by_public_id(reply.exchange_id).id,
                       CaseForm("funding", True, "80 105", "une phrase inventée", "fiche-test"), "a")


# -- the ASGI app ----------------------------------------------------------------------------------

def test_app_routes_and_review_login(service, web_settings):
    from fastapi.testclient import TestClient

    from assistant.web.server import create_app

    app, review = create_app(web_settings, service)
    client = TestClient(app)
    assert not review
    assert client.get("/healthz").json()["passages"] > 0
    assert client.get("/").status_code == 200
    assert client.get("/revue/").status_code == 404  # no credentials: no desk

    app, review = create_app(web_settings.with_(reviewers="alice:motdepasse-s3cret"), service)
    client = TestClient(app)
    assert review
    assert client.get("/revue/config").status_code == 401
    assert client.post("/revue/login", data={"username": "alice", "password": "faux"}).status_code == 400
    assert client.post("/revue/login", data={"username": "alice", "password": "motdepasse-s3cret"}).status_code == 200
    assert client.get("/revue/config").status_code == 200


def test_reviewer_credentials_are_checked(web_settings):
    from assistant.errors import CoordoError

    assert web_settings.with_(reviewers="a:b, c:d:e").reviewer_credentials() == [("a", "b"), ("c", "d:e")]
    with pytest.raises(CoordoError, match="nom:motdepasse"):
        web_settings.with_(reviewers="seulement-un-nom").reviewer_credentials()
    assert "s3cret" not in json.dumps(web_settings.with_(reviewers="a:s3cret").describe(), default=str)


def test_serve_says_when_the_port_is_taken(tmp_path):
    import socket

    from click.testing import CliRunner

    from assistant.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port), "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "déjà utilisé" in result.output and "--port" in result.output


def test_serve_without_an_index_says_how_to_build_it(tmp_path):
    import socket

    from click.testing import CliRunner

    from assistant.cli import main

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = CliRunner().invoke(main, ["serve", "--port", str(port), "--data-dir", str(tmp_path)])
    assert result.exit_code == 4 and "coordo index" in result.output


# -- feedback through the public API, and a database outage ----------------------------------------

def test_withdrawing_someone_elses_vote_answers_recorded_false_through_the_api(service, web_settings):
    """Minor defect of issue 12: `/feedback` withdrawing a vote on another session's exchange said recorded: true."""
    from fastapi.testclient import TestClient

    from assistant.bench.load import _call
    from assistant.web.server import create_app

    app, _ = create_app(web_settings, service)
    with TestClient(app) as client:
        asked = _call(client, "http://testserver/", "ask", QUESTION, "[]", "")
        alice, exchange = asked["session_id"], asked["exchange_id"]
        assert _call(client, "http://testserver/", "feedback", alice, exchange, "down", "faux") == {"recorded": True}
        assert _call(client, "http://testserver/", "feedback", "mallory", exchange, "", "") == {"recorded": False}
        assert service.store.by_public_id(exchange).vote == "down"
        assert _call(client, "http://testserver/", "feedback", alice, exchange, "", "") == {"recorded": True}
        assert service.store.by_public_id(exchange).vote == ""


def test_exchange_ids_given_out_by_the_api_reveal_no_counter(service):
    """Minor defect of issue 12: `/ask` gave every caller the global exchange counter."""
    first, second = service.ask("a", QUESTION), service.ask("b", QUESTION)
    for reply in (first, second):
        assert isinstance(reply.exchange_id, str) and len(reply.exchange_id) == 32
        assert reply.exchange_id != str(service.store.by_public_id(reply.exchange_id).id)
    assert not service.feedback("a", str(service.store.by_public_id(first.exchange_id).id), "down")


def test_a_database_outage_is_told_to_the_physician_and_nothing_is_pretended(web_settings, keyword_embeddings):
    from assistant.errors import DatabaseUnavailable
    from assistant.web.store import Store
    from assistant.bench.postgres import create_cluster, destroy_cluster

    cluster = create_cluster()
    try:
        build_index(web_settings, keyword_embeddings, keyword_embeddings.spec)
        store = Store(web_settings.data_dir, database_url=cluster.create_database(), retry_s=0.3)
        svc = ChatService(web_settings, coordo=Coordo(web_settings, embeddings=keyword_embeddings), store=store)
        svc.warm_up()
        kept = svc.ask("s1", QUESTION)
        assert svc.feedback("s1", kept.exchange_id, "down", "faux")
        cluster.stop("immediate")
        failed = svc.ask("s1", QUESTION)
        assert isinstance(failed, Failure) and "momentanément injoignable" in failed.message
        with pytest.raises(DatabaseUnavailable, match="Réessayez dans un instant"):
            svc.feedback("s1", kept.exchange_id, "up")
        cluster.start()
        assert svc.store.by_public_id(kept.exchange_id).vote == "down"
        store.close()
    finally:
        destroy_cluster(cluster)


def test_the_first_question_does_not_wait_for_matplotlib_to_find_its_backend():
    # Gradio switches matplotlib's backend around every event; unset, matplotlib resolves it by importing
    # pyplot in the server's event loop, on the first question. `create_app` sets it at start.
    import subprocess
    import sys

    code = ("import sys; from assistant.web.server import headless_matplotlib; headless_matplotlib(); "
            "from gradio.utils import MatplotlibBackendMananger as M\n"
            "with M(): pass\n"
            "print('matplotlib.pyplot' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"
