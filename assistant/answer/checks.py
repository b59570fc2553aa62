"""Checks on a generated answer: every marker points at a passage, and what each sentence states (its
figures, its content words, a negation, a bare yes or no) is in the passages it cites."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..lexical import tokenize
from ..text import figure_set, figures

# share of a sentence's content words (beyond the question's own) that its cited passages must hold
MIN_SUPPORTED_WORDS = 0.5
_NEGATION = re.compile(r"\b(?:ne|n')\b[^.?!]*?\b(?:pas|plus|jamais|aucune?|ni)\b|\baucune?\b|\bsans\b|\bnon\b", re.I)
_BARE_YES_NO = re.compile(r"^\W*(?:oui|non|yes|no)\W*$", re.I)

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


def unsupported_claim(text: str, cited: list[str], question_terms: frozenset[str] = frozenset()) -> str:
    """Why a sentence states something its cited passages do not (empty when they support it)."""
    if _BARE_YES_NO.match(re.sub(r"[.!]+$", "", text.strip())):
        return "oui/non sans affirmation vérifiable"
    if re.match(r"^\W*(?:oui|non)\b", text, re.I) is not None and not cited:
        return "oui/non sans source"
    words = set(tokenize(text)) - set(question_terms)
    held = set().union(*(set(tokenize(c)) for c in cited)) if cited else set()
    if len(words) >= 3 and len(words & held) / len(words) < MIN_SUPPORTED_WORDS:
        return "affirmation absente des extraits cités"
    if _NEGATION.search(re.sub(r"^\W*non\b", "", text, flags=re.I)) and not any(_NEGATION.search(c) for c in cited):
        return "négation absente des extraits cités"
    return ""


def check_answer(answer: str, sources: dict[int, str], question_terms: frozenset[str] = frozenset()) -> CheckResult:
    """Split an answer into sentences and check each against the passages it cites.

    Args:
        answer: the model's text, with markers such as [1] or [1, 2].
        sources: passage text by marker number, as numbered in the prompt.
        question_terms: the question's own content words, which a sentence may repeat without a source.
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
        else:
            problem = unsupported_claim(text, [sources[n] for n in valid], question_terms)
        if problem:
            warnings.append(f"Phrase retirée ({problem}) : « {text[:80]} »")
        sentences.append(CheckedSentence(text=text, markers=valid, problem=problem))
    return CheckResult(tuple(sentences), tuple(warnings))
