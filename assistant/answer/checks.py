"""Checks on a generated answer: every marker points at a passage, and what each sentence states (its
figures, its content words, a negation, a bare yes or no) is in the passages it cites."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..acronyms import SCHEMES, STRUCTURES, acronyms_in
from ..lexical import tokenize
from ..text import figure_set, figures, fold

# share of a sentence's content words (beyond the question's own) that its cited passages must hold
MIN_SUPPORTED_WORDS = 0.75
_NEGATION = re.compile(r"\b(?:ne|n')\b[^.?!]*?\b(?:pas|plus|jamais|aucune?|ni)\b|\baucune?\b|\bsans\b|\bnon\b", re.I)
# « X ou Y »: an alternative, which a passage giving each with its own condition (« SISA pour ACI, association
# pour FIR ») does not state
_ALTERNATIVE = re.compile(r"\bou\b|\bsoit\b", re.I)
# an obligation or a condition (« il faut », « doit », « obligatoire », « pour bénéficier de… »): a sentence that
# states one needs an extract that states one, or a way of doing something becomes a condition for taking part
_CONDITION = (r"\bil faut\b|\bfaut[- ]il\b|\bdoi(?:s|t|vent)\b|\bdevr(?:a|ont|ait|aient)\b|\boblig\w*|\bn[ée]cessa\w*"
              r"|\bn[ée]cessit\w*|\bexig\w*|\bconditions?\b|\bconditionn\w*|\bindispensables?\b|\brequi(?:s|se|ses|ert)\b"
              r"|\bpr[ée]requis\b|\bsous r[ée]serve\b|\b[ée]ligib\w*|\bpour (?:pouvoir )?(?:en )?(?:b[ée]n[ée]ficier|percevoir|"
              r"toucher|obtenir|recevoir|adh[ée]rer|participer|rejoindre|faire partie|[êe]tre (?:membre|financ[ée]e?s?))\b")
_STATES_CONDITION = re.compile(_CONDITION, re.I)
# ...which an extract also states by a threshold or an « if » (« au moins 2 médecins », « si résultats 100% »)
_HOLDS_CONDITION = re.compile(_CONDITION + r"|\bsi\b|\bs'il\b|\bau moins\b|\bminim\w*|\bmaxi\w*|\bpr[ée]alable\w*"
                              r"|\buniquement\b|\bseulement\b|\br[ée]serv[ée]e?s?\b|\bd[èe]s lors que\b|\bà partir de\b", re.I)
_BARE_YES_NO = re.compile(r"^\W*(?:oui|non|yes|no)\W*$", re.I)
_VERDICT = re.compile(r"^\W*(?:oui|non)\b\W*", re.I)
# naming a sheet as the source of what follows (« selon l'URPS Occitanie (septembre 2025), … »)
_ATTRIBUTION = re.compile(r"\b(?:selon|d'après|source\s*:)\s+[^,;:.]+[,;:]?|\([^()]*\b(?:19|20)\d{2}\)", re.I)
# a sentence that announces a list or steps (« … les étapes suivantes : »), and a list item
_ITEM = re.compile(r"^\s*(?:[-•*]|\d+[.)])\s")
_ANNOUNCES = re.compile(r"(?::|\bsuivant(?:e|s|es)?\s*:?)\s*\.?\s*$", re.I)

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


def _publisher_names(label: str) -> list[str]:
    """How a sheet's publisher may be named: its acronyms (URPS, SNC) and its first words."""
    publisher = label.rsplit(",", 1)[0]
    acronyms = re.findall(r"\b[A-Z]{2,}\b", publisher)
    head = " ".join(re.findall(r"[\wÀ-ÿ'-]+", publisher)[:3])
    return [*acronyms, head] if len(head.split()) == 3 else acronyms


def _names(text: str, label: str) -> bool:
    """Whether a text names the publisher of the sheet labelled ``label``."""
    folded = fold(text)
    return any(re.search(rf"\b{re.escape(fold(name))}\b", folded) for name in _publisher_names(label))


