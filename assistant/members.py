"""What says who makes a structure up: who its members are, who may join it.

A question on who may join a structure (« Qui peut faire partie d'une ESP ? », « De qui se compose une
ESS ? », « Who can join a CPTS? ») is answered by the cells of the structure's row or column that give its
composition, and by the sentences that say what it is made of (« Les CPTS sont composées de… »). These
share few words with the question (« adhérer », « membres »). Retrieval ranks them as a list of their
own, and the extractive engine quotes them; both decide "states who makes it up" here.
"""

from __future__ import annotations

import re

from .acronyms import acronyms_in
from .schema import Passage
from .text import sentence_spans

# Table attributes that give who makes a structure up (the « Public » column of a table of structures
# lists the professionals who form each one).
MEMBER_ATTRIBUTES = re.compile(r"^\s*(?:composition|public)\b", re.I)
# Words of a sentence that say what a structure is made of (« sont composées de », « se composent de »,
# « est constituée de », « réunissent », « regroupe »); « constituent une opportunité » does not.
COMPOSED = re.compile(
    r"\b(?:compos[ée]e?s?|se composen?t?|constitu[ée]e?s?) (?:de|d'|autour)|\br[ée]uni(?:ssen)?t\b|\bregroupen?t?\b"
    r"|\brassemblen?t?\b", re.I)


def states_members(passage: Passage, structure: str, text: str = "") -> bool:
    """Whether a passage (or ``text``, one of its sentences) says who makes this structure up: a composition
    cell of the structure's row or column, or a sentence that names it and says what it is made of."""
    if passage.kind.startswith("table"):
        return (passage.kind == "table_cell" and bool(MEMBER_ATTRIBUTES.search(passage.attribute))
                and structure in acronyms_in(passage.entity))
    # the structure is named in the sentence itself: « Cette bibliographie rassemble… » under a CPTS heading is not
    said = text or passage.body
    return any(COMPOSED.search(said[s:e]) and structure in acronyms_in(said[s:e]) for s, e in sentence_spans(said))
