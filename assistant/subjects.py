"""Which structures a passage is about, against those a question asks about."""

from __future__ import annotations

from .acronyms import STRUCTURES, acronyms_in
from .question import COMPARISON, Question
from .schema import Passage


def about_others(passage: Passage, question: Question) -> bool:
    """Whether a passage is about other structures than those the question asks about: a table row or cell of
    another structure, or a sentence under another structure's heading that names the asked one in passing
    (« l'ESS … sans se substituer aux DAC » for « Comment un DAC est-il mis en place ? »)."""
    if not question.structures or question.answer_type == COMPARISON:
        return False
    about = [s for s in acronyms_in(passage.entity) if s in STRUCTURES]
    if not about and passage.section:
        about = [s for s in acronyms_in(passage.section[-1]) if s in STRUCTURES]
    return bool(about) and not set(about) & set(question.structures)
