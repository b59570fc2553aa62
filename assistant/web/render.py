"""Answers, sources and sheets as HTML/Markdown for the web pages: pure functions, everything escaped.

Whatever comes from a person or a sheet goes through :func:`html.escape` before it reaches the page,
so a question holding ``<script>`` is shown as text and never run.
"""

from __future__ import annotations

import re
from html import escape

from ..schema import SheetMeta
from .display import visible
from .sheet_html import HIGHLIGHT_ID, is_web_link, sheet_body


def shown(text: str) -> str:
    """Any text for the page: bidirectional controls made visible, then escaped."""
    return escape(visible(text))


def user_message(question: str) -> str:
    """A physician's question as chat Markdown: shown exactly as typed (direction controls made visible)."""
    return shown(question).replace("\n", "  \n")


def _origin(c: dict, after_publisher: str, before_section: str) -> str:
    """« publisher, **date** — section » of a citation, escaped."""
    section = " › ".join(c["section"])
    return (
        f"{shown(c['publisher'])}{after_publisher}<b>{shown(c['date'])}</b>"
        f"{before_section + shown(section) if section else ''}"
    )


def sources_footer(citations: list[dict]) -> str:
    lines = [f"<small>[{c['marker']}] {shown(c['title'])} — {_origin(c, ', ', ' — ')}</small>" for c in citations]
    return "\n\n" + "  \n".join(lines) if lines else ""


def answer_message(answer: dict) -> str:
    """The final answer as chat Markdown: its text (markers inline) then one line per source with its date."""
    text = shown(answer["answer"])
    if answer["abstained"]:
        return f"**Non couvert par les fiches.** {text}"
    return text + sources_footer(answer["citations"])


_ACRONYM_FIRST = re.compile(r"^([A-ZÀ-Ý]{2,6})\s+\S")


def short_entity(entity: str) -> str:
    """« CPTS » for a column headed « CPTS Communauté Professionnelle Territoriale de Santé »."""
    m = _ACRONYM_FIRST.match(entity)
    return m.group(1) if m else shorten(entity, 60)


def source_name(c: dict) -> str:
    """A source named as a physician reads it: « CPTS — Financements » for a table cell, the section for prose.

    ``c`` is a citation or a retrieved passage as a dict; fields missing in older stored answers fall back
    to the section, then to the sheet's title.
    """
    entity, attribute = c.get("entity") or "", c.get("attribute") or ""
    section = " › ".join(c.get("section") or ())
    if entity and attribute:
        return f"{short_entity(entity)} — {shorten(attribute, 60)}"
    if entity:
        return f"{section} — {short_entity(entity)}" if section else short_entity(entity)
    return section or c.get("title", "")


def source_label(c: dict) -> str:
    """One line for the list of sources to open (plain text: Gradio shows it as is)."""
    return visible(f"[{c['marker']}] {source_name(c)} · {c['publisher']}, {c['date']}")


def sources_panel(citations: list[dict]) -> str:
    """The cited passages: what each is (structure and attribute, or section), publisher and date in bold,
    the sheet, then the exact quote."""
    if not citations:
        return "<div class='coordo-sources'><p class='coordo-muted'>Aucune source citée.</p></div>"
    cards = [
        f"<div class='coordo-source' data-passage='{shown(c['passage_id'])}'>"
        f"<div class='coordo-source-head'><b>[{c['marker']}]</b> "
        f"<span class='coordo-source-name'>{shown(source_name(c))}</span></div>"
        f"<div class='coordo-source-meta'><b>{shown(c['publisher'])} · {shown(c['date'])}</b>"
        f" — {shown(c['title'])}</div>"
        f"<blockquote>{shown(c['text'])}</blockquote></div>"
        for c in citations
    ]
    return "<div class='coordo-sources'>" + "".join(cards) + "</div>"


def retrieved_panel(retrieved: list[dict], covered: bool) -> str:
    """Shown as soon as retrieval is done, before the answer is written."""
    if not covered:
        return "<div class='coordo-sources'><p class='coordo-muted'>Aucun passage des fiches ne couvre cette question.</p></div>"
    items = "".join(
        f"<li><b>{shown(source_name(r))}</b> — {shown(r['title'])} (<b>{shown(r['date'])}</b>)"
        f"<div class='coordo-muted'>{shown(shorten(r['text'], 220))}</div></li>"
        for r in retrieved
    )
    return (
        "<div class='coordo-sources'><p><b>Passages trouvés</b> — la réponse est en cours de rédaction…</p>"
        f"<ol>{items}</ol></div>"
    )


