"""Extractive engine: the answer is made of the most relevant sentences or table cells, quoted and cited.

No model, deterministic, instant. Sentences are scored by the share of the question's weighted
(idf) content words they hold, with a prior for the passage's rank and a bonus when they carry
the kind of fact the question asks for (an amount, a phone number, an address).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterator

from ..acronyms import expand
from ..chunking import states_fact
from ..lexical import tokenize
from ..schema import Passage
from ..facts import SPECIFIC, asked_kinds, asks_quantity, carries, has_quantity, strip_kind_words
from ..text import clean_markup, figures, sentence_spans
from .base import REFUSAL, Context, Draft, make_citation, source_label

MAX_UNITS = 3
KEEP_RATIO = 0.72
MIN_SCORE = 0.2
OTHER_SOURCE_RATIO = 0.55

@dataclass(frozen=True)
class Unit:
    passage: Passage
    rank: int
    start: int
    end: int
    text: str  # readable text of the unit
    lead: str  # for table cells: "entity — attribute" shown before the quote
    score: float = 0.0
    source: str = ""  # the sheet's publisher and region: what its passages are about
    title: bool = False  # a section title that states a fact, above the passage it came with


def _short_header(header: str) -> str:
    """A table header for display, without long legal references in brackets."""
    return re.sub(r"\s*\([^)]{40,}\)", "", header).strip()


def _fact_headings(passage: Passage, rank: int, source: str) -> list[Unit]:
    """Section titles above a passage that state a fact (« ON COMPTE AUJOURD'HUI 427 CPTS… »), quoted
    from where they stand in the sheet: the total above a table's rows answers questions too."""
    out = []
    for heading in passage.section:
        if states_fact(heading):
            start = source.rfind(heading, 0, passage.start)
            if start >= 0:
                out.append(Unit(passage, rank, start, start + len(heading), heading, "", title=True))
    return out


def _row_entity(passage: Passage) -> set[str]:
    """Words of what a table row or cell is about (its first cell or row header); empty for prose."""
    if passage.kind == "table_row":
        return set(tokenize(passage.body.split(" | ", 1)[0]))
    if passage.kind == "table_cell":
        entity = passage.text.splitlines()[-1].split(" — ", 1)[0]
        return set(tokenize(_short_header(entity)))
    return set()


def units_of(passage: Passage, rank: int, source: str) -> list[Unit]:
    """Sentences (prose, lists) or the whole cell/row (tables) of a passage, with exact spans.

    A sentence that introduces a list ("... lorsque :") is kept with the items that follow it.
    """
    headings = _fact_headings(passage, rank, source)
    if passage.kind.startswith("table"):
        last = passage.text.splitlines()[-1]
        lead = ""
        if passage.kind == "table_cell" and last.endswith(passage.body):
            entity_attr = last[: len(last) - len(passage.body)].rstrip(" :")
            entity, _, attribute = entity_attr.partition(" — ")
            lead = f"{_short_header(entity)} — {attribute}" if attribute else _short_header(entity)
        elif passage.kind == "table_row":
            names = [pair.split(" : ", 1)[0] for pair in last.split(" ; ") if " : " in pair]
            lead = " | ".join(names)
        return [Unit(passage, rank, passage.start, passage.end, passage.body, lead), *headings]
    raw = source[passage.start : passage.end]
    spans = sentence_spans(raw)
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and raw[merged[-1][0] : merged[-1][1]].rstrip().endswith(":") and e - merged[-1][0] <= 500:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    section = passage.section[-1] if passage.section else ""
    out = []
    for s, e in merged:
        text = clean_markup(raw[s:e]).lstrip("-•→ ").strip()
        if len(text) >= 12 or re.search(r"\d", text):  # "5 ESS" is a whole answer
            lead = section if len(text) < 60 and section else ""
            out.append(Unit(passage, rank, passage.start + s, passage.start + e, text, lead))
    return out + [h for h in headings if h.start != passage.start]


_NAME = re.compile(r"(?<!^)\b([A-ZÀ-Ý][\wÀ-ÿ'-]*)")


def named_entities(question: str) -> set[str]:
    """Tokens of the names in a question (ARS, Occitanie, Pays d'Auray...), first word excepted."""
    from ..acronyms import ACRONYMS

    from ..glossary import _PATTERN as english_terms

    words = " ".join(m.group(1) for m in _NAME.finditer(question.strip()) if not english_terms.fullmatch(m.group(1)))
    tokens = set(tokenize(words))
    for short in ACRONYMS:
        if re.search(rf"\b{re.escape(short)}\b", words):
            tokens |= set(tokenize(short))
    return tokens


STRUCTURES = ("MSP", "CPTS", "ESP", "ESS", "CDS", "DAC", "ESCAP")


def sheet_names(context: Context) -> set[str]:
    """Names that tell the sheets and their subjects apart: publishers, regions and the structures.

    Only these restrict an answer to passages that mention them; other names in a question
    (l'Assurance maladie, la DGOS) are ordinary words for scoring.
    """
    words = " ".join(f"{m.publisher} {m.region}" for m in context.sheets.values())
    return set(tokenize(f"{words} {' '.join(STRUCTURES)}"))


def question_concepts(question: str) -> set[str]:
    """Content words of a question; an acronym and its long form count as one concept (the acronym)."""
    from ..acronyms import ACRONYMS, acronyms_in
    from ..glossary import french_terms, funding_terms

    tokens = set(tokenize(f"{question} {french_terms(question)} {funding_terms(question)}"))
    for short in acronyms_in(question):
        for long in ACRONYMS[short]:
            tokens -= set(tokenize(long))
        tokens |= set(tokenize(short))
    return tokens


class ExtractiveEngine:
    name = "extractive"

    def __init__(self, idf=None):
        self._idf = idf  # Callable[[str], float]; uniform weights when absent
        self._sheet_words: dict[str, set[str]] = {}  # sheet id -> its words, computed once

    def sheets_naming(self, token: str, context: Context) -> int:
        """How many sheets use this word anywhere (France: all of them; Belgique: one)."""
        for sheet_id in context.sheets:
            if sheet_id not in self._sheet_words:
                self._sheet_words[sheet_id] = set(tokenize(context.sheet_text(sheet_id)))
        return sum(token in self._sheet_words[sheet_id] for sheet_id in context.sheets)

    def _weight(self, token: str) -> float:
        return self._idf(token) if self._idf else 1.0

    def overlap(self, question_tokens: set[str], unit: Unit, whole_passage: bool = False) -> float:
        """Share of the question's (idf-weighted) words found in the unit (or its passage) and headers."""
        if not question_tokens:
            return 1.0
        if whole_passage:
            context = f"{unit.source} {unit.passage.text}"
        elif unit.passage.kind.startswith("table"):
            context = unit.passage.text
        else:
            context = f"{' '.join(unit.passage.section)} {unit.text}"
        unit_tokens = set(tokenize(expand(context)))
        # fsum: a sum over a set follows the string hash order, which changes from process to process;
        # a plain float sum then made "all words found" come out as 0.9999999 in some processes only
        total = math.fsum(self._weight(t) for t in question_tokens) or 1.0
        return math.fsum(self._weight(t) for t in question_tokens & unit_tokens) / total

    def score(self, question_tokens: set[str], unit: Unit, kinds: set[str]) -> float:
        overlap = self.overlap(question_tokens, unit)
        bonus = sum(0.25 for kind in kinds if carries(kind, unit.text))
        return overlap + bonus + 0.15 / unit.rank

    def answer(self, context: Context) -> Draft:
        kinds = asked_kinds(context.question)
        question_tokens = question_concepts(context.question)
        units = []
        for rank, r in enumerate(context.retrieved, start=1):
            meta = context.meta(r.passage)
            source = f"{meta.publisher} {meta.region}"
            for unit in units_of(r.passage, rank, context.sheet_text(r.passage.sheet_id)):
                unit = Unit(**{**unit.__dict__, "source": source})
                units.append(Unit(**{**unit.__dict__, "score": self.score(question_tokens, unit, kinds)}))
        named = {t for t in named_entities(context.question) if self._weight(t) > 0}
        rare = {t for t in named if self.sheets_naming(t, context) <= 1}
        if units and any(all(self.overlap({t}, u, whole_passage=True) == 0 for u in units) for t in rare):
            # the question names something (la Belgique) that one sheet mentions in passing and no
            # retrieved passage does: the passages are about something else
            return Draft(REFUSAL, (), abstained=True)
        names = named & sheet_names(context)
        if names:
            # the answer must be about what the question names (MSP in Bretagne, not CPTS in Bretagne)
            units = [u for u in units if self.overlap(names, u, whole_passage=True) == 1.0]
        # a question about one row of a table (« Combien de CPTS en Corse ? ») is not answered by the
        # total in the title above the table
        asked = set(tokenize(expand(context.question)))
        units = [u for u in units if not (u.title and _row_entity(u.passage) and _row_entity(u.passage) <= asked)]
        if not units:
            return Draft(REFUSAL, (), abstained=True)
        units.sort(key=lambda u: (-u.score, u.rank, u.start))
        candidates = units
        best = units[0].score
        specific = kinds & SPECIFIC
        if specific:
            # a question for a phone number or an address is answered with one, or not at all
            # ...and the one given must be about the question's subject (the ARS's phone, not another one)
            subject = question_concepts(strip_kind_words(context.question))
            names = named_entities(context.question)
            holding = [
                u for u in units
                if any(carries(k, u.text) for k in specific)
                and self.overlap(subject, u, whole_passage=True) >= 0.5
                and self.overlap(names, u, whole_passage=True) == 1.0
            ]
            if not holding:
                missing = {"phone": "numéro de téléphone", "email": "adresse électronique", "site": "site internet",
                           "contact": "contact"}
                what = " ni ".join(("d'" if missing[k][0] in "aeiou" else "de ") + missing[k] for k in sorted(specific))
                return Draft(f"Les fiches ne donnent pas {what} pour cette demande. " + REFUSAL.split(". ", 1)[1],
                             (), abstained=True)
            units, best = holding, holding[0].score
        if best < MIN_SCORE:
            return Draft(REFUSAL, (), abstained=True)
        if "figure" in kinds and not specific:
            # a "how much / how many" question is answered with figures when the passages hold some
            with_figures = [u for u in units if has_quantity(u.text) and u.score >= KEEP_RATIO * best]
            if with_figures:
                units, best = with_figures, with_figures[0].score
            elif asks_quantity(context.question):
                # "combien de MSP en Occitanie ?" answered without a figure is not answered
                return Draft("Les fiches ne donnent pas ce chiffre. " + REFUSAL.split(". ", 1)[1], (), abstained=True)
        chosen: list[Unit] = []
        for unit in units:
            if len(chosen) == MAX_UNITS or unit.score < KEEP_RATIO * best:
                break
            if sum(1 for c in chosen if c.passage.id == unit.passage.id) >= 2:
                continue
            if any((c.passage.sheet_id, c.start) == (unit.passage.sheet_id, unit.start) for c in chosen):
                continue  # the same title, reached from two passages under it
            chosen.append(unit)
        if "figure" in kinds and len(chosen) < MAX_UNITS + 1:
            # another sheet may give another figure for the same thing: show it, with its date
            sheets = {u.passage.sheet_id for u in chosen}
            for unit in candidates:
                if unit.passage.sheet_id not in sheets and figures(unit.text) and unit.score >= OTHER_SOURCE_RATIO * best:
                    chosen.append(unit)
                    break
        return self._render(context, chosen)

    def _render(self, context: Context, chosen: list[Unit]) -> Draft:
        lines, citations = [], []
        for marker, unit in enumerate(chosen, start=1):
            meta = context.meta(unit.passage)
            lead = f"{unit.lead} : " if unit.lead else ""
            lines.append(f"- {lead}« {unit.text} » [{marker}] ({source_label(meta)})")
            citations.append(make_citation(marker, unit.passage, meta, unit.text, unit.start, unit.end))
        sheets_with_figures = {u.passage.sheet_id for u in chosen if figures(u.text)}
        intro = "D'après les fiches :"
        if len(sheets_with_figures) > 1:
            intro = ("Les fiches donnent les éléments suivants ; les chiffres viennent de sources et de dates "
                     "différentes, chacun est donné avec sa fiche et sa date :")
        return Draft("\n".join([intro, *lines]), tuple(citations))

    def stream(self, context: Context) -> Iterator[str | Draft]:
        draft = self.answer(context)
        yield draft.text
        yield draft
