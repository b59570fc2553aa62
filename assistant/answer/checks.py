"""Checks on a generated answer: every marker points at a passage, every figure is in a cited passage."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import figure_set, figures

MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
# a sentence ends at . ! ? (not inside a number such as 1.5) or after its markers, or at a line break
_END = re.compile(r"(?:(?<!\d)[.!?](?:\s*\[[\d,; ]+\])*|\](?=\s+[A-ZÀ-Ý«(]))\s+|\n+")


def answer_sentences(text: str) -> list[str]:
    out, start = [], 0
    for m in _END.finditer(text):
        out.append(text[start : m.end()])
        start = m.end()
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


@dataclass(frozen=True)
class CheckedSentence:
    text: str  # without markers
    markers: tuple[int, ...]  # valid markers only
    problem: str = ""  # why the sentence cannot be shown as sourced


@dataclass(frozen=True)
class CheckResult:
    sentences: tuple[CheckedSentence, ...]
    warnings: tuple[str, ...]


def check_answer(answer: str, sources: dict[int, str]) -> CheckResult:
    """Split an answer into sentences and check each against the passages it cites.

    Args:
        answer: the model's text, with markers such as [1] or [1, 2].
        sources: passage text by marker number, as numbered in the prompt.
    """
    sentences, warnings = [], []
    for raw in answer_sentences(answer):
        numbers = [int(n) for m in MARKER.finditer(raw) for n in re.split(r"\s*[,;]\s*", m.group(1))]
        text = MARKER.sub("", raw).strip()
        if not text or re.fullmatch(r"[\W_]+", text):
            continue
        valid = tuple(dict.fromkeys(n for n in numbers if n in sources))
        invalid = sorted(set(numbers) - set(valid))
        if invalid:
            warnings.append(f"Renvoi(s) {invalid} vers aucun extrait retiré(s) de : « {text[:80]} »")
        supported = set()
        for n in valid:
            supported |= figure_set(sources[n])
        unsupported = [f for f in figures(text) if f not in supported]
        problem = ""
        if unsupported:
            problem = f"chiffre(s) absent(s) des extraits cités : {', '.join(unsupported)}"
        elif not valid:
            problem = "phrase sans source"
        if problem:
            warnings.append(f"Phrase retirée ({problem}) : « {text[:80]} »")
        sentences.append(CheckedSentence(text=text, markers=valid, problem=problem))
    return CheckResult(tuple(sentences), tuple(warnings))
