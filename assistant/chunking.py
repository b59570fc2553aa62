"""Sheet → [Passage]: split by the sheet's structure, with exact character spans.

Lines are classified (heading, list item, paragraph, table row, page furniture), grouped into
blocks under a section path, and each block becomes one or more passages. Tables, the densest
content of the sheets, become one passage per cell (wide tables) or per row (narrow ones), each
carrying its row and column headers so that it stands on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .schema import Passage, Sheet
from .text import clean_markup, sentence_spans

CHUNKER_VERSION = "11"
MAX_PASSAGE_CHARS = 900
MERGE_UNDER_CHARS = 420
CELL_MODE_MIN_AVG = 45  # average cell length above which a table is split cell by cell

_FURNITURE = [
    re.compile(r"^\s*\d{1,3}\s*$"),  # lone page number
    re.compile(r"^\s*[IVX]{1,5}\s*$"),  # lone roman page number
    re.compile(r"^\s*Illustration\s+\d+\b.*$", re.I),  # caption of an image that is not in the text
    re.compile(r"^\s*(Adobe Stock|Actualité|Crédit photo.*)\s*$", re.I),
    re.compile(r"^\s*\[[^\]]*\]\(#?\)\s*$"),  # dead link
    re.compile(r"^\s*📄?\s*$"),
]
BULLET = re.compile(r"^\s*(?:[-•*+→➡]\s*(?:o\s+)?|\d{1,2}[.)]\s+|o\s+)(?=\S)")
_SECTION_NUMBER = re.compile(r"^\s*(?:\d{1,2}\s*[–—-]|[IVX]{1,4}|Il)\s+(?=[A-ZÀ-Ý])")
_TABLE_TITLE = re.compile(r"^\s*TABLEAU\s+\d+\s*\.?\s*$", re.I)
# A line that labels the sheet itself (its sources, key words, date of update), not a section of it.
METADATA = re.compile(r"^\s*(?:sources?|r[ée]f[ée]rences?|mots[- ]cl[ée]s|date de (?:mise à jour|publication)"
                      r"|mise à jour|publi[ée]e? le)\s*:", re.I)
_URLISH = re.compile(r"(https?://|www\.|@|\.(?:fr|org|com|net)\b)", re.I)
_TOC = re.compile(r"\.{4,}")


@dataclass
class _Line:
    start: int
    end: int
    raw: str

    @property
    def stripped(self) -> str:
        return self.raw.strip()


@dataclass
class _Block:
    kind: str  # "text", "table" or "references" (the list under a bare « Sources : »)
    section: tuple[str, ...]
    lines: list[_Line] = field(default_factory=list)


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        content = raw.rstrip("\r\n")
        out.append(_Line(pos, pos + len(content), content))
        pos += len(raw)
    return out


def intro_lines(passage: Passage) -> str:
    """The lines of a list passage before its first item (the sentence that introduces the list); empty for
    any other passage."""
    intro = []
    for line in passage.body.splitlines() if passage.list_span else ():
        if BULLET.match(line):
            break
        intro.append(line)
    return " ".join(intro)


def _is_furniture(line: str) -> bool:
    return any(p.match(line) for p in _FURNITURE)


def is_references_label(line: str) -> bool:
    """A bare label that opens the sheet's list of sources (« Sources : », « Références : »)."""
    m = METADATA.match(line)
    return bool(m) and not line[m.end():].strip() and re.match(r"\s*(?:sources?|r[ée]f[ée]rences?)\b", line, re.I) is not None


