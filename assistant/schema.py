"""The data objects passed along the pipeline: Sheet → Passage → Retrieved → Answer(citations)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .text import fold

# Sheet regions that are about every region (a national sheet, a sheet that does not say).
NOT_A_REGION = frozenset({"", "national", "nationale", "france", "non precisee", "non precise"})


@dataclass(frozen=True)
class SheetMeta:
    id: str
    title: str
    publisher: str
    region: str = ""
    date: str = ""  # as stated in the sheet; empty when the sheet carries none
    date_note: str = ""
    url: str = ""
    short_name: str = ""  # how an answer names the publisher after each quote (« URPS ML Occitanie »); optional

    @property
    def publisher_label(self) -> str:
        """The publisher as an answer names it after each quote: its short name when the sheet has one."""
        return self.short_name or self.publisher

    @property
    def date_label(self) -> str:
        return self.date or "non datée"

    @property
    def national(self) -> bool:
        """Whether the sheet is about every region: a national sheet, or one that does not say its region."""
        return fold(self.region).strip() in NOT_A_REGION


@dataclass(frozen=True)
class Sheet:
    meta: SheetMeta
    path: str
    text: str  # the whole source text, as in the file (spans index into it)
    sha256: str

    @property
    def id(self) -> str:
        return self.meta.id


Span = tuple[int, int]  # start and end offsets of a piece of a sheet's source text


@dataclass(frozen=True)
class Passage:
    """A self-standing piece of a sheet.

    ``text`` is what is searched and embedded (context such as table headers prepended);
    ``body`` is the readable quote; ``start``/``end`` locate the quoted text in the source file.
    The other fields carry the structure the passage sits in, so that engines read fields rather
    than parse ``text``: a table cell's entity and attribute with its row and column headers; the
    list a line belongs to with the sentence that introduces it; the line just before the passage.
    """

    id: str
    sheet_id: str
    kind: str  # "prose", "list", "table_cell", "table_row", "table", "references" (the sheet's sources)
    section: tuple[str, ...]
    text: str
    body: str
    start: int
    end: int
    entity: str = ""  # tables: what the cell or row is about (« MSP Maison de Santé… », « Occitanie »)
    attribute: str = ""  # table cells: which property (« Financements »)
    row_header: str = ""
    column_header: str = ""
    cells: tuple[tuple[str, str], ...] = ()  # table rows: (column header, value) pairs, in order
    list_span: Span | None = None  # the whole list this passage belongs to, introducing sentence included
    list_intro: Span | None = None  # the sentence that introduces that list (« … notamment : »)
    previous_line: Span | None = None  # the sheet's last non-empty line before the passage

    def to_dict(self) -> dict:
        d = asdict(self)
        d["section"] = list(self.section)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Passage":
        spans = {k: tuple(d[k]) for k in ("list_span", "list_intro", "previous_line") if d.get(k)}
        cells = tuple(tuple(c) for c in d.get("cells", ()))
        return cls(**{**d, "section": tuple(d["section"]), "cells": cells, **spans})


@dataclass(frozen=True)
class Retrieved:
    """A passage with the scores that ranked it for one question."""

    passage: Passage
    score: float  # fused (reciprocal rank fusion)
    dense: float | None = None  # cosine similarity, when dense search found it
    bm25: float | None = None
    dense_rank: int | None = None
    bm25_rank: int | None = None


@dataclass(frozen=True)
class Searched:
    """Streamed before the answer is written: what retrieval found, so a UI can show it at once."""

    standalone_question: str
    retrieved: tuple[Retrieved, ...]
    covered: bool


@dataclass(frozen=True)
class Citation:
    marker: int
    passage_id: str
    sheet_id: str
    title: str
    publisher: str
    date: str
    section: tuple[str, ...]
    text: str  # the quoted text, readable
    start: int
    end: int
    kind: str = ""  # the cited passage's kind ("table_cell", "prose"…), so a reader can name the source
    entity: str = ""  # tables: the structure or region the cell is about
    attribute: str = ""  # table cells: the property (« Financements »)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["section"] = list(self.section)
        return d


@dataclass(frozen=True)
class Answer:
    question: str
    standalone_question: str
    text: str
    abstained: bool
    engine: str
    citations: tuple[Citation, ...] = ()
    retrieved: tuple[Retrieved, ...] = ()
    warnings: tuple[str, ...] = ()
    timings_ms: dict = field(default_factory=dict)
    generation: dict = field(default_factory=dict)  # LLM only: prompt tokens (cached part) and times

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.text,
            "abstained": self.abstained,
            "engine": self.engine,
            "citations": [c.to_dict() for c in self.citations],
            "retrieved": [
                {
                    "rank": i + 1,
                    "passage_id": r.passage.id,
                    "sheet_id": r.passage.sheet_id,
                    "section": list(r.passage.section),
                    "kind": r.passage.kind,
                    "entity": r.passage.entity,
                    "attribute": r.passage.attribute,
                    "text": r.passage.body,
                    "start": r.passage.start,
                    "end": r.passage.end,
                    "score": round(r.score, 6),
                    "dense": None if r.dense is None else round(r.dense, 6),
                    "bm25": None if r.bm25 is None else round(r.bm25, 6),
                }
                for i, r in enumerate(self.retrieved)
            ],
            "warnings": list(self.warnings),
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "generation": dict(self.generation),
        }


@dataclass(frozen=True)
class Turn:
    role: str  # "user" | "assistant"
    content: str
