"""The web chat and the review desk in headless Chromium, as physicians and support staff use them."""

import json
import time

import pytest

from assistant.config import PROJECT_ROOT
from tests.e2e.conftest import REVIEWER, shot

pytestmark = [pytest.mark.models, pytest.mark.browser]
BOT = "#coordo-chat [data-testid='bot']"
TIMINGS = PROJECT_ROOT / "artifacts" / "web-timings.json"
_DONE = """([selector, n]) => {
  const bots = document.querySelectorAll(selector);
  if (bots.length < n) return false;
  const t = bots[bots.length - 1].innerText;
  return !t.includes('Recherche dans les fiches') && !t.includes('Rédaction de la réponse') && !t.includes('▍');
}"""


# The highlighted words as a reader sees them: marks run together, lines and cells kept apart.
_MARKED = """(root) => {
  const out = [], blocks = new Set(['P', 'LI', 'H3', 'H4', 'TD', 'TH', 'TR', 'UL', 'BR']);
  const walk = (node) => {
    for (const c of node.children) {
      if (c.tagName === 'MARK' && c.classList.contains('coordo-hl')) out.push(c.textContent);
      else { if (blocks.has(c.tagName)) out.push('\\n'); walk(c); }
    }
  };
  walk(root);
  return out.join('');
}"""
# Where the first mark sits: its cell, the cell's table, the header of its column and the head of its row.
_CELL = """(mark) => {
  const cell = mark.closest('td, th'), table = mark.closest('table');
  if (!cell || !table) return {cell: null};
  const row = cell.parentElement, header = table.tHead ? table.tHead.rows[0] : null;
  return {cell: cell.tagName, cellClasses: [...cell.classList], table: !!table,
          column: header ? header.cells[cell.cellIndex].innerText : null,
          columnClasses: header ? [...header.cells[cell.cellIndex].classList] : [],
          row: row.cells[0].innerText, rowClasses: [...row.cells[0].classList]};
}"""


def words(text: str) -> list[str]:
    return text.replace("•", " ").replace("|", " ").split()


def quoted(text: str) -> list[str]:
    """A quote's words as the viewer shows them: list lines without their bullets."""
    from assistant.chunking import BULLET

    return words("\n".join(BULLET.sub("", line, count=1) for line in text.splitlines()))


def open_citation(page, marker: int):
    """Open source [marker] in its sheet; returns the first highlight, once it is in view."""
    page.locator("#coordo-choose label").nth(marker - 1).click()
    mark = page.locator("#coordo-sheet-box #coordo-hl")
    mark.wait_for()
    page.wait_for_timeout(300)
    return mark


def in_view(page, locator) -> bool:
    box, viewport = locator.bounding_box(), page.viewport_size
    return bool(box) and 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"]


def ask(page, question: str) -> dict:
    """Type a question, send it, wait for the whole answer; returns the times seen in the page."""
    before = page.locator(BOT).count()
    page.fill("#coordo-question textarea", question)
    t0 = time.perf_counter()
    page.click("#coordo-send")
    page.wait_for_function(f"() => document.querySelectorAll(\"{BOT}\").length > {before}")
    first = time.perf_counter() - t0
    page.wait_for_function(_DONE, arg=[BOT, before + 1], timeout=120_000)
    full = time.perf_counter() - t0
    return {"first_visible_s": round(first, 3), "full_answer_s": round(full, 3)}


def last_answer(page) -> str:
    return page.locator(BOT).last.inner_text()


def record_timing(name: str, timing: dict) -> None:
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    data[name] = timing
    TIMINGS.write_text(json.dumps(data, indent=2, ensure_ascii=False))