def sheet_view(meta: SheetMeta, text: str, start: int | None = None, end: int | None = None) -> str:
    """A whole sheet as a document (headings, lists, tables), the span ``[start, end)`` highlighted in place.

    The sheet's address is a live link only when it is an http(s) one; any other is shown as text.
    """
    if meta.url and is_web_link(meta.url):
        link = f" · <a href='{escape(meta.url.strip(), quote=True)}' target='_blank' rel='noopener noreferrer'>page d'origine</a>"
    elif meta.url:
        link = f" · adresse d'origine non reconnue : <code>{shown(meta.url)}</code>"
    else:
        link = ""
    region = f" · {shown(meta.region)}" if meta.region else ""
    head = (
        f"<div class='coordo-sheet-head'><b>{shown(meta.title)}</b><br>{shown(meta.publisher)}{region}"
        f" · <b>{shown(meta.date_label)}</b>{link}</div>"
    )
    span = (start, end) if start is not None and end is not None else None
    return f"<div class='coordo-sheet'>{head}<div class='coordo-sheet-text'>{sheet_body(text, span)}</div></div>"


def shorten(text: str, width: int) -> str:
    """``text`` on one line, cut at a word before ``width`` characters, with « … » when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rsplit(" ", 1)[0] + " …"


SCROLL_TO_HIGHLIGHT_JS = f"""() => {{
  setTimeout(() => {{
    const mark = document.getElementById('{HIGHLIGHT_ID}');
    if (mark) mark.scrollIntoView({{block: 'center', inline: 'center', behavior: 'instant'}});
  }}, 50);
}}"""

CSS = """
.coordo-sources blockquote { margin: 4px 0 10px; padding: 4px 10px; border-left: 3px solid #2563eb; font-size: 0.92em; white-space: pre-wrap; }
.coordo-source-meta, .coordo-muted { color: #555; font-size: 0.88em; }
.coordo-sheet-head { padding: 6px 0 10px; border-bottom: 1px solid #ddd; margin-bottom: 8px; }
.coordo-sheet-text { font-size: 0.9em; line-height: 1.45; }
.coordo-sheet-text h3 { font-size: 1.1em; margin: 14px 0 6px; }
.coordo-sheet-text h4 { font-size: 1em; margin: 12px 0 4px; }
.coordo-sheet-text p, .coordo-sheet-text li { margin: 4px 0; }
.coordo-sheet { max-height: 560px; overflow: auto; padding-right: 6px; }
.coordo-table-wrap { margin: 8px 0; overflow-x: auto; }  /* a wide table scrolls alone: the prose around it stays whole */
table.coordo-table { border-collapse: separate; border-spacing: 0; font-size: 0.92em; }
table.coordo-table th, table.coordo-table td { border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; text-align: left; min-width: 11em; max-width: 22em; background: #fff; }
table.coordo-table thead th, table.coordo-table tbody th { background: #f1f3f6; }
table.coordo-table thead th { position: sticky; top: 0; z-index: 2; }
table.coordo-table tbody th { position: sticky; left: 0; z-index: 1; min-width: 8em; }
table.coordo-table thead th:first-child { left: 0; z-index: 3; }
table.coordo-table .coordo-hl-cell { background: #fef9c3; outline: 2px solid #ca8a04; }
table.coordo-table .coordo-hl-head { background: #fde68a; font-weight: bold; }
mark.coordo-hl { background: #fde047; padding: 1px 0; }
.coordo-source-name { font-weight: 600; }
.coordo-answer { white-space: pre-wrap; padding: 6px 10px; background: #f6f7f9; border-radius: 6px; }
.coordo-retrieved td, .coordo-retrieved th { padding: 4px 6px; vertical-align: top; font-size: 0.9em; }
.coordo-retrieved tr.coordo-cited { background: #e0ecff; }
"""
