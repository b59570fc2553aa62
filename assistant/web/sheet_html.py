"""A sheet as HTML, built from the parse that chunking uses, with a cited span highlighted in place.

Headings, paragraphs, lists and tab-separated tables come from :func:`assistant.chunking.sheet_layout`,
so a passage's span falls inside the elements that hold it: a table cell's span inside its ``<td>``.
The sheet's own marks (``**gras**``, ``<u>``, ``[lien](https://…)``, ``^{er}``…) are read by a small
tokenizer and turned into markup; every piece of text is escaped first, and only http(s) addresses
ever become links. The highlighted words are wrapped in ``<mark class="coordo-hl">`` (the first one
carries the id the page scrolls to); a highlighted table cell is tinted and its row and column headers
are marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

from ..chunking import SheetPart, sheet_layout
from .display import visible

HIGHLIGHT_ID = "coordo-hl"
HIGHLIGHT_CLASS = "coordo-hl"

Span = tuple[int, int]

_TOKEN = re.compile(
    r"(?P<mdlink>\[(?P<label>[^\]\n]+)\]\((?P<target>[^)\s]*)\))"
    r"|(?P<autolink><(?P<auto>https?://[^>\s]+)>)"
    r"|(?P<url>https?://[^\s<>\"'()\]|]+[^\s<>\"'()\].,;:!?|])"
    r"|(?P<tag></?(?:u|b|i|strong|em)>)"
    r"|(?P<list><ul[^>]*>|</ul>)"
    r"|(?P<bold>\*\*)"
    r"|(?P<italic>(?<!\w)\*(?P<itext>[^*\n]+)\*(?!\w))"
    r"|(?P<square>\s*■\s*)"
    r"|(?P<sup>\s*\^\{(?P<stext>[^}]*)\})",
    re.I,
)
_PAGE_NUMBER = re.compile(r"^\s*(?:\d{1,3}|[IVX]{1,5}|📄)?\s*$")
_TAG_NAMES = {"u": "u", "b": "strong", "strong": "strong", "i": "em", "em": "em"}


def is_web_link(url: str) -> bool:
    """Only http(s) addresses are ever rendered as live links (never ``javascript:``, ``data:``…)."""
    return bool(re.match(r"https?://[^\s]+$", url.strip(), re.I))


@dataclass
class _Writer:
    """Accumulates HTML, wrapping the highlighted source characters in marks."""

    text: str
    highlight: Span | None
    out: list[str] = field(default_factory=list)
    marked: bool = False  # the first mark (the one scrolled to) has been written

    def hits(self, start: int, end: int) -> bool:
        h = self.highlight
        return bool(h) and start < h[1] and h[0] < end and start < end

    def source(self, start: int, end: int) -> None:
        """Source characters ``[start, end)``: escaped, the highlighted ones marked."""
        if start >= end:
            return
        cuts = [start, end]
        if self.highlight:
            cuts += [p for p in self.highlight if start < p < end]
        cuts = sorted(set(cuts))
        for a, b in zip(cuts, cuts[1:]):
            piece = escape(visible(self.text[a:b]))
            if self.hits(a, b) and self.text[a:b].strip():
                ident = "" if self.marked else f" id='{HIGHLIGHT_ID}'"
                self.marked = True
                self.out.append(f"<mark class='{HIGHLIGHT_CLASS}'{ident}>{piece}</mark>")
            else:
                self.out.append(piece)

    def raw(self, html: str) -> None:
        self.out.append(html)


def _inline(w: _Writer, start: int, end: int) -> None:
    """The text ``[start, end)`` of one line or cell, its marks turned into markup."""
    segment = w.text[start:end]
    tokens = list(_TOKEN.finditer(segment))
    bolds = [m for m in tokens if m.group("bold")]
    unpaired = bolds[-1] if len(bolds) % 2 else None  # dropped rather than left raw or left open
    stack: list[str] = []

    def close_to(tag: str) -> None:
        reopen = []
        while stack:
            top = stack.pop()
            w.raw(f"</{top}>")
            if top == tag:
                break
            reopen.append(top)
        for t in reversed(reopen):
            stack.append(t)
            w.raw(f"<{t}>")

    pos = 0
    for m in tokens:
        w.source(start + pos, start + m.start())
        pos = m.end()
        at = start + m.start()
        if m is unpaired:
            continue
        if m.group("mdlink"):
            label, target = m.span("label"), m.group("target")
            if is_web_link(target):
                w.raw(f"<a href='{escape(target.strip(), quote=True)}' target='_blank' rel='noopener noreferrer'>")
                w.source(start + label[0], start + label[1])
                w.raw("</a>")
            elif target in ("", "#"):
                w.source(start + label[0], start + label[1])  # a dead link: its words only
            else:
                w.source(at, start + m.end())  # any other target is shown as text, never followed
        elif m.group("autolink") or m.group("url"):
            span = m.span("auto") if m.group("autolink") else m.span("url")
            url = segment[span[0]:span[1]]
            w.raw(f"<a href='{escape(url, quote=True)}' target='_blank' rel='noopener noreferrer'>")
            w.source(start + span[0], start + span[1])
            w.raw("</a>")
        elif m.group("tag"):
            name = _TAG_NAMES[m.group("tag").strip("</>").lower()]
            if m.group("tag").startswith("</"):
                if name in stack:
                    close_to(name)
            else:
                stack.append(name)
                w.raw(f"<{name}>")
        elif m.group("bold"):
            if "strong" in stack:
                close_to("strong")
            else:
                stack.append("strong")
                w.raw("<strong>")
        elif m.group("italic"):
            w.raw("<em>")
            w.source(start + m.start("itext"), start + m.end("itext"))
            w.raw("</em>")
        elif m.group("square"):
            w.raw("<br>• " if m.start() > 0 else "• ")
        elif m.group("sup"):
            w.raw("<sup>")
            w.source(start + m.start("stext"), start + m.end("stext"))
            w.raw("</sup>")
        # <ul …> and </ul> (list wrappers inside table cells) are dropped
    w.source(start + pos, end)
    while stack:
        w.raw(f"</{stack.pop()}>")


def _cell_text(text: str, span: Span) -> str:
    return text[span[0]:span[1]].strip()


def _table(w: _Writer, part: SheetPart) -> None:
    text = w.text
    rows = [list(r) for r in part.rows]
    width = max((max((j + 1 for j, c in enumerate(r) if _cell_text(text, c)), default=0) for r in rows), default=0)
    width = max(width, 1)
    hit_rows = {i for i, r in enumerate(rows) for c in r[:width] if w.hits(*c)}
    hit_cols = {j for r in rows for j, c in enumerate(r[:width]) if w.hits(*c)}

    def cell(tag: str, span: Span | None, classes: list[str], scope: str = "") -> None:
        attrs = f" class='{' '.join(classes)}'" if classes else ""
        attrs += f" scope='{scope}'" if scope else ""
        w.raw(f"<{tag}{attrs}>")
        if span:
            a, b = span
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            _inline(w, a, b)
        w.raw(f"</{tag}>")

    def row_html(i: int, header_row: bool) -> None:
        row = rows[i] + [None] * (width - len(rows[i]))
        w.raw("<tr>")
        for j, span in enumerate(row[:width]):
            classes = []
            if span and w.hits(*span):
                classes.append("coordo-hl-cell")
            elif (header_row and j in hit_cols) or (j == 0 and i in hit_rows):
                classes.append("coordo-hl-head")
            if header_row:
                cell("th", span, classes, "col")
            elif j == 0:
                cell("th", span, classes, "row")
            else:
                cell("td", span, classes)
        w.raw("</tr>")

    w.raw("<div class='coordo-table-wrap'><table class='coordo-table'>")
    body = range(len(rows))
    if part.header:
        w.raw("<thead>")
        row_html(0, True)
        w.raw("</thead>")
        body = range(1, len(rows))
    w.raw("<tbody>")
    for i in body:
        row_html(i, False)
    w.raw("</tbody></table></div>")


def sheet_body(text: str, highlight: Span | None = None) -> str:
    """The sheet's content as HTML; ``highlight`` is a ``[start, end)`` span of ``text`` to mark."""
    if highlight and not (0 <= highlight[0] < highlight[1] <= len(text)):
        highlight = None
    w = _Writer(text, highlight)
    parts = sheet_layout(text)
    open_list = None  # the text block of the list being written
    for part in parts:
        if part.kind == "item":
            if open_list != part.block:
                if open_list is not None:
                    w.raw("</ul>")
                w.raw("<ul>")
                open_list = part.block
        elif open_list is not None:
            w.raw("</ul>")
            open_list = None
        hit = " class='coordo-hl-block'" if w.hits(part.start, part.end) else ""
        if part.kind == "table":
            _table(w, part)
            continue
        tag = {"heading": "h3" if part.level == 1 else "h4", "item": "li", "paragraph": "p"}.get(part.kind, "p")
        if part.kind == "furniture":
            if _PAGE_NUMBER.match(text[part.start:part.end]):
                continue  # page furniture with nothing to read
            hit = " class='coordo-muted'"
        w.raw(f"<{tag}{hit}>")
        _inline(w, part.start, part.end)
        w.raw(f"</{tag}>")
    if open_list is not None:
        w.raw("</ul>")
    return "".join(w.out)