def test_answer_with_dated_citation_and_the_cited_span_highlighted(web, page):
    t0 = time.perf_counter()
    page.goto(web.base)
    page.wait_for_selector("#coordo-question textarea")
    loaded = time.perf_counter() - t0
    assert page.get_by_text("Combien une CPTS peut-elle percevoir au titre de l'ACI ?").count()  # example questions
    shot(page, "01-chat-vide")
    timing = ask(page, "Combien une CPTS peut-elle percevoir au titre de l'ACI ?")
    record_timing("extractive", {"page_load_s": round(loaded, 3), **timing})
    answer = last_answer(page)
    assert "287 500" in answer and "580 000" in answer and "[1]" in answer and "septembre 2025" in answer
    assert "septembre 2025" in page.inner_text("#coordo-sources")
    shot(page, "02-reponse-citee")

    expected = web.service.ask("check", "Combien une CPTS peut-elle percevoir au titre de l'ACI ?").answer.citations[0]
    mark = open_citation(page, 1)
    assert quoted(page.locator("#coordo-sheet-box").evaluate(_MARKED)) == quoted(expected.text)
    assert in_view(page, mark), "highlight not scrolled into view"
    page.screenshot(path=str(shot(page, "03-source-surlignee").with_name("03-source-surlignee-ecran.png")))


def test_a_cited_table_cell_is_lit_in_its_table_under_its_structure_and_attribute(web, page):
    question = "Combien une CPTS peut-elle percevoir au titre de l'ACI ?"
    citation = web.service.ask("check", question).answer.citations[0]
    passage = next(p for p in web.service.coordo.retriever.index.passages if p.id == citation.passage_id)
    assert passage.kind == "table_cell"
    page.goto(web.base)
    ask(page, question)
    sources = page.inner_text("#coordo-sources")
    assert "CPTS — Financements" in sources and "septembre 2025" in sources  # named as a physician reads it
    mark = open_citation(page, 1)
    where = mark.evaluate(_CELL)
    assert where["cell"] == "TD" and where["table"] and "coordo-hl-cell" in where["cellClasses"]
    headers = {" ".join(where["column"].split()), " ".join(where["row"].split())}
    assert headers == {passage.column_header, passage.row_header}
    assert passage.entity in headers and passage.attribute in headers  # « CPTS … » and « Financements »
    assert "coordo-hl-head" in where["columnClasses"] and "coordo-hl-head" in where["rowClasses"]
    assert quoted(page.locator("#coordo-sheet-box").evaluate(_MARKED)) == quoted(citation.text)
    assert in_view(page, mark), "highlighted cell not scrolled into view"
    page.screenshot(path=str(shot(page, "12-cellule-citee").with_name("12-cellule-citee-ecran.png")))


@pytest.mark.parametrize(("question", "kind"), [
    ("Qu'est-ce qu'un DAC ?", "prose"),
    ("Quels outils numériques pour la coordination ?", "list"),
], ids=["prose", "list"])
def test_a_prose_or_list_citation_is_lit_word_for_word(web, page, question, kind):
    answer = web.service.ask("check", question).answer
    passages = {p.id: p for p in web.service.coordo.retriever.index.passages}
    from assistant.chunking import BULLET

    def is_item(c) -> bool:  # the cited words are a list line in the sheet, not the paragraph before it
        text = web.service.sheet_text(c.sheet_id)
        return bool(BULLET.match(text[text.rfind("\n", 0, c.start) + 1:c.end]))

    citation = next(c for c in answer.citations if passages[c.passage_id].kind == kind and "[…]" not in c.text
                    and is_item(c) == (kind == "list"))
    page.goto(web.base)
    ask(page, question)
    mark = open_citation(page, citation.marker)
    assert quoted(page.locator("#coordo-sheet-box").evaluate(_MARKED)) == quoted(citation.text)
    assert mark.evaluate("m => m.closest('table')") is None
    assert mark.evaluate("m => m.closest('li') !== null") == (kind == "list")
    assert in_view(page, mark)
    shown = page.inner_text("#coordo-sheet-box")
    assert "**" not in shown and "<u>" not in shown
    page.screenshot(path=str(shot(page, f"13-citation-{kind}").with_name(f"13-citation-{kind}-ecran.png")))