def _is_heading(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 110 or "\t" in line or BULLET.match(line):
        return False
    if _TABLE_TITLE.match(s):
        return True
    if METADATA.match(s):
        return False  # « Source : DGOS avril 2023 » says where a table comes from; it heads nothing
    if s[-1] in ".;,:" or _URLISH.search(s) or s.startswith(("«", "(", "[")):
        return False
    if re.match(r"^\d", s) and not _SECTION_NUMBER.match(s):
        return False  # "313 MSP": a figure, not a title
    if s[0].islower():
        return False
    words = s.split()
    return len(words) <= 16


# the number of a section in its title (« 2 – », « III. »), which is no figure of what the title says
_SECTION_NUMBER = re.compile(r"^\s*(?:\d{1,2}|[IVX]{1,4})\s*[–—.)-]\s+")


def states_fact(heading: str) -> bool:
    """A title that states a fact (« ON COMPTE AUJOURD'HUI 427 CPTS EN ACTIVITÉ… »), not just a topic (« 2 –
    Quelques points de vigilance à prendre en compte »: its number only orders the sections)."""
    return bool(re.search(r"\d", _SECTION_NUMBER.sub("", heading))) and len(heading.split()) >= 5


def _heading_level(line: str) -> int:
    s = line.strip()
    letters = [c for c in s if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8 and len(letters) > 3:
        return 1
    if re.match(r"^(?:[IVX]{1,4}|Il)\s+[A-ZÀ-Ý]", s) or s.upper().startswith("TABLEAU"):
        return 1
    return 2


def _blocks(sheet: Sheet) -> list[_Block]:
    return _blocks_of(sheet.text)


def _blocks_of(text: str, headings: list[tuple[_Line, int]] | None = None) -> list[_Block]:
    """Group lines into blocks of text or tables, each under its section path.

    ``headings``, when given, receives every heading line with its level (the sheet's title included).
    """
    lines = _lines(text)
    h1: str | None = None
    h2: str | None = None
    blocks: list[_Block] = []
    current: _Block | None = None
    first_heading = True
    closing: tuple[_Line, tuple[str, ...]] | None = None  # the last heading, while nothing follows it
    references = False  # under a bare « Sources : » label, until the next main heading

    def section() -> tuple[str, ...]:
        return tuple(clean_markup(h) for h in (h1, h2) if h)

    def close():
        nonlocal current
        if current and current.lines:
            blocks.append(current)
        current = None

    for i, line in enumerate(lines):
        s = line.stripped
        if not s or _is_furniture(line.raw):
            if current and current.kind == "references":
                continue  # one reference a line, blank lines between: still the same list
            if current and current.kind == "text":
                if current.lines[-1].raw.rstrip().endswith(":"):
                    continue  # "... notamment :" stays open for the list it introduces
                close()
            elif current and current.kind == "table" and not s:
                close()
            continue
        if "\t" in line.raw and clean_markup(line.raw):
            if _TOC.search(line.raw):
                continue  # table of contents
            closing = None
            if not current or current.kind != "table":
                close()
                current = _Block("table", section())
            current.lines.append(line)
            continue
        if current and current.kind == "table":
            close()
        if _is_heading(line.raw) and not (references and _heading_level(line.raw) == 2):
            references = False  # a reference (« Convention médicale 2024 ») looks like a subtitle; a main title ends them
            close()
            if headings is not None:
                headings.append((line, _heading_level(line.raw)))
            if first_heading:
                first_heading = False  # the sheet's title: known from the metadata
                continue
            if closing and _heading_level(closing[0].raw) == 2 and not (blocks and blocks[-1].lines[-1] is closing[0]):
                # a subtitle straight after a subtitle had no text of its own: it is content
                # (a list of references, "Contact" then the contact itself)
                blocks.append(_Block("text", closing[1], [closing[0]]))
            closing = (line, section())
            if _heading_level(line.raw) == 1:
                h1, h2 = s, None
            else:
                h2 = s
            if states_fact(s):
                blocks.append(_Block("text", section(), [line]))  # a title that is content too
            continue
        closing = None
        if is_references_label(s):
            close()
            references = True
            current = _Block("references", section())
        if references:
            current.lines.append(line)
            continue
        if BULLET.match(line.raw) and current and current.kind == "text":
            current.lines.append(line)  # a list stays with the paragraph that introduces it
            continue
        if current and current.kind == "text" and current.lines and BULLET.match(current.lines[-1].raw):
            close()  # a paragraph after a list starts a new block
        if not current:
            current = _Block("text", section())
        current.lines.append(line)
    close()
    if closing and not (blocks and blocks[-1].lines[-1] is closing[0]):
        # a sheet that ends on a title-like line ends on content ("Contact" / "ARS - Direction des Soins…")
        blocks.append(_Block("text", closing[1], [closing[0]]))
    return blocks


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _context(section: tuple[str, ...]) -> str:
    return " > ".join(section)


@dataclass(frozen=True)
class _ListInfo:
    span: tuple[int, int]  # the whole list, its introducing sentence included
    intro: tuple[int, int] | None  # the introducing sentence


def _list_infos(sheet: Sheet, blocks: list[_Block]) -> dict[int, _ListInfo]:
    """The list each text block belongs to (by block position), with its introducing sentence.

    A list interrupted by a blank line goes on in the next block: both halves share the intro and
    the whole span.
    """
    infos: dict[int, _ListInfo] = {}
    previous: int | None = None
    for n, block in enumerate(blocks):
        bullets = [i for i, ln in enumerate(block.lines) if BULLET.match(ln.raw)]
        if not bullets:
            previous = None
            continue
        first = bullets[0]
        start, end = block.lines[0].start, block.lines[-1].end
        if first > 0:
            lead_start, lead_end = block.lines[0].start, block.lines[first - 1].end
            s, e = sentence_spans(sheet.text[lead_start:lead_end])[-1]
            infos[n] = _ListInfo((lead_start + s, end), (lead_start + s, lead_start + e))
        elif previous is not None and blocks[previous].section == block.section and not re.sub(
            r"\S*Illustration[^\n]*", "", sheet.text[blocks[previous].lines[-1].end:start]).strip():
            before = infos[previous]
            whole = (before.span[0], end)
            for m in [k for k, v in infos.items() if v.span == before.span]:
                infos[m] = _ListInfo(whole, before.intro)
            infos[n] = _ListInfo(whole, before.intro)
        else:
            infos[n] = _ListInfo((start, end), None)
        previous = n
    return infos


def _text_passages(sheet: Sheet, blocks: list[_Block]) -> list[tuple[str, tuple[str, ...], int, int, _ListInfo | None]]:
    """(kind, section, start, end, list) of prose and list passages, short neighbours merged."""
    infos = _list_infos(sheet, blocks)
    spans: list[tuple[str, tuple[str, ...], int, int, _ListInfo | None]] = []
    for n, block in enumerate(blocks):
        start, end = block.lines[0].start, block.lines[-1].end
        kind = "references" if block.kind == "references" else "list" if n in infos else "prose"
        info = infos.get(n)
        if end - start <= MAX_PASSAGE_CHARS:
            spans.append((kind, block.section, start, end, info))
            continue
        # too long: cut at sentence (or list line) boundaries, keeping pieces under the limit
        raw = sheet.text[start:end]
        piece_start = None
        piece_end = None
        for s, e in sentence_spans(raw):
            if piece_start is None:
                piece_start = s
            elif e - piece_start > MAX_PASSAGE_CHARS:
                spans.append((kind, block.section, start + piece_start, start + piece_end, info))
                piece_start = s
            piece_end = e
        if piece_start is not None:
            spans.append((kind, block.section, start + piece_start, start + piece_end, info))
    merged: list[tuple[str, tuple[str, ...], int, int, _ListInfo | None]] = []
    for kind, section, start, end, info in spans:
        if merged:
            pkind, psection, pstart, pend, pinfo = merged[-1]
            gap = sheet.text[pend:start]
            if (
                psection == section
                and (pkind == "references") == (kind == "references")
                and pend - pstart < MERGE_UNDER_CHARS
                and end - start < MERGE_UNDER_CHARS
                and not gap.strip()
            ):
                merged[-1] = (kind if kind == pkind else "list" if "list" in (kind, pkind) else "prose", section, pstart, end, pinfo or info)
                continue
        merged.append((kind, section, start, end, info))
    return merged


def _split_cells(line: _Line) -> list[tuple[int, int]]:
    """Absolute spans of the tab-separated cells of a table line (empty cells keep their place)."""
    cells, pos = [], line.start
    for part in line.raw.split("\t"):
        cells.append((pos, pos + len(part)))
        pos += len(part) + 1
    return cells


def _has_header(header_cells: list[str], row_count: int, width: int) -> bool:
    """Whether a table's first row names its columns (short cells, at least three columns)."""
    return row_count > 1 and width >= 3 and (not header_cells[0] or all(len(h) <= 120 for h in header_cells))


def _table_passages(sheet: Sheet, block: _Block) -> list[tuple[str, tuple[str, ...], str, int, int, dict]]:
    """(kind, section, contextual text, start, end, header fields) for one table."""
    text = sheet.text
    rows = [_split_cells(line) for line in block.lines]
    cell = lambda span: clean_markup(text[span[0]:span[1]])  # noqa: E731
    width = max(len(r) for r in rows)
    header = rows[0]
    header_cells = [cell(c) for c in header]
    body_rows = rows[1:]
    has_header = _has_header(header_cells, len(rows), width)
    caption = _context(block.section)
    out = []
    if not has_header:
        lengths = [len(cell(c)) for r in rows for c in r if cell(c)]
        if max(lengths, default=0) <= 80:
            start, end = _trimmed(text, block.lines[0].start, block.lines[-1].end)
            out.append(("table", block.section, f"{caption}\n{clean_markup(text[start:end])}", start, end, {}))
            return out
        for line in block.lines:
            values = [cell(c) for c in _split_cells(line)]
            values = [v for v in values if v]
            start, end = _trimmed(text, line.start, line.end)
            key = values[0].rstrip(" :") if len(values) > 1 else values[0]
            body = f"{key} : {' '.join(values[1:])}" if len(values) > 1 else key
            fields = {"entity": key, "row_header": key} if len(values) > 1 else {}
            out.append(("table_row", block.section, f"{caption}\n{body}", start, end, fields))
        return out

    body_lengths = [len(cell(c)) for r in body_rows for c in r[1:] if cell(c)]
    avg = sum(body_lengths) / max(1, len(body_lengths))
    corner = header_cells[0]
    if avg >= CELL_MODE_MIN_AVG:
        for row in body_rows:
            row_header = cell(row[0])
            for j, span in enumerate(row[1:], start=1):
                value = cell(span)
                if not value:
                    continue
                col_header = header_cells[j] if j < len(header_cells) else ""
                # an empty corner means the columns are the entities (structures) and rows their attributes
                entity, attribute = (col_header, row_header) if not corner else (row_header, col_header)
                start, end = _trimmed(text, *span)
                contextual = f"{caption}\n{entity} — {attribute} : {value}"
                fields = {"entity": entity, "attribute": attribute, "row_header": row_header,
                          "column_header": col_header}
                out.append(("table_cell", block.section, contextual, start, end, fields))
        return out
    for line, row in zip(block.lines[1:], body_rows):
        pairs, cells = [], []
        for j, span in enumerate(row):
            value = cell(span)
            if value:
                name = header_cells[j] if j < len(header_cells) and header_cells[j] else ""
                pairs.append(f"{name} : {value}" if name else value)
                cells.append((name, value))
        start, end = _trimmed(text, line.start, line.end)
        first = cell(row[0])
        fields = {"entity": first, "row_header": first, "cells": tuple(cells)} if first else {"cells": tuple(cells)}
        out.append(("table_row", block.section, f"{caption}\n" + " ; ".join(pairs), start, end, fields))
    return out


def _previous_line(text: str, start: int) -> tuple[int, int] | None:
    """Span of the last non-empty line before ``start`` (a contact's name above its address)."""
    end = len(text[:start].rstrip())
    if end == 0:
        return None
    line_start = text.rfind("\n", 0, end) + 1
    line_start, end = _trimmed(text, line_start, end)
    return (line_start, end) if clean_markup(text[line_start:end]) else None


def chunk_sheet(sheet: Sheet) -> list[Passage]:
    """Split one sheet into self-standing passages, in reading order."""
    blocks = _blocks(sheet)
    pieces: list[tuple[int, str, tuple[str, ...], str, int, int, dict]] = []
    text_blocks = [b for b in blocks if b.kind in ("text", "references")]
    for kind, section, start, end, info in _text_passages(sheet, text_blocks):
        start, end = _trimmed(sheet.text, start, end)
        body = clean_markup(sheet.text[start:end])
        if body:
            contextual = f"{_context(section)}\n{body}" if section else body
            fields = {"list_span": info.span, "list_intro": info.intro} if info else {}
            pieces.append((start, kind, section, contextual, start, end, fields))
    for block in blocks:
        if block.kind == "table":
            for kind, section, contextual, start, end, fields in _table_passages(sheet, block):
                if clean_markup(sheet.text[start:end]):
                    pieces.append((start, kind, section, contextual.strip(), start, end, fields))
    pieces.sort(key=lambda p: (p[0], p[5]))
    title = sheet.meta.title
    passages = []
    for n, (_, kind, section, contextual, start, end, fields) in enumerate(pieces):
        passages.append(
            Passage(
                id=f"{sheet.id}#{n}",
                sheet_id=sheet.id,
                kind=kind,
                section=section,
                text=f"{title}\n{contextual}",
                body=clean_markup(sheet.text[start:end]),
                start=start,
                end=end,
                previous_line=_previous_line(sheet.text, start),
                **fields,
            )
        )
    return passages


def chunk_corpus(sheets: list[Sheet]) -> list[Passage]:
    return [p for sheet in sheets for p in chunk_sheet(sheet)]


# -- the same parse, for display ------------------------------------------------------------------

@dataclass(frozen=True)
class SheetPart:
    """One displayable element of a sheet, located in its source text by the parse that chunking uses.

    Headings, paragraphs, list items and page furniture are one line each (``start``/``end`` of its
    text, a list item's bullet left out); a table is one part with the spans of its cells, row by row.
    """

    kind: str  # "heading", "paragraph", "item", "table", "furniture"
    start: int
    end: int
    level: int = 0  # headings: 1 (section) or 2 (subsection)
    block: int = -1  # paragraphs and items: the text block they belong to (one list per block)
    rows: tuple[tuple[tuple[int, int], ...], ...] = ()  # tables: each row's cell spans, empty cells kept
    header: bool = False  # tables: the first row names the columns


def sheet_layout(text: str) -> list[SheetPart]:
    """The sheet's headings, paragraphs, lists and tables in reading order, as chunking sees them."""
    headings: list[tuple[_Line, int]] = []
    blocks = _blocks_of(text, headings)
    heading_level = {line.start: level for line, level in headings}
    text_block: dict[int, int] = {}
    table_at: dict[int, _Block] = {}
    in_table: set[int] = set()
    for n, block in enumerate(blocks):
        for line in block.lines:
            if block.kind == "table":
                in_table.add(line.start)
            else:
                text_block[line.start] = n
        if block.kind == "table":
            table_at[block.lines[0].start] = block
    parts: list[SheetPart] = []
    for line in _lines(text):
        if line.start in table_at:
            block = table_at[line.start]
            rows = [_split_cells(ln) for ln in block.lines]
            header_cells = [clean_markup(text[a:b]) for a, b in rows[0]]
            width = max(len(r) for r in rows)
            parts.append(SheetPart("table", block.lines[0].start, block.lines[-1].end,
                                   rows=tuple(tuple(r) for r in rows),
                                   header=_has_header(header_cells, len(rows), width)))
            continue
        if line.start in in_table or not line.stripped:
            continue
        start, end = _trimmed(text, line.start, line.end)
        if line.start in heading_level:
            parts.append(SheetPart("heading", start, end, level=heading_level[line.start]))
        elif _is_furniture(line.raw) or _TOC.search(line.raw):
            parts.append(SheetPart("furniture", start, end))
        elif BULLET.match(line.raw):
            bullet = BULLET.match(line.raw).end()
            if line.stripped.startswith("**"):
                bullet = 0  # « **Plus d'informations…** »: bold, its first star is no bullet
            parts.append(SheetPart("item", *_trimmed(text, line.start + bullet, line.end),
                                   block=text_block.get(line.start, -1)))
        else:
            parts.append(SheetPart("paragraph", start, end, block=text_block.get(line.start, -1)))
    return parts
