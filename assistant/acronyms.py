"""The field's acronyms, and query expansion both ways (MSP ↔ maison de santé pluriprofessionnelle)."""

from __future__ import annotations

import re
from typing import Iterable

from .text import fold

ACRONYMS: dict[str, tuple[str, ...]] = {
    "MSP": ("maison de santé pluriprofessionnelle", "maison de santé pluri-professionnelle", "maison de santé"),
    "CPTS": ("communauté professionnelle territoriale de santé",),
    "ESP": ("équipe de soins primaires",),
    "ESS": ("équipe de soins spécialisés", "équipe de soins spécialisée"),
    "CDS": ("centre de santé",),
    "DAC": ("dispositif d'appui à la coordination",),
    "ESCAP": ("équipe de soins coordonnée avec le patient",),
    "ACI": ("accord conventionnel interprofessionnel",),
    "FIR": ("fonds d'intervention régional",),
    "SISA": ("société interprofessionnelle de soins ambulatoires",),
    "ARS": ("agence régionale de santé",),
    "CPAM": ("caisse primaire d'assurance maladie", "assurance maladie"),
    "AM": ("assurance maladie",),
    "URPS": ("union régionale des professionnels de santé",),
    "URPS ML": ("union régionale des professionnels de santé médecins libéraux",),
    "DGOS": ("direction générale de l'offre de soins",),
    "HAS": ("haute autorité de santé",),
    "PTA": ("plateforme territoriale d'appui",),
    "MAIA": ("maison pour l'autonomie et l'intégration des malades alzheimer",),
    "CTA": ("coordination territoriale d'appui",),
    "CLIC": ("centre local d'information et de coordination",),
    "ETP": ("éducation thérapeutique du patient",),
    "SNP": ("soins non programmés",),
    "MT": ("médecin traitant",),
    "DMP": ("dossier médical partagé",),
    "CPOM": ("contrat pluriannuel d'objectifs et de moyens",),
    "SNC": ("syndicat national des cardiologues",),
    "HAD": ("hospitalisation à domicile",),
    "EHPAD": ("établissement d'hébergement pour personnes âgées dépendantes",),
    "IDE": ("infirmier diplômé d'état",),
    "ANS": ("agence du numérique en santé",),
    "GQI": ("groupe qualité interprofessionnel",),
    "IPA": ("infirmier en pratique avancée", "pratique avancée"),
    "RCP": ("réunion de concertation pluriprofessionnelle",),
    "ROSP": ("rémunération sur objectifs de santé publique",),
    "CCAS": ("centre communal d'action sociale",),
}

# The coordinated-care structures among them: what a question or a follow-up is about.
STRUCTURES = ("MSP", "CPTS", "ESP", "ESS", "CDS", "DAC", "ESCAP")
# The funding schemes, contracts and legal forms among them: what a claim may be about, like a structure (the
# organisations, ARS, CPAM, AM…, are not: « assurance maladie » reads as both AM and CPAM).
SCHEMES = ("ACI", "FIR", "SISA", "ROSP", "CPOM")


def _long_form(long: str) -> re.Pattern:
    """A long form in folded text, each word also in the plural (maisons de santé pluriprofessionnelles)."""
    words = [re.escape(w) + r"(?:s|x)?" for w in fold(long).split()]
    return re.compile(r"\b" + r"\s+".join(words) + r"\b")


_EXPANSIONS = [(_long_form(long), short) for short, longs in ACRONYMS.items() for long in longs]
_ACRONYM_RE = re.compile(r"\b(" + "|".join(sorted((re.escape(a) for a in ACRONYMS), key=len, reverse=True)) + r")s?\b")
# The structures' and schemes' acronyms typed without capitals (« une Escap », « les cpts »): none of them is a
# French word, unlike some other acronyms (« un clic », « has »)
_CASUAL_RE = re.compile(r"\b(" + "|".join(sorted(STRUCTURES + SCHEMES, key=len, reverse=True)) + r")s?\b", re.I)


def acronym_spans(text: str) -> list[tuple[int, int]]:
    """Where the field's acronyms are written short in a text (« URPS ML » as one, a plural's « s » included)."""
    return [m.span() for m in _ACRONYM_RE.finditer(text)]


def acronyms_in(text: str) -> list[str]:
    """Acronyms named in a text, by their short form or their long form, in order of appearance."""
    found: list[tuple[int, str]] = [(m.start(), m.group(1)) for m in _ACRONYM_RE.finditer(text)]
    found += [(m.start(), m.group(1).upper()) for m in _CASUAL_RE.finditer(text) if not m.group(1).isupper()]
    folded = fold(text)
    for long, short in _EXPANSIONS:
        match = long.search(folded)
        if match:
            found.append((match.start(), short))
    seen, out = set(), []
    for _, short in sorted(found):
        if short not in seen:
            seen.add(short)
            out.append(short)
    return out


def abbreviate(text: str, shorts: Iterable[str]) -> str:
    """The text folded, each long form of these acronyms replaced by the short one (« une équipe de soins
    spécialisés » → « une ESS »)."""
    folded = fold(text)
    wanted = set(shorts)
    for long, short in _EXPANSIONS:
        if short in wanted:
            folded = long.sub(short, folded)
    return folded


def expand(text: str) -> str:
    """The text followed by the other form of each acronym it names and French forms of English terms."""
    from .glossary import french_terms, funding_terms

    extra = [t for t in (french_terms(text), funding_terms(text)) if t]
    for short in acronyms_in(text):
        extra.append(short)
        extra.append(ACRONYMS[short][0])
    return text if not extra else f"{text} {' '.join(extra)}"