def test_follow_up_uses_the_conversation_and_new_conversation_starts_over(web, page):
    page.goto(web.base)
    ask(page, "Combien une CPTS peut-elle percevoir au titre de l'ACI ?")
    ask(page, "Et pour une MSP ?")
    answer = last_answer(page)
    assert "MSP" in answer and ("69 790" in answer or "80 105" in answer)
    shot(page, "04-question-de-suivi")
    page.click("#coordo-new")
    page.wait_for_function(f"() => document.querySelectorAll(\"{BOT}\").length === 0")
    ask(page, "Et pour une MSP ?")  # without the conversation there is nothing to follow up on
    assert "69 790" not in last_answer(page) and "80 105" not in last_answer(page)


def test_refusal_is_plain_french(web, page):
    page.goto(web.base)
    ask(page, "Quelle est la posologie de l'amoxicilline chez l'enfant ?")
    answer = last_answer(page)
    assert "Non couvert par les fiches" in answer and "ne répondent pas" in answer and "MSP, CPTS" in answer
    assert "Aucune source citée" in page.inner_text("#coordo-sources")


def test_dislike_with_comment_reaches_the_review_desk_and_becomes_a_case(web, page):
    question = "Quel e-mail utiliser pour contacter l'URPS ML Nouvelle-Aquitaine au sujet des ESS ?"
    page.goto(web.base)
    ask(page, question)
    assert "ess@urpsml-na.org" in last_answer(page)
    page.locator(BOT).last.hover()
    page.get_by_role("button", name="Je n'aime pas", exact=True).last.click()  # Gradio's French labels
    page.fill("#coordo-comment textarea", "Il manque le téléphone de l'URPS.")
    page.click("#coordo-send-comment")
    page.get_by_text("Merci, votre commentaire est enregistré.").wait_for()
    shot(page, "05-avis-negatif")

    desk = page.context.new_page()
    desk.goto(web.base + "/revue/")
    desk.locator("input").first.fill(REVIEWER[0])
    desk.locator("input[type=password]").fill(REVIEWER[1])
    desk.keyboard.press("Enter")
    desk.get_by_text("Coordo · revue des réponses").wait_for()
    desk.locator("#review-disliked input").check()
    row = desk.locator("#review-list [role=row]").filter(has_text="URPS ML Nouvelle-Aquitaine")
    row.first.wait_for()
    assert "négatif" in row.first.inner_text() and "👎" not in row.first.inner_text()  # words, no emoji font needed
    row.first.locator("[role=gridcell]").nth(2).click()
    detail = desk.locator("#review-detail")
    detail.get_by_text("Il manque le téléphone de l'URPS.").wait_for()
    assert "ess@urpsml-na.org" in detail.inner_text() and "BM25" in detail.inner_text()
    assert "Avis du médecin : négatif" in detail.inner_text()
    desk.locator("#review-passage label").first.click()  # the « Fiches » viewer, the passage lit in place
    desk.locator("#review-sheet-box #coordo-hl").wait_for()
    shot(desk, "06b-bureau-passage-dans-sa-fiche")
    desk.locator("#review-verdict label").filter(has_text="source manquante").click()
    desk.fill("#review-facts textarea", "ess@urpsml-na.org")
    desk.click("#review-make-case")
    desk.get_by_text("ajouté à").wait_for()
    shot(desk, "06-bureau-de-revue")
    cases = [json.loads(line) for line in web.settings.review_cases.read_text(encoding="utf-8").splitlines()]
    case = next(c for c in cases if c["question"] == question)
    assert case["expected_facts"] == [["ess@urpsml-na.org"]] and case["sources"] and case["evidence"]
    stored = next(e for e in web.service.store.exchanges(disliked=True) if e.question == question)
    assert stored.feedback_comment == "Il manque le téléphone de l'URPS." and stored.verdict == "missing_source"


def test_script_in_a_question_is_shown_never_run(web, page):
    hostile = '<script>window.__coordo_xss = 1</script><img src=x onerror="window.__coordo_xss = 2"> Qu\'est-ce qu\'une MSP ?'
    page.goto(web.base)
    ask(page, hostile)
    assert page.evaluate("() => window.__coordo_xss") is None
    user = page.locator("#coordo-chat [data-testid='user']").last.inner_text()
    assert "<script>window.__coordo_xss = 1</script>" in user and "<img" in user
    shot(page, "07-script-affiche")


