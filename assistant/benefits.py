"""What says what something brings: the sheets' lists of advantages (« Avantages pour le patient »,
« Pourquoi se lancer dans l'exercice coordonné ? », « La MSP présente plusieurs avantages… : »).

A question on what something brings (« Pourquoi rejoindre une maison de santé ? », « Qu'est-ce que le
patient y gagne ? ») shares few words with these lists, whose items name the gains themselves
(« moins d'isolement professionnel »). Retrieval ranks them as a list of their own; "lists benefits"
is decided here.
"""

from __future__ import annotations

import re

from .chunking import intro_lines
from .schema import Passage

# Words of a heading or an introducing sentence that announce what something brings.
ANNOUNCES_BENEFITS = re.compile(
    r"\b(?:avantages?|int[ée]r[êe]ts?|b[ée]n[ée]fices?|atouts?|pourquoi|apports?)\b", re.I)


def announcement(passage: Passage) -> str:
    """A passage's heading and the sentence that introduces its list: what announces its items (« Avantages
    pour le patient », « La MSP présente plusieurs avantages pour les professionnels de santé : »)."""
    heading = passage.section[-1] if passage.section else ""
    return f"{heading} {intro_lines(passage)}"


def lists_benefits(passage: Passage) -> bool:
    """Whether a passage sits under a heading that announces advantages, or is (part of) a list whose
    introducing sentence does."""
    return not passage.kind.startswith("table") and bool(ANNOUNCES_BENEFITS.search(announcement(passage)))