def unsupported_claim(text: str, cited: list[str], question_terms: frozenset[str] = frozenset(),
                      labels: list[str] = ()) -> str:
    """Why a sentence states something its cited passages do not (empty when they support it).

    ``labels`` are the cited passages' sheets (publisher, date): a sentence may name them as its source,
    but their words do not support a claim (the publisher is not the one who does what a passage says).
    """
    if _BARE_YES_NO.match(re.sub(r"[.!]+$", "", text.strip())):
        return "oui/non sans affirmation vérifiable"
    if re.match(r"^\W*(?:oui|non)\b", text, re.I) is not None and not cited:
        return "oui/non sans source"
    claim = _ATTRIBUTION.sub(" ", text)
    held = set().union(*(set(tokenize(c)) for c in cited)) if cited else set()
    if any(_names(claim, label) and not any(_names(c, label) for c in cited) for label in labels):
        return "l'éditeur d'une fiche présenté comme acteur"
    verdict = _VERDICT.match(claim)
    asserted = set(tokenize(claim[verdict.end():] if verdict else claim))  # the yes or no is not a word it asserts
    if verdict and not asserted <= held:
        # « Oui, une SISA est nécessaire » cited to « personnalité morale obligatoire (… notamment SISA) »:
        # a yes or a no stands only when the cited passages hold every word of what it asserts, the
        # question's own words included (« Oui, on peut être salarié » needs a passage about salariés)
        return "oui/non que les extraits cités ne tranchent pas"
    absent = set(acronyms_in(claim)) & {*STRUCTURES, *SCHEMES} - set(acronyms_in(" ".join(cited)))
    if absent & set(STRUCTURES):
        # the question's frame laid on a passage: « une ESP peut… [1] » cited to a passage about the MSP (the
        # structures the question names are not words a sentence may repeat without a source)
        return "structure absente des extraits cités"
    if absent:
        # likewise a funding scheme: « l'ACI… [1] » cited to a passage about another remuneration
        return "financement ou statut absent des extraits cités"
    if _ALTERNATIVE.search(claim) and not any(_ALTERNATIVE.search(c) for c in cited):
        return "alternative absente des extraits cités"
    words = asserted - set(question_terms)
    if len(words) >= 3 and len(words & held) / len(words) < MIN_SUPPORTED_WORDS:
        return "affirmation absente des extraits cités"
    if _NEGATION.search(re.sub(r"^\W*non\b", "", text, flags=re.I)) and not any(_NEGATION.search(c) for c in cited):
        return "négation absente des extraits cités"
    if _STATES_CONDITION.search(claim) and not any(_HOLDS_CONDITION.search(c) for c in cited):
        return "condition absente des extraits cités"
    return ""


def check_answer(answer: str, sources: dict[int, str], question_terms: frozenset[str] = frozenset(),
                 labels: dict[int, str] | None = None) -> CheckResult:
    """Split an answer into sentences and check each against the passages it cites.

    Args:
        answer: the model's text, with markers such as [1] or [1, 2].
        sources: passage text by marker number, as numbered in the prompt.
        question_terms: the question's own content words, which a sentence may repeat without a source.
        labels: each passage's sheet (publisher, date) by marker: its date may be quoted, its publisher named
            as a source, never presented as the actor of a claim.
    """
    labels = labels or {}
    sentences, warnings = [], []
    raws = answer_sentences(answer)
    for position, raw in enumerate(raws):
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
            supported |= figure_set(f"{sources[n]} {labels.get(n, '')}")
        unsupported = [f for f in figures(text) if f not in supported]
        problem = ""
        if unsupported:
            problem = f"chiffre(s) absent(s) des extraits cités : {', '.join(unsupported)}"
        elif not valid:
            problem = "phrase sans source"
        elif _ANNOUNCES.search(text) and not (position + 1 < len(raws) and _ITEM.match(raws[position + 1])):
            problem = "annonce d'une liste qui ne suit pas"
        else:
            problem = unsupported_claim(text, [sources[n] for n in valid], question_terms,
                                        [labels[n] for n in valid if n in labels])
        if problem:
            warnings.append(f"Phrase retirée ({problem}) : « {text[:80]} »")
        sentences.append(CheckedSentence(text=text, markers=valid, problem=problem))
    return CheckResult(tuple(sentences), tuple(warnings))