def test_over_long_question_is_refused_and_kept_in_the_box(web, page):
    page.goto(web.base)
    long_question = "Quelles aides pour une MSP ? " * 50
    ask(page, long_question)
    assert "Question trop longue" in last_answer(page)
    assert page.input_value("#coordo-question textarea") == long_question


def test_two_physicians_never_see_each_other(web, browser, page):
    page.goto(web.base)
    question = "Quel est le rôle du DAC pour les parcours complexes ?"
    ask(page, question)
    other = browser.new_context(locale="fr-FR").new_page()
    other.goto(web.base)
    other.wait_for_selector("#coordo-question textarea")
    assert other.locator(BOT).count() == 0
    assert "parcours complexes" not in other.inner_text("#coordo-chat")
    other.context.close()


def test_sheets_page_lists_and_shows_the_sheets(web, page):
    page.goto(web.base)
    page.get_by_role("tab", name="Fiches").click()
    table = page.locator("#coordo-sheet-list")
    table.get_by_text("URPS Médecins Libéraux Occitanie").first.wait_for()
    assert "non datée" in table.inner_text() and "septembre 2025" in table.inner_text()
    page.locator("#coordo-pick-sheet input").click()
    page.get_by_role("option", name="L'intérêt de travailler en exercice coordonné").click()
    page.locator("#coordo-sheet-full").get_by_text("URPS Médecins Libéraux Occitanie").first.wait_for()
    sheet = page.locator("#coordo-sheet-full")
    text = sheet.inner_text()
    assert len(text) > 2000
    for raw in ("<u>", "</u>", "**", "^{", "<ul"):
        assert raw not in text, f"raw {raw!r} shown in the sheet"
    assert sheet.locator("table thead th").filter(has_text="CPTS").count() >= 1  # the comparison table is a table
    assert sheet.locator("tbody th").filter(has_text="Financements").count() == 1
    assert sheet.locator("li").filter(has_text="Améliorer la qualité et la sécurité des soins").count() == 1
    assert sheet.locator("u").filter(has_text="Lien Cahier des charges ESS").count() == 1
    shot(page, "08-fiches")


def test_api_client_gets_the_same_answer_and_citations(web):
    from gradio_client import Client

    question = "Quelle forme juridique pour percevoir l'ACI en MSP ?"
    client = Client(web.base + "/", verbose=False)
    first = client.predict(question, "[]", "", api_name="/ask")
    second = client.predict(question, "[]", "", api_name="/ask")
    direct = web.service.coordo.ask(question)
    for result in (first, second):
        assert result["answer"] == direct.text
        assert [(c["passage_id"], c["text"]) for c in result["citations"]] == [
            (c.passage_id, c.text) for c in direct.citations
        ]
    vote = client.predict(first["session_id"], first["exchange_id"], "down", "via l'API", api_name="/feedback")
    assert vote == {"recorded": True}
    assert client.predict("intrus", first["exchange_id"], "up", "", api_name="/feedback") == {"recorded": False}
    assert web.service.store.by_public_id(first["exchange_id"]).vote == "down"


def test_several_physicians_at_once_are_all_answered_and_stored(web):
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client

    questions = [
        "Qu'est-ce qu'une ESP ?", "Combien de CPTS en Occitanie ?", "Quel financement FIR pour une MSP ?",
        "Qu'est-ce qu'un DAC ?", "Qui peut faire partie d'une CPTS ?", "Qu'est-ce qu'une ESCAP ?",
        "Quelle forme juridique pour une MSP ?", "Qu'est-ce qu'un centre de santé ?",
    ]

    def one(question):
        result = Client(web.base + "/", verbose=False).predict(question, "[]", "", api_name="/ask")
        return question, result

    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        results = list(pool.map(one, questions))
    for question, result in results:
        assert "error" not in result and result["question"] == question
        assert web.service.store.by_public_id(result["exchange_id"]).question == question
    assert len({r["session_id"] for _, r in results}) == len(questions)
