"""Follow-up questions → standalone questions, before retrieval.

"Et son financement FIR ?" after a question on CPTS becomes a question on CPTS FIR funding;
"Et pour une MSP ?" after "Combien une CPTS perçoit-elle au titre de l'ACI ?" becomes the same
question about an MSP. Rule based, deterministic and instant, for both engines.
"""

from __future__ import annotations

import re
from typing import Sequence

from .acronyms import ACRONYMS, STRUCTURES, acronyms_in
from .lexical import tokenize
from .schema import Turn

_FOLLOW_UP_START = re.compile(r"^\s*(et|mais|puis|alors|aussi|and|what about|how about)\b", re.I)
_PRONOUNS = re.compile(
    r"\b(son|sa|ses|leur|leurs|elle|elles|il|ils|celle-ci|celui-ci|celles-ci|ceux-ci|y|en|cette structure|"
    r"ce dispositif|its|their|it|they)\b",
    re.I,
)


def _structures(text: str) -> list[str]:
    return [a for a in acronyms_in(text) if a in STRUCTURES]


_NAME = re.compile(r"\b([A-ZÀ-Ý][a-zà-ÿ]+(?:[-' ][A-ZÀ-Ý][a-zà-ÿ]+)*(?:-[a-zà-ÿ]+-[A-ZÀ-Ý][a-zà-ÿ]+)?)")


def _names(text: str) -> list[str]:
    """Place and organisation names (capitalised words, not the first word nor acronyms)."""
    body = text.strip()
    first = re.match(r"\s*\S+", body)
    start = first.end() if first else 0
    return [m.group(1) for m in _NAME.finditer(body, start)]


def is_follow_up(question: str) -> bool:
    short = len(tokenize(question)) <= 4
    return bool(_FOLLOW_UP_START.match(question)) or (short and bool(_PRONOUNS.search(question))) or (
        short and not _structures(question)
    )


def standalone_question(question: str, history: Sequence[Turn]) -> str:
    """The question rewritten so that it can be understood without the conversation."""
    previous = [t.content for t in history if t.role == "user" and t.content.strip()]
    if not previous or not is_follow_up(question):
        return question
    last = previous[-1]
    last_structures = next((s for s in (_structures(q) for q in reversed(previous)) if s), [])
    current = _structures(question)
    core = _FOLLOW_UP_START.sub("", question).strip(" ,?!.")
    core = re.sub(r"^(pour|concernant|au sujet d[eu]s?|for)\s+(une?|la|le|les|l')?\s*", "", core, flags=re.I)
    if current and last_structures and len(tokenize(core)) <= 2:
        # "Et pour une MSP ?" → the last question, about the new structure
        old = last_structures[0]
        pattern = re.compile(rf"\b{re.escape(old)}s?\b|{'|'.join(re.escape(x) for x in ACRONYMS[old])}", re.I)
        if pattern.search(last):
            return pattern.sub(current[0], last, count=0)
        return f"{last} ({current[0]})"
    names = _names(last)
    place = re.sub(r"^(?:en|au|aux|à|a|dans|de|du|des|d'|la|le|les|l')\s*", "", core, flags=re.I).strip()
    if names and place[:1].isupper() and len(tokenize(core)) <= 4 and not current:
        # "Et en Bretagne ?" after "Combien de CPTS en Occitanie ?" → the same question about Bretagne
        return last.replace(names[-1], place)
    subjects = last_structures or next((a for a in (acronyms_in(q) for q in reversed(previous)) if a), [])
    if not current and subjects:
        return f"{question.strip()} ({' et '.join(subjects[:2])})"
    return question
