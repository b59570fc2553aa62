"""When Coordo does not answer, and what it says instead: every refusal is decided and worded here.

Three levels:
- *not covered*: retrieval's signals say the sheets are about something else (off-topic, unknown
  place or year) → the plain refusal;
- *nothing of the kind asked*: the question wants a phone, an e-mail, a site or a figure and the
  passages about its subject hold none → « Les fiches ne donnent pas … »; or a date, a time limit or a
  length of time → « Les fiches ne précisent pas cette date / ce délai / cette durée », with what they do say;
- *graded*: the passages are about the subject but do not state what is asked (a condition, a time
  limit, a cap…) → « Les fiches ne précisent pas … Elles indiquent seulement : … », with what they
  do say, cited, and ``abstained`` set, never the nearby fact presented as the answer.
"""

from __future__ import annotations

import re
from typing import Sequence

from .answer.base import Draft
from .schema import Citation

REFUSAL = (
    "Les fiches ne répondent pas à cette question. Elles portent sur l'exercice coordonné en soins "
    "primaires : MSP, CPTS, ESP, ESS, centres de santé, DAC et ESCAP (définitions, composition, "
    "financements ACI et FIR, validation, contacts)."
)
_SCOPE = REFUSAL.split(". ", 1)[1]
_KIND_NAMES = {"phone": "numéro de téléphone", "email": "adresse électronique", "site": "site internet",
               "contact": "contact"}


def not_covered(result, settings) -> Draft | None:
    """The plain refusal when retrieval found nothing the sheets cover (``result``: a SearchResult)."""
    if result.passages and result.coverage.covered(settings.min_dense_score, settings.min_term_coverage):
        return None
    return refuse(result.coverage.unknown)


def refuse(unknown: Sequence[str] = ()) -> Draft:
    """The plain refusal; with the question's names, acronyms and years that no sheet mentions, it says so
    (« … : elles ne mentionnent pas « DPC ». »)."""
    if not unknown:
        return Draft(REFUSAL, (), abstained=True)
    named = " ni ".join(f"« {word} »" for word in unknown)
    return Draft(f"Les fiches ne répondent pas à cette question : elles ne mentionnent pas {named}. {_SCOPE}", (),
                 abstained=True)


def no_fact_of_kind(kinds: frozenset[str]) -> Draft:
    """The question asks for a phone, an e-mail or a site that no passage about its subject holds."""
    what = " ni ".join(("d'" if _KIND_NAMES[k][0] in "aeiou" else "de ") + _KIND_NAMES[k] for k in sorted(kinds))
    return Draft(f"Les fiches ne donnent pas {what} pour cette demande. {_SCOPE}", (), abstained=True)


def _only(lacking: str, lines: Sequence[str], citations: tuple[Citation, ...]) -> Draft:
    """« Les fiches ne … <what they lack>. Elles indiquent seulement : » then what they do say, cited."""
    text = "\n".join([f"Les fiches ne {lacking}. Elles indiquent seulement :", *lines])
    return Draft(text, citations, abstained=True)


def no_figure(lines: Sequence[str] = (), citations: tuple[Citation, ...] = (),
              lacking: str = "donnent pas ce chiffre") -> Draft:
    """A "how many / how much" question whose passages hold no figure of what it asks (or none of the year or
    the variant it names, ``lacking``): what they do say, cited, when they say something near it."""
    if not lines:
        return Draft(f"Les fiches ne {lacking}. {_SCOPE}", (), abstained=True)
    return _only(lacking, lines, citations)


def no_date(lines: list[str], citations: tuple[Citation, ...]) -> Draft:
    """A "since when / which year" question whose passages hold no date: what they do say, cited."""
    return _only("précisent pas cette date", lines, citations)


def no_duration(question: str, lines: list[str], citations: tuple[Citation, ...], average: bool = False) -> Draft:
    """A "how long / within what time" question whose passages hold no length of time (or no average one, when
    ``average`` is asked): what they do say, cited (« ce délai » when the question asks for one, else « cette
    durée »)."""
    delay = bool(re.search(r"\bd[ée]lais?\b", question, re.I))
    asked = ("ce délai" if delay else "cette durée") + ((" moyen" if delay else " moyenne") if average else "")
    return _only(f"précisent pas {asked}", lines, citations)


def no_expansion(acronym: str, lines: list[str], citations: tuple[Citation, ...]) -> Draft:
    """A question on what an acronym stands for whose passages never spell it out: what they do say, cited."""
    return _only(f"donnent pas la forme développée du sigle {acronym}", lines, citations)


def no_definition(term: str, lines: Sequence[str] = (), citations: tuple[Citation, ...] = ()) -> Draft:
    """A definition question on a term no passage defines: what the sheets say of it, cited, when they use it."""
    if not lines:
        return Draft(f"Les fiches ne définissent pas « {term} ». {_SCOPE}", (), abstained=True)
    return _only(f"définissent pas « {term} »", lines, citations)


def states_what_is_asked(coverage: float, threshold: float) -> bool:
    """Whether the best passages state what the question asks: the share of its specific terms they hold
    (weighted by rarity) reaches the threshold set on the development questions."""
    return coverage >= threshold


def graded(missing: list[str], lines: list[str], citations: tuple[Citation, ...]) -> Draft:
    """« Les fiches ne précisent pas <what was asked>. Elles indiquent seulement : … » with the cited lines."""
    what = f"ce point ({', '.join(missing)})" if missing else "ce point"
    return _only(f"précisent pas {what}", lines, citations)
