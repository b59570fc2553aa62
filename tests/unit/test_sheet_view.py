"""The sheet viewer, the sources panel and the desk's labels, without a browser: HTML parsed and asserted."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from assistant.chunking import BULLET, chunk_sheet
from assistant.config import PROJECT_ROOT
from assistant.corpus import load_corpus
from assistant.schema import Answer, Citation, Retrieved, SheetMeta
from assistant.web import render
from assistant.web.review import ReviewDesk
from assistant.web.store import Store

SHEETS = {s.id: s for s in load_corpus(PROJECT_ROOT / "corpus")}
OCCITANIE = SHEETS["occitanie-urps-ml-interet-exercice-coordonne"]
VOID = {"br", "img", "hr", "input", "meta", "link", "col", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict
    parent: "Node | None" = None
    children: list = field(default_factory=list)  # Node or str

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.walk()

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def up(self, *tags: str) -> "Node | None":
        node = self.parent
        while node is not None and node.tag not in tags:
            node = node.parent
        return node


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.node = Node("root", {})

    def handle_starttag(self, tag, attrs):
        child = Node(tag, dict(attrs), self.node)
        self.node.children.append(child)
        if tag not in VOID:
            self.node = child

    def handle_endtag(self, tag):
        assert self.node.tag == tag, f"</{tag}> closes <{self.node.tag}>: the markup is not well nested"
        self.node = self.node.parent

    def handle_data(self, data):
        self.node.children.append(data)


def parse(html: str) -> Node:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    assert tree.node is tree.root, "an element was left open"
    return tree.root


def marks(root: Node) -> list[Node]:
    return [n for n in root.walk() if n.tag == "mark" and "coordo-hl" in n.classes()]


BLOCKS = {"p", "li", "h3", "h4", "td", "th", "tr", "ul", "br"}


def marked_text(root: Node) -> str:
    """The highlighted words as a reader sees them: marks run together, blocks (lines, cells) apart."""
    out: list[str] = []

    def walk(node: Node) -> None:
        if node.tag in BLOCKS:
            out.append("\n")
        for child in node.children:
            if isinstance(child, Node):
                if child.tag == "mark" and "coordo-hl" in child.classes():
                    out.append(child.text())
                else:
                    walk(child)

    walk(root)
    return "".join(out)


def words(text: str) -> list[str]:
    """The words of a text, bullets and table separators aside (the viewer draws those as markup)."""
    return text.replace("•", " ").replace("|", " ").split()


def quoted(body: str) -> list[str]:
    """The words of a passage's quote as the viewer shows them: each list line without its bullet, and
    « label (https://…) » as the link « label » (the quote spells out the address the viewer links to)."""
    lines = "\n".join(BULLET.sub("", line, count=1) for line in body.splitlines())
    return [w for w in words(lines) if not re.fullmatch(r"\(https?://\S+\)", w)]


def view(sheet, passage) -> Node:
    return parse(render.sheet_view(sheet.meta, sheet.text, passage.start, passage.end))


# -- the viewer --------------------------------------------------------------------------------------

def test_a_cited_table_cell_is_marked_in_its_cell_under_its_structure_and_attribute():
    passage = next(p for p in chunk_sheet(OCCITANIE)
                   if p.kind == "table_cell" and p.entity.startswith("CPTS") and p.attribute == "Financements")
    root = view(OCCITANIE, passage)
    first = next(n for n in root.walk() if n.attrs.get("id") == render.HIGHLIGHT_ID)
    cell = first.up("td", "th")
    assert cell is not None and "coordo-hl-cell" in cell.classes()
    row, table = cell.up("tr"), cell.up("table")
    header = next(n for n in table.walk() if n.tag == "thead").children[0]
    column = [c for c in row.children if isinstance(c, Node)].index(cell)
    column_head = [c for c in header.children if isinstance(c, Node)][column]
    row_head = [c for c in row.children if isinstance(c, Node)][0]
    assert column_head.tag == "th" and column_head.text().startswith("CPTS")
    assert row_head.tag == "th" and row_head.text() == "Financements"
    assert "coordo-hl-head" in column_head.classes() and "coordo-hl-head" in row_head.classes()
    assert words(marked_text(root)) == quoted(passage.body)


@pytest.mark.parametrize("sheet_id", sorted(SHEETS))
def test_every_passage_is_marked_exactly_where_chunking_put_it(sheet_id):
    """Prose, lists, table rows and cells: the marked words are the passage's words, in order."""
    sheet = SHEETS[sheet_id]
    for passage in chunk_sheet(sheet):
        root = view(sheet, passage)
        found = marks(root)
        assert found, passage.id
        assert words(marked_text(root)) == quoted(passage.body), passage.id
        if passage.kind == "table_cell":
            assert all(m.up("td", "th") is not None for m in found), passage.id


@pytest.mark.parametrize("sheet_id", sorted(SHEETS))
def test_the_sheet_shows_its_structure_and_no_raw_markup(sheet_id):
    sheet = SHEETS[sheet_id]
    root = parse(render.sheet_view(sheet.meta, sheet.text))
    shown = root.text()
    for raw in ("<u>", "</u>", "**", "<ul", "^{", "](http"):
        assert raw not in shown, f"raw {raw!r} in the rendered sheet"
    tags = {n.tag for n in root.walk()}
    assert {"h3", "h4"} & tags and "p" in tags
    assert ("table" in tags) == ("\t" in sheet.text)


def test_lists_are_lists_and_emphasis_is_rendered():
    root = parse(render.sheet_view(OCCITANIE.meta, OCCITANIE.text))
    items = [n for n in root.walk() if n.tag == "li"]
    assert any(n.text().startswith("1. Améliorer la qualité") for n in items)
    assert any(n.tag == "strong" and n.text() == "nombreux avantages" for n in root.walk())
    assert any(n.tag == "u" and n.text() == "Lien Cahier des charges ESS" for n in root.walk())


def test_sheet_text_is_escaped_before_any_markup_is_built():
    text = "Titre\n\nUn <script>alert(1)</script> et <img src=x onerror=alert(2)> dans la fiche **gras**.\n"
    html = render.sheet_view(SheetMeta("f", "Titre", "Éditeur"), text)
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert "<strong>gras</strong>" in html


def test_d13_javascript_url_is_shown_as_text_never_a_live_link():
    hostile = ["javascript:alert(document.cookie)", " JaVaScRiPt:alert(1)", "data:text/html,<script>x()</script>",
               "vbscript:msgbox(1)", "//evil.example/x"]
    for url in hostile:
        html = render.sheet_view(SheetMeta("f", "Titre", "Éditeur", url=url), "Titre\n\nTexte.\n")
        root = parse(html)
        assert not [n for n in root.walk() if n.tag == "a"], url
        assert url.strip() in root.text()
    body = ("Titre\n\nVoir [le site](javascript:alert(1)) et <javascript:alert(2)> ou "
            "[ameli](https://www.ameli.fr) et https://x.example/a'onmouseover='alert(3)\n")
    root = parse(render.sheet_view(SheetMeta("f", "Titre", "Éditeur", url="https://www.ars.sante.fr"), body))
    links = [n.attrs["href"] for n in root.walk() if n.tag == "a"]
    assert links == ["https://www.ars.sante.fr", "https://www.ameli.fr", "https://x.example/a"]
    assert all(set(n.attrs) <= {"href", "target", "rel"} for n in root.walk() if n.tag == "a")
    assert "[le site](javascript:alert(1))" in root.text()


# -- the sources panel -------------------------------------------------------------------------------

def _citation(marker=1, kind="table_cell", entity="CPTS Communauté Professionnelle Territoriale de Santé",
              attribute="Financements", section=("Il Les différentes structures d'exercice coordonné",)):
    return Citation(marker, f"occ#{marker}", "occ", "L'intérêt de travailler en exercice coordonné",
                    "URPS Médecins Libéraux Occitanie", "septembre 2025", section,
                    "ACI: 287 500 € (taille 1) à 580 000 (taille 4)", 10, 50, kind, entity, attribute).to_dict()


def test_sources_panel_names_a_cell_by_structure_and_attribute_and_prose_by_section():
    panel = parse(render.sources_panel([_citation(), _citation(2, "prose", "", "", ("Essentiel",))]))
    cards = [n for n in panel.walk() if "coordo-source" in n.classes()]
    names = [next(n for n in c.walk() if "coordo-source-name" in n.classes()).text() for c in cards]
    assert names == ["CPTS — Financements", "Essentiel"]
    bold = [n.text() for n in cards[0].walk() if n.tag == "b"]
    assert "URPS Médecins Libéraux Occitanie · septembre 2025" in bold
    assert next(n for n in cards[0].walk() if n.tag == "blockquote").text().startswith("ACI: 287 500 €")
    assert render.source_label(_citation()) == "[1] CPTS — Financements · URPS Médecins Libéraux Occitanie, septembre 2025"


# -- the desk and the chat ---------------------------------------------------------------------------

def _stored(store: Store, question: str, vote: str = "down") -> str:
    passage = next(p for p in chunk_sheet(OCCITANIE)
                   if p.kind == "table_cell" and p.entity.startswith("CPTS") and p.attribute == "Financements")
    citation = Citation(1, passage.id, OCCITANIE.id, OCCITANIE.meta.title, OCCITANIE.meta.publisher,
                        OCCITANIE.meta.date_label, passage.section, passage.body, passage.start, passage.end,
                        passage.kind, passage.entity, passage.attribute)
    answer = Answer(question, question, "Réponse [1]", False, "extractive", (citation,),
                    (Retrieved(passage, 0.5, 0.8, 3.0, 1, 1),))
    exchange_id = store.record("s", [], answer, "m")
    if vote:
        store.set_feedback(exchange_id, "s", vote, "commentaire")
    return exchange_id


def _desk(store, tmp_path) -> ReviewDesk:
    return ReviewDesk(store, tmp_path / "cases.jsonl", lambda sheet_id: SHEETS[sheet_id].text,
                      sheets=lambda: {k: s.meta for k, s in SHEETS.items()})


def test_d15_direction_override_in_a_question_is_shown_not_obeyed_in_chat_and_desk(tmp_path):
    question = "Qu'est-ce qu'une \u202eMSP\u202c ? \u2067isolé\u2069"
    store = Store(tmp_path / "data")
    exchange_id = _stored(store, question)
    desk = _desk(store, tmp_path)
    shown = [render.user_message(question), desk.rows()[0][2], desk.detail_html(store.by_public_id(exchange_id))]
    for text in shown:
        assert not re.search("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]", text)
        assert "[U+202E]MSP[U+202C]" in text
    assert store.by_public_id(exchange_id).question == question  # stored as typed


def test_desk_votes_and_verdicts_are_words_that_need_no_emoji_font(tmp_path):
    store = Store(tmp_path / "data")
    down = store.by_public_id(_stored(store, "Question un ?", "down")).id  # the desk's row numbers
    up = store.by_public_id(_stored(store, "Question deux ?", "up")).id
    store.review(down, "missing_source", "", "alice")
    desk = _desk(store, tmp_path)
    rows = {r[0]: r for r in desk.rows()}
    assert (rows[down][5], rows[down][6]) == ("négatif", "source manquante")
    assert rows[up][5] == "positif"
    detail = desk.detail_html(store.get(down))
    assert "Avis du médecin :</b> négatif" in detail
    for text in [str(c) for r in rows.values() for c in r] + [detail]:
        assert all(ord(ch) < 0x2190 or ch in "—›«»…•’€" for ch in text), text


def test_desk_opens_a_retrieved_passage_in_the_same_sheet_viewer(tmp_path):
    store = Store(tmp_path / "data")
    exchange = store.by_public_id(_stored(store, "Combien pour une CPTS ?"))
    desk = _desk(store, tmp_path)
    choices = desk.passage_choices(exchange)
    assert choices == [(f"1. [1] CPTS — Financements ({OCCITANIE.id})", "1")]
    root = parse(desk.passage_view(exchange, "1"))
    first = next(n for n in root.walk() if n.attrs.get("id") == render.HIGHLIGHT_ID)
    assert "coordo-hl-cell" in first.up("td").classes()
