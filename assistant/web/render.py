"""Answers, sources and sheets as HTML/Markdown for the web pages: pure functions, everything escaped.

Whatever comes from a person or a sheet goes through :func:`html.escape` before it reaches the page,
so a question holding ``<script>`` is shown as text and never run.
"""

from __future__ import annotations

from html import escape

from ..schema import SheetMeta

HIGHLIGHT_ID = "coordo-hl"


def user_message(question: str) -> str:
    """A physician's question as chat Markdown: shown exactly as typed."""
    return escape(question).replace("\n", "  \n")


def _origin(c: dict, after_publisher: str, before_section: str) -> str:
    """« publisher, **date** — section » of a citation, escaped."""
    section = " › ".join(c["section"])
    return (
        f"{escape(c['publisher'])}{after_publisher}<b>{escape(c['date'])}</b>"
        f"{before_section + escape(section) if section else ''}"
    )


def sources_footer(citations: list[dict]) -> str:
    lines = [f"<small>[{c['marker']}] {escape(c['title'])} — {_origin(c, ', ', ' — ')}</small>" for c in citations]
    return "\n\n" + "  \n".join(lines) if lines else ""


def answer_message(answer: dict) -> str:
    """The final answer as chat Markdown: its text (markers inline) then one line per source with its date."""
    text = escape(answer["answer"])
    if answer["abstained"]:
        return f"**Non couvert par les fiches.** {text}"
    return text + sources_footer(answer["citations"])


def source_label(c: dict) -> str:
    return f"[{c['marker']}] {c['title']} — {c['publisher']}, {c['date']}"


def sources_panel(citations: list[dict]) -> str:
    """The cited passages: sheet, publisher, date, section and the exact quote."""
    if not citations:
        return "<div class='coordo-sources'><p class='coordo-muted'>Aucune source citée.</p></div>"
    cards = [
        f"<div class='coordo-source' data-passage='{escape(c['passage_id'])}'>"
        f"<div class='coordo-source-head'><b>[{c['marker']}]</b> {escape(c['title'])}</div>"
        f"<div class='coordo-source-meta'>{_origin(c, ' · ', ' · ')}</div>"
        f"<blockquote>{escape(c['text'])}</blockquote></div>"
        for c in citations
    ]
    return "<div class='coordo-sources'>" + "".join(cards) + "</div>"


def retrieved_panel(retrieved: list[dict], covered: bool) -> str:
    """Shown as soon as retrieval is done, before the answer is written."""
    if not covered:
        return "<div class='coordo-sources'><p class='coordo-muted'>Aucun passage des fiches ne couvre cette question.</p></div>"
    items = "".join(
        f"<li><b>{escape(r['title'])}</b> ({escape(r['date'])}) — {escape(' › '.join(r['section']))}"
        f"<div class='coordo-muted'>{escape(shorten(r['text'], 220))}</div></li>"
        for r in retrieved
    )
    return (
        "<div class='coordo-sources'><p><b>Passages trouvés</b> — la réponse est en cours de rédaction…</p>"
        f"<ol>{items}</ol></div>"
    )


def sheet_view(meta: SheetMeta, text: str, start: int | None = None, end: int | None = None) -> str:
    """A whole sheet, its span ``[start, end)`` highlighted (the page scrolls it into view)."""
    link = f" · <a href='{escape(meta.url)}' target='_blank' rel='noopener'>page d'origine</a>" if meta.url else ""
    region = f" · {escape(meta.region)}" if meta.region else ""
    head = (
        f"<div class='coordo-sheet-head'><b>{escape(meta.title)}</b><br>{escape(meta.publisher)}{region}"
        f" · <b>{escape(meta.date_label)}</b>{link}</div>"
    )
    if start is not None and end is not None and 0 <= start < end <= len(text):
        body = (
            escape(text[:start])
            + f"<mark id='{HIGHLIGHT_ID}'>{escape(text[start:end])}</mark>"
            + escape(text[end:])
        )
    else:
        body = escape(text)
    return f"<div class='coordo-sheet'>{head}<div class='coordo-sheet-text'>{body}</div></div>"


def shorten(text: str, width: int) -> str:
    """``text`` on one line, cut at a word before ``width`` characters, with « … » when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rsplit(" ", 1)[0] + " …"


SCROLL_TO_HIGHLIGHT_JS = f"""() => {{
  setTimeout(() => {{
    const mark = document.getElementById('{HIGHLIGHT_ID}');
    if (mark) mark.scrollIntoView({{block: 'center', behavior: 'instant'}});
  }}, 50);
}}"""

CSS = """
.coordo-sources blockquote { margin: 4px 0 10px; padding: 4px 10px; border-left: 3px solid #2563eb; font-size: 0.92em; white-space: pre-wrap; }
.coordo-source-meta, .coordo-muted { color: #555; font-size: 0.88em; }
.coordo-sheet-head { padding: 6px 0 10px; border-bottom: 1px solid #ddd; margin-bottom: 8px; }
.coordo-sheet-text { white-space: pre-wrap; font-size: 0.9em; line-height: 1.45; }
.coordo-sheet { max-height: 560px; overflow-y: auto; padding-right: 6px; }
#coordo-hl { background: #fde047; padding: 1px 0; }
.coordo-answer { white-space: pre-wrap; padding: 6px 10px; background: #f6f7f9; border-radius: 6px; }
.coordo-retrieved td, .coordo-retrieved th { padding: 4px 6px; vertical-align: top; font-size: 0.9em; }
.coordo-retrieved tr.coordo-cited { background: #e0ecff; }
"""
