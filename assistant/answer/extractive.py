"""Extractive engine: the answer is made of the most relevant sentences, list or table cells, quoted and cited.

No model, deterministic, instant. Sentences are scored by the share of the question's weighted
(idf) content words they hold, with a prior for the passage's rank and a bonus when they carry
the kind of fact the question asks for (an amount, a phone number, an address) or, for a
definition or a comparison, when they define a structure the question names. A unit grows to
what it needs to stand alone: a sentence that refers back (« Ce site… ») takes the line before it,
and a list question gets the whole list with its introducing sentence.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Callable, Iterator

from ..acronyms import SCHEMES, acronyms_in, expand
from ..agents import names_someone, states_action
from ..benefits import announcement, lists_benefits
from ..chunking import BULLET, METADATA, states_fact
from ..definitions import definition_rule, defines, gives_long_form, glossary_defines, says_what_it_is
from ..facts import (carries, dates_origin, gives_count, has_quantity, names_variant, states_average,
                     states_average_duration, states_minimum, states_number, states_obligation, years_in)
from ..helpers import names_helpers
from ..lexical import tokenize
from ..members import states_members
from ..question import COMPARISON, CONTACT, DEFINITION, LIST, PROCEDURE, QUANTITY, STRUCTURES, Question
from ..schema import Passage
from ..steps import STEPS, sets_up, step_of
from ..subjects import about_others
from ..text import clean_markup, figures, sentence_spans
from .. import refusal
from .base import Context, Draft, make_citation, source_label

MAX_UNITS = 3
KEEP_RATIO = 0.72
MIN_SCORE = 0.2
OTHER_SOURCE_RATIO = 0.55
DEFINES_BONUS = 0.3
# a unit of a list of advantages, for a question on what something brings (« pourquoi rejoindre… »)
BENEFITS_BONUS = 0.3
# ...and more, up to this, as its heading or introducing sentence names whom the question asks about
# (« Avantages pour le système de santé »): the items of another beneficiary's list may name them too
BENEFICIARY_BONUS = 0.3
# the share of a date question's subject a unit holding a date must share to answer it
DATED_OVERLAP = 0.5
# a unit that names who helps with a project (« Acteurs pouvant vous accompagner », « … vous informe »), for a
# question on who helps: it answers whatever words it shares with the question
HELPERS_BONUS = 0.3
# a unit that gives a step of setting up the structure a « comment monter… ? » question names (its project, its
# legal form, its validation): it answers whatever words it shares with the question
STEPS_BONUS = 0.3
# a unit that states the action a « qui … ? » question asks the doer of and names someone (« Validation ARS & AM »)
DOER_BONUS = 0.3
# a unit holding the kind of fact asked (an amount, a phone…); whether something is required is the answer
# itself to « faut-il… ? », whatever words the question and the unit share
KIND_BONUS = {"rule": 0.35}
# ...and more when it says in so many words that something is or is not required
OBLIGATION_BONUS = 0.15
WHOLE_LIST_BONUS = 0.2
# a unit under another structure's heading, or in its table row, answers for that structure, not the one asked
ELSEWHERE_PENALTY = 0.3
MAX_LIST_ITEM_CHARS = 90
# the answered share of a question's specific terms under which the answer is a graded refusal
# (set on the development questions: `coordo eval --calibrate`)
MIN_ANSWER_COVERAGE = 0.0

# a question naming France asks for the whole country: a national sheet answers that part
FRANCE = frozenset(tokenize("France"))
# the words of a question about where the sheets' words come from: only it is answered by their list of sources
SOURCES_ASKED = frozenset(tokenize("source référence texte"))

# a sentence that refers back to the line before it (« Ce site propose… », « Créés par les ARS, ils… »)
_ANAPHORA = re.compile(r"^(?:Ce|Cet|Cette|Ces|Celui-ci|Celle-ci|Cela|Ceci|Il|Elle|Ils|Elles|Créée?s?)\b")


@dataclass(frozen=True)
class Unit:
    passage: Passage
    rank: int
    start: int
    end: int
    text: str  # readable text of the unit, as the answer shows it
    lead: str  # for table cells: "entity — attribute" shown before the quote
    score: float = 0.0
    source: str = ""  # the sheet's publisher and region: what its passages are about
    region: str = ""  # the region a regional sheet is about ("" for a national one)
    title: bool = False  # a section title that states a fact, above the passage it came with
    whole_list: bool = False  # a list with its introducing sentence, items shortened to their lead
    defining: bool = False  # it defines what a definition question asks about
    glossary: bool = False  # it is the glossary entry of what a definition question asks about (its long form)
    acting: bool = False  # it states the action a « qui … ? » question asks the doer of
    elsewhere: bool = False  # it sits under a heading or in a table row about other structures than those asked
    quote: str = ""  # the exact words of its span, when ``text`` shortens them (a whole list): what its citation quotes

    @property
    def quoted(self) -> str:
        return self.quote or self.text


def _short_header(header: str) -> str:
    """A table header for display, without long legal references in brackets (« (L. 6323-3 + circ…) »);
    a name spelled out in brackets stays (« ESCAP (Équipe de Soins Coordonnée Avec le Patient) »)."""
    return re.sub(r"\s*\((?=[^)]*\d)[^)]{40,}\)", "", header).strip()


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


def files_the_sheet(unit: Unit) -> bool:
    """Whether a unit only says where the sheet's words come from or how the sheet is filed: its list of
    sources, or a labelled line (« Source : DGOS avril 2023 », « Mots clés : … »)."""
    return unit.passage.kind == "references" or METADATA.match(unit.text) is not None


def titles_a_link(unit: Unit, source: str) -> bool:
    """Whether a unit is the title of a link in a list of links: a line with no address and no sentence of its
    own, whose next line is its address (« 3. Assurance Maladie – Structures coordonnées et rémunérations » above
    « https://www.ameli.fr/… »). It tells where to read more: it answers a question on where to find something,
    not one on what its words name."""
    if carries("site", unit.text) or unit.text.rstrip().endswith((".", "!", "?", ":")):
        return False
    following = next((line for line in source[unit.end:unit.end + 400].splitlines() if line.strip()), "")
    return carries("site", following)


def _row_entity(passage: Passage) -> set[str]:
    """Words of what a table row or cell is about (its first cell or row header); empty for prose."""
    return set(tokenize(_short_header(passage.entity))) if passage.kind.startswith("table") else set()


def _table_lead(passage: Passage) -> str:
    if passage.kind == "table_cell":
        entity = _short_header(passage.entity)
        return f"{entity} — {passage.attribute}" if passage.attribute else entity
    if passage.kind == "table_row":
        return " | ".join(name for name, _ in passage.cells if name)
    return ""


def list_unit(passage: Passage, rank: int, source: str) -> Unit | None:
    """The whole list a passage belongs to: its introducing sentence, then each item shortened to its
    lead (the words before its colon), so that a list question gets every item."""
    if not passage.list_span:
        return None
    start, end = passage.list_span
    intro = clean_markup(source[slice(*passage.list_intro)]) if passage.list_intro else ""
    items = []
    for line in source[start:end].splitlines():
        if not BULLET.match(line):
            continue
        item = clean_markup(BULLET.sub("", line, count=1)).lstrip("+-•→ ").strip()
        lead = re.split(r"\s:\s|:\s", item, maxsplit=1)[0].strip()
        if len(lead) > MAX_LIST_ITEM_CHARS:
            lead = lead[:MAX_LIST_ITEM_CHARS].rsplit(" ", 1)[0] + " […]"
        elif len(lead) < len(item):
            lead += " […]"
        if lead:
            items.append(lead.rstrip(" ;,."))
    if len(items) < 2:
        return None
    text = f"{intro} {' ; '.join(items)}".strip()
    section = passage.section[-1] if passage.section and not intro else ""
    # the answer shows each item's lead; the citation quotes the list as the sheet words it
    quote = "\n".join(BULLET.sub("", line, count=1).lstrip("+-•→ ").strip()
                      for line in clean_markup(source[start:end]).splitlines())
    return Unit(passage, rank, start, end, text, section, whole_list=True, quote=quote)


def units_of(passage: Passage, rank: int, source: str) -> list[Unit]:
    """Sentences (prose, lists) or the whole cell/row (tables) of a passage, with exact spans.

    A sentence that introduces a list ("... lorsque :") is kept with the item that follows it; a
    sentence that refers back to the line before it (« Ce site propose… ») is kept with that line.
    """
    headings = _fact_headings(passage, rank, source)
    if passage.kind == "table":
        # a table with no headers (a glossary: « PTA. Plateformes territoriales d'appui » beside
        # « MAIA. … ») is a grid of entries that each stand alone
        return [*_cells_of(passage, rank, source), *headings]
    if passage.kind.startswith("table"):
        return [Unit(passage, rank, passage.start, passage.end, passage.body, _table_lead(passage)), *headings]
    raw = source[passage.start : passage.end]
    merged: list[list[int]] = []
    for s, e in sentence_spans(raw):
        previous = raw[merged[-1][0] : merged[-1][1]].rstrip() if merged else ""
        if merged and (previous.endswith(":") or _ANAPHORA.match(raw[s:e])) and e - merged[-1][0] <= 500:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    spans = [(passage.start + s, passage.start + e) for s, e in merged]
    if spans and passage.previous_line and _ANAPHORA.match(source[spans[0][0] : spans[0][1]]):
        spans[0] = (passage.previous_line[0], spans[0][1])  # the line it refers to is just above the passage
    section = passage.section[-1] if passage.section else ""
    out = []
    for s, e in spans:
        text = clean_markup(source[s:e]).lstrip("-•→ ").strip()
        if text.endswith("?"):
            # a heading that asks a question (« … de quoi s'agit-il ? ») is answered by the sentence below it
            below = _answer_below(source, e)
            if below:
                start, end = below
                out.append(Unit(passage, rank, start, end, clean_markup(source[start:end]).lstrip("-•→ ").strip(),
                                text))
            continue
        if len(text) >= 12 or re.search(r"\d", text) or carries("contact", text):  # "5 ESS", "cpts-na.org" answer
            lead = section if len(text) < 60 and section else ""
            out.append(Unit(passage, rank, s, e, text, lead))
    return out + [h for h in headings if h.start != passage.start]


def _cells_of(passage: Passage, rank: int, source: str) -> list[Unit]:
    """Each cell of a table passage, with its exact span."""
    out = []
    for m in re.finditer(r"[^\t\n]+", source[passage.start : passage.end]):
        text = clean_markup(m.group()).strip()
        if text:
            out.append(Unit(passage, rank, passage.start + m.start(), passage.start + m.end(), text, ""))
    return out


def _answer_below(source: str, end: int, reach: int = 600) -> tuple[int, int] | None:
    """The first sentence after a question heading that ends at ``end`` (past sub-headings such as
    « Définition »), within ``reach`` characters, unless another question comes first."""
    window = source[end : end + reach]
    for s, e in sentence_spans(window):
        sentence = window[s:e]
        if sentence.rstrip().endswith("?"):
            return None
        if len(sentence) >= 40 and e < len(window):
            return end + s, end + e
    return None


def sheet_names(context: Context) -> set[str]:
    """Names that tell the sheets and their subjects apart: publishers, regions and the structures.

    Only these restrict an answer to passages that mention them; other names in a question
    (l'Assurance maladie, la DGOS) are ordinary words for scoring.
    """
    words = " ".join(f"{m.publisher} {m.region}" for m in context.sheets.values())
    return set(tokenize(f"{words} {' '.join(STRUCTURES)}"))


def _regions(context: Context) -> set[str]:
    """The words of the regions that regional sheets are about (Occitanie, Nouvelle-Aquitaine, Bretagne…)."""
    return set(tokenize(" ".join(m.region for m in context.sheets.values() if not m.national)))


def _only_about(unit: Unit, structure: str) -> bool:
    """Whether a unit is about this structure alone: a cell of its row or column, or a sentence that
    names no other structure."""
    if unit.passage.kind.startswith("table") and unit.passage.entity:
        return structure in acronyms_in(unit.passage.entity)
    return not set(acronyms_in(unit.text)) & set(STRUCTURES) - {structure}


def _lists_what_is_asked(unit: Unit, question: Question) -> bool:
    """Whether a unit belongs to a list of advantages of what the question asks about: its passage names
    every structure or scheme the question names (what a SISA brings to an MSP is not in a list of what
    the MSP brings). An organisation the question names (« l'Assurance maladie ») may be whose view it asks."""
    named = set(question.acronyms) & set(STRUCTURES + SCHEMES)
    return lists_benefits(unit.passage) and named <= set(acronyms_in(unit.passage.text))


def _about_the_structures(unit: Unit, question: Question) -> bool:
    """Whether a unit is about the structures the question names, or about none in particular (the
    interlocutors for ESS are not those for a CPTS)."""
    named = set(acronyms_in(f"{unit.passage.entity} {unit.text}")) & set(STRUCTURES)
    return not named or not question.structures or bool(named & set(question.structures))


def _per_sheet(units: list[Unit]) -> list[Unit]:
    """The best unit of each sheet, best first: each publisher's definition of a term, not three ways one sheet
    words it. A glossary entry only spells the term out: its sheet may also say what the term is."""
    chosen: list[Unit] = []
    for unit in units:
        if len(chosen) == MAX_UNITS:
            break
        if all((c.passage.sheet_id, c.glossary) != (unit.passage.sheet_id, unit.glossary) for c in chosen):
            chosen.append(unit)
    return chosen


def _per_list(units: list[Unit]) -> list[Unit]:
    """The best unit of each list or section of each sheet, best first: each list of advantages (each sheet,
    each beneficiary) gives other advantages, each sheet's composition of a structure other members."""
    chosen: list[Unit] = []
    for unit in units:
        if len(chosen) == MAX_UNITS:
            break
        if all(_list_of(c) != _list_of(unit) for c in chosen):
            chosen.append(unit)
    return chosen


def _per_step(cells: list[Unit]) -> list[Unit]:
    """How to set a structure up, from the cells that give its steps: for each step (project, legal form,
    validation), in order, the best cell that states it."""
    chosen = []
    for n in range(len(STEPS)):
        chosen += [u for u in cells if step_of(u.passage) == n][:1]
    return chosen


def _list_of(unit: Unit) -> tuple:
    """Which list or section of which sheet a unit belongs to."""
    return unit.passage.sheet_id, unit.passage.list_span or unit.passage.section


def _is_row(unit: Unit) -> bool:
    return unit.passage.kind == "table_row" and bool(unit.passage.cells) and not unit.title


def said(unit: Unit) -> str:
    """What a unit says, as one line: its words led by its table headers or section when it needs them."""
    passage = unit.passage
    if _is_row(unit):
        entity = _short_header(passage.entity)
        pairs = [f"{name} : {value}" for name, value in passage.cells if value != passage.entity]
        return f"{entity} — " + " ; ".join(pairs) if entity else " ; ".join(pairs)
    return f"{unit.lead} : {unit.text}" if unit.lead else unit.text


class ExtractiveEngine:
    name = "extractive"

    def __init__(self, idf=None, min_answer_coverage: float = MIN_ANSWER_COVERAGE):
        self._idf = idf  # Callable[[str], float]; uniform weights when absent
        self.min_answer_coverage = min_answer_coverage
        self._sheet_words: dict[str, set[str]] = {}  # sheet id -> its words, computed once

    def sheets_naming(self, token: str, context: Context) -> int:
        """How many sheets use this word anywhere (France: all of them; Belgique: one)."""
        for sheet_id in context.sheets:
            if sheet_id not in self._sheet_words:
                self._sheet_words[sheet_id] = set(tokenize(context.sheet_text(sheet_id)))
        return sum(token in self._sheet_words[sheet_id] for sheet_id in context.sheets)

    def _weight(self, token: str) -> float:
        return self._idf(token) if self._idf else 1.0

    @staticmethod
    def _unit_context(unit: Unit, whole_passage: bool = False) -> str:
        if whole_passage:
            return f"{unit.source} {unit.passage.text}"
        if unit.passage.kind in ("table_cell", "table_row"):
            return unit.passage.text  # the cell with its row and column headers
        return f"{' '.join(unit.passage.section)} {unit.lead} {unit.text}"

    def _context_words(self, unit: Unit, whole_passage: bool = False) -> set[str]:
        """The words of a unit (or its passage) and its headers, with the other form of each acronym they name."""
        return set(tokenize(expand(self._unit_context(unit, whole_passage))))

    def share(self, tokens: set[str] | frozenset[str], words: set[str]) -> float:
        """The (idf-weighted) share of these tokens among the words."""
        # fsum: a sum over a set follows the string hash order, which changes from process to process;
        # a plain float sum then made "all words found" come out as 0.9999999 in some processes only
        total = math.fsum(self._weight(t) for t in tokens)
        return math.fsum(self._weight(t) for t in tokens & words) / total if total else 0.0


    def overlap(self, question_tokens: set[str] | frozenset[str], unit: Unit, whole_passage: bool = False) -> float:
        """Share of the question's (idf-weighted) words found in the unit (or its passage) and headers."""
        if not question_tokens:
            return 1.0
        return self.share(question_tokens, self._context_words(unit, whole_passage))

    def score(self, question: Question, unit: Unit) -> float:
        # a regional sheet's units are about its region: « … en Nouvelle-Aquitaine ? » is matched by its sheet's
        # « CPTS — Financement » cell, which does not repeat the region's name
        overlap = self.share(question.concepts, self._context_words(unit) | set(tokenize(unit.region)))
        bonus = sum(KIND_BONUS.get(kind, 0.25) for kind in question.kinds if carries(kind, unit.text))
        if unit.defining:
            bonus += DEFINES_BONUS
        if "rule" in question.kinds and states_obligation(unit.text):
            bonus += OBLIGATION_BONUS  # « est-ce obligatoire ? » is answered by what says it is or is not
        if question.benefits and _lists_what_is_asked(unit, question):
            announced = set(tokenize(expand(announcement(unit.passage))))
            bonus += BENEFITS_BONUS + BENEFICIARY_BONUS * self.share(question.subject, announced)
        if question.helpers and names_helpers(unit.passage, unit.text):
            bonus += HELPERS_BONUS
        if unit.acting and names_someone(self._unit_context(unit)):
            bonus += DOER_BONUS
        if question.answer_type == PROCEDURE and question.structures and sets_up(unit.passage, question.structures[0]):
            bonus += STEPS_BONUS
        if unit.whole_list:
            bonus += WHOLE_LIST_BONUS  # a list question is answered by the whole list, not its first item
        if unit.elsewhere:
            bonus -= ELSEWHERE_PENALTY
        return overlap + bonus + 0.15 / unit.rank

    def units(self, context: Context) -> list[Unit]:
        """Every unit of the retrieved passages, scored for the question, best first."""
        question = context.question
        found = []
        for rank, r in enumerate(context.retrieved, start=1):
            source_text = context.sheet_text(r.passage.sheet_id)
            found += units_of(r.passage, rank, source_text)
            if question.answer_type == LIST:
                whole = list_unit(r.passage, rank, source_text)
                found += [whole] if whole else []
        if not SOURCES_ASKED & question.subject:
            found = [u for u in found if not files_the_sheet(u)]
        if question.answer_type != CONTACT and "site" not in question.kinds:
            found = [u for u in found if not titles_a_link(u, context.sheet_text(u.passage.sheet_id))]
        defining = question.answer_type == DEFINITION
        rule = definition_rule(
            question, lambda r: any(defines(u.passage, u.text, question, r.term, r.loose) for u in found),
            lambda r: any(says_what_it_is(u.text) and defines(u.passage, u.text, question, r.term, r.loose)
                          for u in found),
        ) if defining else None
        out = []
        for unit in found:
            meta = context.meta(unit.passage)
            unit = replace(
                unit, source=f"{meta.publisher} {meta.region}", region="" if meta.national else meta.region,
                defining=defining and defines(unit.passage, unit.text, question, rule.term, rule.loose),
                glossary=defining and glossary_defines(unit.text, question.defined_acronyms, question.defined),
                acting=bool(question.action) and states_action(self._unit_context(unit), question.action),
                elsewhere=about_others(unit.passage, question))
            out.append(replace(unit, score=self.score(question, unit)))
        out.sort(key=lambda u: (-u.score, u.rank, u.start))
        return out

    def answer_coverage(self, question: Question, chosen: list[Unit]) -> tuple[float, list[str]]:
        """How much of what the question specifically asks the chosen units state (idf-weighted share of
        its subject words beyond the structures it names), and the words of the question they lack."""
        asked = set(question.subject) - set(tokenize(" ".join(question.structures)))
        asked = {t for t in asked if self._weight(t) > 0 or not self._idf}
        if not asked or not chosen:
            return 1.0, []
        found = set()
        for unit in chosen:
            found |= self._context_words(unit, whole_passage=unit.title)
        return self.share(asked, found), question.words_for(asked - found)

    def answer(self, context: Context) -> Draft:
        chosen = self.select(context)
        return chosen if isinstance(chosen, Draft) else self.render(context, chosen)

    def select(self, context: Context) -> list[Unit] | Draft:
        """The units that answer the question, best first; or the refusal when none does."""
        question = context.question
        units = self.units(context)
        named = {t for t in question.names if self._weight(t) > 0}
        rare = {t for t in named if self.sheets_naming(t, context) <= 1}
        if units and any(all(self.overlap({t}, u, whole_passage=True) == 0 for u in units) for t in rare):
            # the question names something (la Belgique) that one sheet mentions in passing and no
            # retrieved passage does: the passages are about something else
            return refusal.refuse()
        names = named & sheet_names(context)
        if question.answer_type == COMPARISON and len(question.structures) >= 2:
            names -= set(tokenize(" ".join(question.structures)))  # each side is answered on its own
        if names:
            # the answer must be about what the question names (MSP in Bretagne, not CPTS in Bretagne); asked for
            # France too (« … en France et en Nouvelle-Aquitaine ? »), a national sheet answers for France
            national = names - _regions(context) if FRANCE & question.names else None
            units = [u for u in units if self.overlap(names, u, whole_passage=True) == 1.0
                     or national is not None and context.meta(u.passage).national
                     and self.overlap(national, u, whole_passage=True) == 1.0]
        # a question about one row of a table (« Combien de CPTS en Corse ? ») is not answered by the
        # total in the title above the table
        asked = set(tokenize(question.search_text))
        units = [u for u in units if not (u.title and _row_entity(u.passage) and _row_entity(u.passage) <= asked)]
        if not units:
            return refusal.refuse()
        candidates = units
        best = units[0].score
        specific = question.specific_kinds
        if specific:
            # a question for a phone number or an address is answered with one, or not at all
            # ...and the one given must be about the question's subject (the ARS's phone, not another one)
            holding = [
                u for u in units
                if any(carries(k, u.text) for k in specific)
                and self.overlap(question.subject, u, whole_passage=True) >= 0.5
                and self.overlap(question.names, u, whole_passage=True) == 1.0
            ]
            if not holding:
                return refusal.no_fact_of_kind(specific)
            units, best = holding, holding[0].score
        if best < MIN_SCORE:
            return refusal.refuse()
        if "figure" in question.kinds and not specific:
            # a "how much / how many" question is answered with figures when the passages hold some
            with_figures = [u for u in units if has_quantity(u.text) and u.score >= KEEP_RATIO * best]
            if with_figures:
                units, best = with_figures, with_figures[0].score
            elif question.quantity:
                # "combien de MSP en Occitanie ?" answered without a figure is not answered
                return refusal.no_figure()
            if question.counted:
                # ...nor « combien de centres de santé… » by a count of CPTS: the figure is of what it counts
                # ...nor by « Au moins 2 médecins et 1 paramédical » for « combien de MSP… »: its numbers count
                # something else; nor by « ACI : 80 105 € … » : an amount counts nothing
                counting = [u for u in units if question.counted <= self._context_words(u) and not (
                    question.counts and not gives_count(u.text, question.subject, lambda w: tokenize(expand(w))))]
                if not counting:
                    return refusal.no_figure(*self.quotes(context, units[:1]))
                units, best = counting, counting[0].score
            if question.answer_type == QUANTITY:
                # ...nor when no figure about its structure comes with the scheme it names (« au titre du FIR »), nor
                # by a figure of another year, another variant (« taille 1 » for « taille 3 »), or one that is not a
                # minimum or an average when that is asked: what the sheets do say is not the answer
                if unfigured := self._unfigured_schemes(question, candidates):
                    return refusal.no_figure(*self.quotes(context, units[:1]),
                                             lacking=f"donnent pas ce chiffre ({', '.join(unfigured)})")
                for fits, lacking in self._figure_conditions(question, context):
                    fitting = [u for u in units if fits(u)]
                    if not fitting:
                        return refusal.no_figure(*self.quotes(context, units[:1]), lacking=lacking)
                    units, best = fitting, fitting[0].score
        if "date" in question.kinds and not specific:
            # « depuis quand… » is answered with a date when the passages hold one
            # ...and, asked when something began, a date of that beginning (not the date of a survey or a figure)
            dated = self._stating("date", units, best, question,
                                  lambda u: not question.origin or dates_origin(self._unit_context(u)))
            if dated:
                units, best = dated, dated[0].score
            elif question.when or question.origin:
                # and only a date answers it: what the sheets do say is not presented as the answer
                return refusal.no_date(*self.quotes(context, units[:1]))
        if "duration" in question.kinds and not specific:
            # « dans quel délai… », « pour combien de temps… » is answered by a length of time, or not at all
            # ...and, asked for an average (« délai moyen »), by an average: a contract's length is not one
            lasting = self._stating("duration", units, best, question,
                                    lambda u: not question.average or states_average_duration(u.text))
            if not lasting:
                return refusal.no_duration(question.standalone, *self.quotes(context, units[:1]),
                                           average=question.average)
            units, best = lasting, lasting[0].score
        if question.expansion_of:
            # « que veut dire le sigle SISA ? » is answered by its long form, or not at all
            spelled = [u for u in units if u.score >= KEEP_RATIO * best and gives_long_form(
                self._unit_context(u), u.text, question.expansion_of)]
            if not spelled:
                return refusal.no_expansion(question.expansion_of, *self.quotes(context, units[:1]))
            units, best = spelled, spelled[0].score
        if question.defined and not question.expansion_of and not any(u.defining for u in units):
            # « Qu'est-ce que le forfait structure ? » that no passage defines: the sheets do not say what it is,
            # and a passage that only uses some of its words is not its definition
            return self._undefined(context, question, units)
        acting = [u for u in units if u.acting and _about_the_structures(u, question)]
        if question.answer_type == COMPARISON and len(question.structures) >= 2:
            chosen = self._per_structure(question, units)
        elif acting:
            chosen = self._choose(acting, acting[0].score)
        elif defining := [u for u in units if u.defining]:
            # what the term is comes before what it does (« … désigne un mode d'organisation » before « … permet »)
            chosen = _per_sheet(sorted(defining, key=lambda u: not says_what_it_is(u.text)))
        elif steps := [u for u in units if question.answer_type == PROCEDURE and question.structures
                       and sets_up(u.passage, question.structures[0])]:
            chosen = _per_step(steps)
        elif listing := [u for u in units if question.benefits and _lists_what_is_asked(u, question)]:
            chosen = _per_list(listing)
        elif helping := [u for u in units if question.helpers and names_helpers(u.passage, u.text)
                         and _about_the_structures(u, question)]:
            chosen = _per_list(helping)
        elif composition := [u for u in units if question.members and question.structures
                             and states_members(u.passage, question.structures[0], u.text)]:
            chosen = _per_list(composition)
        else:
            chosen = self._choose(units, best)
        if "figure" in question.kinds and len(chosen) < MAX_UNITS + 1:
            # another sheet may give another figure for the same thing: show it, with its date
            sheets = {u.passage.sheet_id for u in chosen}
            for unit in candidates:
                if unit.passage.sheet_id not in sheets and figures(unit.text) and unit.score >= OTHER_SOURCE_RATIO * best:
                    chosen.append(unit)
                    break
        coverage, missing = self.answer_coverage(question, chosen)
        if not refusal.states_what_is_asked(coverage, self.min_answer_coverage):
            lines, citations = self.quotes(context, chosen[:1])
            return refusal.graded(missing, lines, citations)
        return chosen

    def _undefined(self, context: Context, question: Question, units: list[Unit]) -> Draft:
        """The refusal of a definition no passage gives: what the best unit says of the term when it names all
        of the term's words, else the plain refusal."""
        term = question.defined_term
        naming = [u for u in units[:1] if question.defined <= self._context_words(u)]
        return refusal.no_definition(term, *self.quotes(context, naming))

    def _figure_conditions(self, question: Question, context: Context) -> list[tuple[Callable[[Unit], bool], str]]:
        """What a figure must also be to answer a "how many / how much" question, each with what the sheets lack
        when none is: a number (not « un » as an article), about the structure it names (not a figure of the ESP for
        a centre de santé), of the year and the numbered variant it names, a minimum when it asks the least, an
        average when it asks one."""
        conditions: list[tuple[Callable[[Unit], bool], str]] = [
            (lambda u: states_number(u.text) and _about_the_structures(u, question), "donnent pas ce chiffre")]
        if question.years:
            years = set(question.years)
            conditions.append((lambda u: bool(self.years_of(u, context) & years),
                               f"donnent pas ce chiffre pour {' ni '.join(question.years)}"))
        for variant in question.variants:
            conditions.append((lambda u, v=variant: names_variant(self._unit_context(u), v),
                               f"donnent pas ce chiffre pour « {variant} »"))
        if question.minimum:
            conditions.append((lambda u: states_minimum(u.text), "donnent pas de minimum"))
        if question.average:
            conditions.append((lambda u: states_average(u.text), "donnent pas de moyenne"))
        return conditions

    def _unfigured_schemes(self, question: Question, units: list[Unit]) -> list[str]:
        """The funding schemes a "how much" question names (« au titre du FIR ») that no retrieved figure about its
        structure comes with (the ESS's funding is not the FIR): none of the figures answers it. A figure near the
        best one may stand without the scheme's name (« une rémunération spécifique… 69 790 € » is the ACI)."""
        figures_of = [self._context_words(u) for u in units
                      if states_number(u.text) and _about_the_structures(u, question)]
        return [scheme for scheme in question.acronyms
                if scheme in SCHEMES and not any(set(tokenize(scheme)) <= words for words in figures_of)]

    def years_of(self, unit: Unit, context: Context) -> set[str]:
        """The years a unit's figure is of: those it or its headers name, else the year of its sheet's date."""
        return set(years_in(self._unit_context(unit))) or set(years_in(context.meta(unit.passage).date))

    def _stating(self, kind: str, units: list[Unit], best: float, question: Question,
                 also: Callable[[Unit], bool] = lambda unit: True) -> list[Unit]:
        """The units that hold a fact of this kind (a date, a length of time) about what the question asks
        (not the year of a reference in a bibliography), scored near the best."""
        return [u for u in units if carries(kind, u.text) and u.score >= KEEP_RATIO * best
                and self.overlap(question.subject, u, whole_passage=True) >= DATED_OVERLAP and also(u)]

    @staticmethod
    def _choose(units: list[Unit], best: float) -> list[Unit]:
        chosen: list[Unit] = []
        for unit in units:
            if len(chosen) == MAX_UNITS or unit.score < KEEP_RATIO * best:
                break
            if sum(1 for c in chosen if c.passage.id == unit.passage.id) >= 2:
                continue
            if any(c.passage.sheet_id == unit.passage.sheet_id and c.start <= unit.start < c.end
                   or unit.passage.sheet_id == c.passage.sheet_id and unit.start <= c.start < unit.end for c in chosen):
                continue  # the same text, reached from two passages (a title, a list)
            chosen.append(unit)
        return chosen

    def _per_structure(self, question: Question, units: list[Unit]) -> list[Unit]:
        """A comparison: for each structure the question names, in its order, the unit about that structure
        alone (its table cell, a sentence naming only it) that best says what the question asks of it.

        A comparison that does not say in what asks what each structure is: who makes each one up (from the
        same table when it can), then, for each, the unit that best says what else it is (its scale, its
        patients)."""
        known = lambda t: self._weight(t) > 0  # noqa: E731
        facet = question.facet_in(known)
        sides = question.structures[:MAX_UNITS]
        chosen: list[Unit] = []
        if question.compares_what_each_is(known):
            for structure in sides:
                first_sheet = chosen[0].passage.sheet_id if chosen else None
                members = [u for u in self._about(structure, units, chosen)
                           if _only_about(u, structure) and states_members(u.passage, structure, u.text)]
                members.sort(key=lambda u: (u.passage.sheet_id != first_sheet, -u.score))
                chosen += members[:1]
        for structure in sides:
            about = self._about(structure, units, chosen)
            if len(chosen) >= len(sides):  # what else each one is: a unit about it alone, not its members again
                about = [u for u in about if _only_about(u, structure) and not states_members(u.passage, structure, u.text)]
            about.sort(key=lambda u: (-_only_about(u, structure), -(self.overlap(facet, u) + u.score)))
            chosen += about[:1]
        return chosen or units[:1]

    @staticmethod
    def _about(structure: str, units: list[Unit], chosen: list[Unit]) -> list[Unit]:
        return [u for u in units if structure in acronyms_in(f"{u.passage.entity} {u.text}") and u not in chosen]

    def quotes(self, context: Context, chosen: list[Unit]) -> tuple[list[str], tuple]:
        """Each unit as a quoted line with its marker and its sheet's label, and its citation."""
        lines, citations = [], []
        for marker, unit in enumerate(chosen, start=1):
            meta = context.meta(unit.passage)
            lead = f"{unit.lead} : " if unit.lead else ""
            lines.append(f"- {lead}« {unit.text} » [{marker}] ({source_label(meta)})")
            citations.append(make_citation(marker, unit.passage, meta, unit.quoted, unit.start, unit.end))
        return lines, tuple(citations)

    def render(self, context: Context, chosen: list[Unit]) -> Draft:
        """The answer first, in the best unit's own words and fields; then the other quotes, each cited and dated."""
        lines, citations = self.quotes(context, chosen)
        first = chosen[0]
        meta = context.meta(first.passage)
        direct = self.direct(first)
        head = f"{direct} [1] ({source_label(meta)})"
        rest = lines[1:]
        sheets_with_figures = {u.passage.sheet_id for u in chosen if figures(u.text)}
        if len(sheets_with_figures) > 1:
            rest = ["Les chiffres viennent de sources et de dates différentes, chacun est donné avec sa fiche "
                    "et sa date :", *rest]
        elif rest:
            rest = ["Les fiches indiquent aussi :", *rest]
        return Draft("\n".join([head, *rest]), citations)

    @staticmethod
    def direct(unit: Unit) -> str:
        """The first sentence: the unit's own words, led by its table headers or section when it needs them."""
        if _is_row(unit):
            return said(unit)
        lead = f"{unit.lead} : " if unit.lead else ""
        return f"{lead}« {unit.text} »"

    def stream(self, context: Context) -> Iterator[str | Draft]:
        draft = self.answer(context)
        yield draft.text
        yield draft
