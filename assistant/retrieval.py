"""Hybrid retrieval: BM25 and dense search fused by reciprocal rank fusion, and the "not covered" decision."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .acronyms import STRUCTURES, acronyms_in, expand
from .agents import names_doer
from .benefits import announcement, lists_benefits
from .definitions import definition_rule, passage_defines, passage_says_what_it_is
from .facts import carries, counts, dates_origin
from .glossary import _PATTERN as _GLOSSARY
from .index import OpenIndex
from .helpers import names_helpers
from .lexical import tokenize
from .members import states_members
from .question import COMPARISON, DATE, DEFINITION, PROCEDURE, QUANTITY, Question, analyse
from .schema import Retrieved
from .steps import sets_up
from .subjects import about_others

# A "how do I…" question is answered by the steps and the people who help: their words join its search.
PROCEDURE_TERMS = "accompagnement accompagner interlocuteurs projet de santé validation étapes"
# A "how do I…" question about a structure also ranks the cells that give that structure's steps (its project,
# its legal form, its validation), weighted like this.
STEPS_WEIGHT = 1.0
# A question on what something brings (« pourquoi rejoindre… ») also ranks the passages of the sheets' lists of
# advantages, weighted like this.
BENEFITS_WEIGHT = 1.0
# « Depuis quand… », « en quelle année sont apparues… » are answered by when something was born, created or
# introduced: these words join its search.
DATE_TERMS = "naissance création créée introduite"
# « Est-ce obligatoire ? », « Faut-il forcément… ? » are answered by what states an obligation or its absence:
# these words join its search.
OBLIGATION_TERMS = "obligation obligatoire obligé volontariat volontaire forcément facultatif"
# A question on when something happened also ranks the passages that hold a date, weighted like this.
DATED_WEIGHT = 1.0
# A question on when something began (« … ont vu le jour ? ») also ranks the passages that date a beginning,
# weighted like this: only such a date answers it (a question for a phone number weighs its list as much)
ORIGIN_WEIGHT = 2.0
# A "how many" question also ranks the passages that give a count of what it counts, weighted like the two other
# lists together: only such a count answers it (as only a phone number answers a question for one)
COUNT_WEIGHT = 2.0
# A question on who makes a structure up (« qui peut adhérer à une CPTS ? ») also ranks the passages that give
# its composition, weighted like this.
MEMBERS_WEIGHT = 1.0
# A question on who helps with a project (« vers qui se tourner pour créer une MSP ? ») also ranks the passages
# that name interlocutors, weighted like this.
HELPERS_WEIGHT = 1.0
# A question on who does something (« qui finance les centres de santé ? ») also ranks the passages that state
# that action and name someone, weighted like this.
DOER_WEIGHT = 1.0
# A question on one attribute of a structure (« que mettre dans le projet de santé d'une ESS ? ») also ranks the
# table cells of that structure's row whose attribute it names, weighted like this.
CELLS_WEIGHT = 1.0
# The (idf-weighted) share of an attribute's words a question must hold to name it (« le projet de santé » names
# « Projet de santé »; « professionnels de santé » does not).
MIN_ATTRIBUTE_SHARE = 0.5
# The share of known words a question needs when it names a structure or an acronym of the field.
FIELD_TERMS_FACTOR = 0.5
# A comparison ranks, for each structure it names (up to this many), the passages about that structure
# for what the question asks of it: each side then has its own passage among the top k.
MAX_SIDES = 3
# A passage that names other structures too counts this much for one side of a comparison.
SHARED_PASSAGE_WEIGHT = 0.5
# A definition question also ranks the passages that define what it names, weighted like this against
# the BM25 and dense lists (1.0 each).
DEFINING_WEIGHT = 1.0
# How many terms' defining passages are kept (found once per term: one pass over the passages).
MAX_CACHED_DEFINITIONS = 512


def rrf(rankings: list[list[int]], k: int = 60, weights: list[float] | None = None) -> dict[int, float]:
    """Reciprocal rank fusion of several rankings of item ids (best first), optionally weighted."""
    fused: dict[int, float] = {}
    for n, ranking in enumerate(rankings):
        weight = weights[n] if weights else 1.0
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


@dataclass(frozen=True)
class Coverage:
    """Signals used to decide whether the sheets cover a question."""

    top_dense: float
    term_coverage: float  # share of the question's content words that occur in the corpus
    unknown: tuple[str, ...] = ()  # names and years of the question that no sheet mentions
    names_field: bool = False  # the question names a structure or an acronym of the field (CPTS, ACI…)

    def covered(self, min_dense: float, min_terms: float) -> bool:
        # a question that names a structure of the field is about the sheets' subject even when its other
        # words are the asker's own (« quelles missions une CPTS est-elle tenue de remplir ? »)
        terms = min_terms * FIELD_TERMS_FACTOR if self.names_field else min_terms
        return self.top_dense >= min_dense and self.term_coverage >= terms and not self.unknown


@dataclass(frozen=True)
class SearchResult:
    passages: tuple[Retrieved, ...]
    coverage: Coverage


class HybridRetriever:
    """Ranks the passages of an open index for a question."""

    def __init__(self, index: OpenIndex, embeddings, *, candidates: int = 30, rrf_k: int = 60):
        self.index = index
        self.embeddings = embeddings
        self.candidates = candidates
        self.rrf_k = rrf_k
        self._position = {p.id: i for i, p in enumerate(index.passages)}
        self._holding: dict[frozenset, list[int]] = {}
        self._naming: dict[str, list[int]] = {}
        self._defining: dict[tuple, list[int]] = {}
        self._benefits: list[int] | None = None
        self._origins: list[int] | None = None
        self._helpers: list[int] | None = None
        self._steps: dict[str, list[int]] = {}  # one entry per structure the question names: bounded
        self._members: dict[str, list[int]] = {}  # likewise
        self._cells: dict[str, list[int]] = {}  # one entry per structure: bounded
        self._doing: dict[frozenset, list[int]] = {}  # one entry per action asked: bounded like definitions
        self._counting: dict[frozenset, list[int]] = {}  # one entry per thing counted: bounded likewise

    def bm25(self, question: Question, k: int) -> list[tuple[int, float]]:
        scores = self.index.lexical.scores(self._lexical_query(question))
        order = np.argsort(-scores, kind="stable")[:k]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]

    @staticmethod
    def _lexical_query(question: Question) -> str:
        if question.answer_type == PROCEDURE:
            return f"{question.search_text} {PROCEDURE_TERMS}"
        if question.answer_type == DATE:
            return f"{question.search_text} {DATE_TERMS}"
        if "rule" in question.kinds:
            return f"{question.search_text} {OBLIGATION_TERMS}"
        return question.search_text

    def holding(self, kinds: frozenset[str], question: Question) -> list[int]:
        """Passages that hold a fact of these kinds, those of the region the question names first, then best
        BM25 first."""
        key = frozenset(kinds)
        if key not in self._holding:
            self._holding[key] = [
                i for i, p in enumerate(self.index.passages) if any(carries(k, p.body) for k in kinds)
            ]
        scores = self.index.lexical.scores(self._lexical_query(question))
        return self._named_first(self._holding[key], scores, question)

    def counting(self, question: Question) -> list[int]:
        """The passages that give a count of what a "how many" question counts: a number with it (« 313 MSP »), or
        a « Nombre » cell of its row (« MSP — Nombre (au 31.12.2022) : 2251 en fonctionnement »), those of the region
        the question names first, then best BM25 first."""
        if question.counted not in self._counting:
            if len(self._counting) >= MAX_CACHED_DEFINITIONS:  # what is counted comes from visitors: newest only
                del self._counting[next(iter(self._counting))]
            stems = lambda word: tokenize(expand(word))  # noqa: E731
            self._counting[question.counted] = [i for i, p in enumerate(self.index.passages)
                                                if p.kind != "references" and _gives_count(p, question.counted, stems)]
        return self._named_first(self._counting[question.counted], self.index.lexical.scores(question.search_text),
                                 question)

    def originating(self, question: Question) -> list[int]:
        """The passages that date a beginning (« Naissance : 2007 », « lancée début 2022 »), those about the
        structures the question names first, then best BM25 first."""
        if self._origins is None:
            self._origins = [i for i, p in enumerate(self.index.passages)
                             if p.kind != "references" and dates_origin(p.text)]
        scores = self.index.lexical.scores(self._lexical_query(question))
        passages, asked = self.index.passages, set(question.structures)
        about = {i for i in self._origins if asked & set(acronyms_in(passages[i].entity or passages[i].body))}
        return sorted(self._origins, key=lambda i: (bool(asked) and i not in about, -scores[i]))[: self.candidates]

    def _best(self, positions: list[int], scores) -> list[int]:
        """These passages, best score first, as many as a ranking holds."""
        return sorted(positions, key=lambda i: -scores[i])[: self.candidates]

    def about(self, structure: str, question: Question, sheet: str = "") -> list[int]:
        """Passages about one structure (a table cell of its row or column, a sentence naming it),
        best first for what the question asks of it (its facet) and the structure's own words. For a
        comparison that asks what each structure is, the passages that say who makes it up come first, those
        of ``sheet`` (the other side's table) before the others."""
        if structure not in self._naming:
            self._naming[structure] = {}
            for i, p in enumerate(self.index.passages):
                named = acronyms_in(f"{p.entity} {p.body}")
                if structure in named:
                    # a passage about this structure alone says more of it than one listing them all
                    own = structure in acronyms_in(p.entity) or not set(named) - {structure} & set(STRUCTURES)
                    self._naming[structure][i] = 1.0 if own else SHARED_PASSAGE_WEIGHT
        naming = self._naming[structure]
        scores = self.index.lexical.token_scores([*question.facet_in(self.index.lexical.known), *tokenize(structure)])
        # what each structure is: who makes it up first
        composition = set(self._composition(structure)) if question.compares_what_each_is(self.index.lexical.known) else set()
        passages = self.index.passages
        # compared on one attribute (« le projet de santé de la CPTS… celui de la MSP »): the structure's cell under
        # that attribute first
        named = {i: self._attribute_named(i, question) for i in naming}
        return sorted(naming, key=lambda i: (i not in composition, i in composition and passages[i].sheet_id != sheet,
                                             -named[i], -scores[i] * naming[i]))[: self.candidates]

    def defining(self, question: Question) -> list[int]:
        """Passages that define what a definition question names (its acronyms, or its term), best BM25
        first for the question."""
        key = (question.defined_acronyms, question.defined)
        if key not in self._defining:
            if len(self._defining) >= MAX_CACHED_DEFINITIONS:  # terms come from visitors: keep the newest only
                del self._defining[next(iter(self._defining))]
            passages = self.index.passages
            rule = definition_rule(question, lambda r: any(passage_defines(p, question, r) for p in passages),
                                   lambda r: any(passage_says_what_it_is(p, question, r) for p in passages))
            defining = [i for i, p in enumerate(passages) if passage_defines(p, question, rule)]
            self._defining[key] = (defining, {i for i in defining
                                              if passage_says_what_it_is(passages[i], question, rule)})
        defining, what_it_is = self._defining[key]
        scores = self.index.lexical.scores(question.search_text)
        # what the term is before what it does (« … désigne un mode d'organisation » before « … permet »)
        ranked = sorted(defining, key=lambda i: (i not in what_it_is, -scores[i]))[: self.candidates]
        return _sheet_by_sheet(ranked, self.index.passages)

    def benefiting(self, question: Question) -> list[int]:
        """Passages of the sheets' lists of advantages, best BM25 first for the question's subject (whose
        gain: the patient's, the physician's, the health system's), not for the words that ask for a gain."""
        if self._benefits is None:
            self._benefits = [i for i, p in enumerate(self.index.passages) if lists_benefits(p)]
        scores = self.index.lexical.token_scores(sorted(question.subject))
        found = [i for i in self._benefits if scores[i] > 0]
        top = max((scores[i] for i in found), default=1.0) or 1.0
        # the lists announced for whom the question asks about (« Avantages pour le patient ») first: the items of
        # another's list may share more of its words
        idf = self.index.lexical.idf
        total = sum(idf(t) for t in question.subject) or 1.0
        announced = {i: sum(idf(t) for t in question.subject & set(tokenize(expand(announcement(self.index.passages[i])))))
                     / total for i in found}
        return sorted(found, key=lambda i: -(scores[i] / top + announced[i]))[: self.candidates]

    def helping(self, question: Question) -> list[int]:
        """The passages that name who helps professionals with their project, those of the region the question
        names first."""
        if self._helpers is None:
            self._helpers = [i for i, p in enumerate(self.index.passages) if names_helpers(p)]
        return self._named_first(self._helpers, self.index.lexical.scores(question.search_text), question)

    def cells(self, structure: str, question: Question) -> list[int]:
        """The table cells of a structure's row (or column) whose attribute the question names, the attribute
        best named first, then best BM25 first."""
        if structure not in self._cells:
            self._cells[structure] = [i for i, p in enumerate(self.index.passages)
                                      if p.kind == "table_cell" and structure in acronyms_in(p.entity)]
        named = {i: share for i in self._cells[structure] if (share := self._attribute_named(i, question))}
        scores = self.index.lexical.scores(question.search_text)
        return sorted(named, key=lambda i: (-named[i], -scores[i]))[: self.candidates]

    def _attribute_named(self, position: int, question: Question) -> float:
        """How much of a table cell's attribute the question names (idf-weighted share of its words), or 0 when
        under MIN_ATTRIBUTE_SHARE: « le projet de santé » names « Projet de santé »."""
        passage, lexical = self.index.passages[position], self.index.lexical
        if passage.kind != "table_cell":
            return 0.0
        attribute = {t for t in tokenize(passage.attribute) if not t.isdigit()}
        total = sum(lexical.idf(t) for t in attribute)
        share = sum(lexical.idf(t) for t in attribute & question.subject) / total if total else 0.0
        return share if share >= MIN_ATTRIBUTE_SHARE else 0.0

    def doing(self, question: Question) -> list[int]:
        """The passages that state the action a « qui … ? » question asks the doer of and name someone, best
        BM25 first for the question and the action's other words (« gestionnaire » for « gère »)."""
        if question.action not in self._doing:
            if len(self._doing) >= MAX_CACHED_DEFINITIONS:  # actions come from visitors: keep the newest only
                del self._doing[next(iter(self._doing))]
            self._doing[question.action] = [i for i, p in enumerate(self.index.passages)
                                            if names_doer(p.text, question.action)]
        scores = self.index.lexical.token_scores([*tokenize(question.search_text), *sorted(question.action)])
        return self._best(self._doing[question.action], scores)

    def _named_first(self, positions: list[int], scores, question: Question) -> list[int]:
        """These passages, those of the sheets whose region or publisher the question names first (a site for
        Nouvelle-Aquitaine is on its sheet), then best score first."""
        # a structure the question names (« CPTS ») is not the publisher « CPTS du Pays d'Auray »
        names = question.names - set(tokenize(" ".join(STRUCTURES)))
        named = {sheet_id for sheet_id, meta in self.index.sheets.items()
                 if set(tokenize(f"{meta.publisher} {meta.region}")) & names}
        passages = self.index.passages
        return sorted(positions, key=lambda i: (passages[i].sheet_id not in named, -scores[i]))[: self.candidates]

    def steps(self, structure: str) -> list[int]:
        """The cells that give a structure's steps, in the sheets' order (found once per structure)."""
        if structure not in self._steps:
            self._steps[structure] = [i for i, p in enumerate(self.index.passages) if sets_up(p, structure)]
        return self._steps[structure][: self.candidates]

    def members(self, structure: str, question: Question) -> list[int]:
        """The passages that say who makes a structure up, best BM25 first."""
        return self._best(self._composition(structure), self.index.lexical.scores(question.search_text))

    def _composition(self, structure: str) -> list[int]:
        """The passages that say who makes a structure up, found once per structure."""
        if structure not in self._members:
            self._members[structure] = [i for i, p in enumerate(self.index.passages) if states_members(p, structure)]
        return self._members[structure]

    def dense(self, question: Question, k: int) -> list[tuple[int, float]]:
        vector = self.embeddings.embed_query(question.standalone)
        n = min(k, len(self.index.passages))
        got = self.index.collection.query(query_embeddings=[vector], n_results=n, include=["distances", "metadatas"])
        out = []
        for meta, distance in zip(got["metadatas"][0], got["distances"][0]):
            position = self._position.get(meta["passage_id"])
            if position is not None:
                out.append((position, 1.0 - float(distance)))
        return out

    def term_coverage(self, question: Question) -> float:
        """Share of the question's topic words found in the corpus (English terms count via the glossary); the
        words that only say what kind of answer it wants (« qu'entend-on par… ») are not its topic."""
        tokens = [t for t in tokenize(question.topic) if not t.isdigit()]
        if not tokens:
            return 0.0
        glossed = set(tokenize(" ".join(question.english_terms)))
        return sum(self.index.lexical.known(t) or t in glossed for t in tokens) / len(tokens)

    def unknown_names(self, question: Question) -> tuple[str, ...]:
        """Proper names and years in the question that appear in no sheet (Québec, 2030...)."""
        candidates = [*question.name_words, *question.years]
        unknown = []
        for word in candidates:
            tokens = tokenize(word)
            if tokens and not any(self.index.lexical.known(t) for t in tokens) and not _GLOSSARY.fullmatch(word):
                unknown.append(word)
        return tuple(unknown)

    def search(self, question: Question | str, k: int = 5, mode: str = "hybrid") -> SearchResult:
        """Top ``k`` passages (``mode``: hybrid, bm25 or dense) and the coverage signals."""
        if isinstance(question, str):
            question = analyse(question)
        lexical = self.bm25(question, self.candidates) if mode in ("hybrid", "bm25") else []
        dense = self.dense(question, self.candidates) if mode in ("hybrid", "dense") else []
        rankings, weights = [[i for i, _ in lexical], [i for i, _ in dense]], [1.0, 1.0]
        wanted = question.specific_kinds
        if wanted and mode == "hybrid":
            # a question for a phone number or an address also ranks the passages that hold one,
            # weighted like the two other lists together
            rankings.append(self.holding(wanted, question))
            weights.append(2.0)
        if "date" in question.kinds and mode == "hybrid":
            # « depuis quand… » also ranks the passages that hold a date; « … ont vu le jour » those that date a
            # beginning
            rankings.append(self.originating(question) if question.origin
                            else self.holding(frozenset({"date"}), question))
            weights.append(ORIGIN_WEIGHT if question.origin else DATED_WEIGHT)
        if question.counts and mode == "hybrid":
            # « combien de MSP… » also ranks the passages that give a count of MSP
            rankings.append(self.counting(question))
            weights.append(COUNT_WEIGHT)
        if "duration" in question.kinds and mode == "hybrid":
            # « dans quel délai… » also ranks the passages that hold a length of time
            rankings.append(self.holding(frozenset({"duration"}), question))
            weights.append(DATED_WEIGHT)
        if question.answer_type == DEFINITION and mode == "hybrid":
            rankings.append(self.defining(question))
            weights.append(DEFINING_WEIGHT)
        if question.answer_type == PROCEDURE and question.structures and mode == "hybrid":
            rankings.append(self.steps(question.structures[0]))
            weights.append(STEPS_WEIGHT)
        if question.members and question.structures and mode == "hybrid":
            rankings.append(self.members(question.structures[0], question))
            weights.append(MEMBERS_WEIGHT)
        if question.helpers and mode == "hybrid":
            rankings.append(self.helping(question))
            weights.append(HELPERS_WEIGHT)
        if question.structures and question.answer_type not in (COMPARISON, DEFINITION, QUANTITY) and mode == "hybrid":
            rankings.append(self.cells(question.structures[0], question))
            weights.append(CELLS_WEIGHT)
        if question.action and mode == "hybrid":
            rankings.append(self.doing(question))
            weights.append(DOER_WEIGHT)
        if question.benefits and mode == "hybrid":
            rankings.append(self.benefiting(question))
            weights.append(BENEFITS_WEIGHT)
        sides = question.structures[:MAX_SIDES] if question.answer_type == COMPARISON and mode == "hybrid" else ()
        side_rankings = []
        for side in sides if len(sides) >= 2 else ():
            first = side_rankings[0][:1] if side_rankings else []
            side_rankings.append(self.about(side, question, self.index.passages[first[0]].sheet_id if first else ""))
        rankings += side_rankings
        weights += [1.0] * len(side_rankings)
        fused = rrf(rankings, self.rrf_k, weights)
        lex_by, dense_by = dict(lexical), dict(dense)
        lex_rank = {i: r for r, (i, _) in enumerate(lexical, start=1)}
        dense_rank = {i: r for r, (i, _) in enumerate(dense, start=1)}
        elsewhere = self.other_regions(question)
        indexed = self.index.passages
        # a question about one region is answered from its sheet or a national one, not another region's; and a
        # question about one structure from passages about it or about none, not another structure's cells
        ranked = sorted(fused, key=lambda i: (indexed[i].sheet_id in elsewhere, about_others(indexed[i], question),
                                              -fused[i], -dense_by.get(i, 0.0)))[:k]
        ranked = _each_side_present(ranked, side_rankings)
        passages = tuple(
            Retrieved(
                passage=self.index.passages[i],
                score=fused[i],
                dense=dense_by.get(i),
                bm25=lex_by.get(i),
                dense_rank=dense_rank.get(i),
                bm25_rank=lex_rank.get(i),
            )
            for i in ranked
        )
        top_dense = max((s for _, s in dense), default=0.0) if dense else self._top_dense(question)
        coverage = Coverage(top_dense, self.term_coverage(question), self.unknown_names(question),
                            names_field=bool(question.acronyms))
        return SearchResult(passages=passages, coverage=coverage)

    def other_regions(self, question: Question) -> set[str]:
        """The sheets about another region than the one the question names (none when it names no region that
        a sheet is about): national sheets, and sheets whose region is not said, are about every region."""
        regional = {sheet_id: set(tokenize(meta.region)) for sheet_id, meta in self.index.sheets.items()
                    if not meta.national}
        if not any(tokens & question.names for tokens in regional.values()):
            return set()
        return {sheet_id for sheet_id, tokens in regional.items() if not tokens & question.names}

    def _top_dense(self, question: Question) -> float:
        best = self.dense(question, 1)
        return best[0][1] if best else 0.0


def _gives_count(passage, counted: frozenset[str], stems) -> bool:
    """Whether a passage gives a count of ``counted``: a number with it (« 313 MSP »), a « Nombre » cell of its row
    or column, or a row under a « Nombre de CPTS » header."""
    if counts(passage.body, counted, stems):
        return True
    if passage.kind == "table_cell":
        return "nombr" in tokenize(passage.attribute) and counted <= set(stems(passage.entity))
    return passage.kind == "table_row" and any("nombr" in tokenize(name) and counted <= set(stems(name))
                                                for name, _ in passage.cells)


def _sheet_by_sheet(ranked: list[int], passages) -> list[int]:
    """A ranking reordered so that each sheet's best comes before any sheet's second: each publisher's
    definition of a term, not five ways one sheet words it."""
    seen: dict[str, int] = {}
    nth = []
    for i in ranked:
        sheet = passages[i].sheet_id
        nth.append(seen.get(sheet, 0))
        seen[sheet] = nth[-1] + 1
    return [i for _, _, i in sorted(zip(nth, range(len(ranked)), ranked))]


def _each_side_present(ranked: list[int], side_rankings: list[list[int]]) -> list[int]:
    """A comparison's top passages: the best passage about each side first, in the question's order, then
    the fused ranking."""
    firsts = list(dict.fromkeys(side[0] for side in side_rankings if side))
    return (firsts + [i for i in ranked if i not in firsts])[: len(ranked)]
