"""What says how a structure is set up: its health project, its legal form and its validation.

A "how do I…" question about a structure (« Comment monter une équipe de soins primaires ? », « Quelles
démarches pour créer une CPTS ? ») is answered by these steps, which the sheets give as the cells of the
structure's row or column in their comparison tables; the prose around them rarely names the steps
together. Retrieval ranks these cells as a list of their own, and the extractive engine quotes one per
step; both decide "which step" here.
"""

from __future__ import annotations

import re

from .acronyms import acronyms_in
from .schema import Passage

# The steps of setting a structure up, in the order they come, as a table attribute names them.
STEPS = (
    re.compile(r"\bprojet de sant[ée]\b", re.I),
    re.compile(r"\b(?:forme|structuration|statut) juridique\b", re.I),
    re.compile(r"\bvalidation\b|\bcontractualisation\b", re.I),
)


def step_of(passage: Passage) -> int | None:
    """Which step a table cell states (its position in :data:`STEPS`), or None."""
    if passage.kind != "table_cell":
        return None
    return next((n for n, step in enumerate(STEPS) if step.search(passage.attribute)), None)


def sets_up(passage: Passage, structure: str) -> bool:
    """Whether a passage is a cell of this structure's row or column that states one of its steps."""
    return step_of(passage) is not None and structure in acronyms_in(passage.entity)
