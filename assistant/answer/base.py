"""What every answer engine shares: the draft it returns, citation building and the refusal text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Protocol

from ..question import Question, analyse
from ..schema import Citation, Passage, Retrieved, SheetMeta


@dataclass(frozen=True)
class Draft:
    """An engine's answer before the pipeline adds timings and retrieval details."""

    text: str
    citations: tuple[Citation, ...]
    abstained: bool = False
    warnings: tuple[str, ...] = ()
    generation: dict = field(default_factory=dict)  # the LLM's prompt tokens and times (GenerationStats)


@dataclass(frozen=True)
class Context:
    """What an engine may use: the analysed question, the ranked passages and the sheets' metadata and texts."""

    question: Question
    retrieved: tuple[Retrieved, ...]
    sheets: dict[str, SheetMeta]
    sheet_text: object  # Callable[[str], str]

    def __post_init__(self):
        if isinstance(self.question, str):  # a caller with plain text (tests, tools): analysed here, once
            object.__setattr__(self, "question", analyse(self.question))

    def meta(self, passage: Passage) -> SheetMeta:
        return self.sheets.get(passage.sheet_id) or SheetMeta(id=passage.sheet_id, title=passage.sheet_id, publisher="")


class AnswerEngine(Protocol):
    name: str

    def answer(self, context: Context) -> Draft: ...

    def stream(self, context: Context) -> Iterator[str | Draft]:
        """Text pieces as they are produced, then the final Draft."""
        ...


def make_citation(marker: int, passage: Passage, meta: SheetMeta, text: str, start: int, end: int) -> Citation:
    return Citation(
        marker=marker,
        passage_id=passage.id,
        sheet_id=passage.sheet_id,
        title=meta.title,
        publisher=meta.publisher,
        date=meta.date_label,
        section=passage.section,
        text=text,
        start=start,
        end=end,
        kind=passage.kind,
        entity=passage.entity,
        attribute=passage.attribute,
    )


def source_label(meta: SheetMeta) -> str:
    """The sheet of a quote, after it in an answer: its publisher (short name) and its date."""
    return f"{meta.publisher_label}, {meta.date_label}" if meta.publisher_label else meta.date_label
