"""What says who helps set up a structure or a project: the interlocutors the sheets name.

A question on who helps (« Qui peut m'accompagner pour monter une CPTS ? », « Vers qui se tourner pour créer
une MSP ? », « Who can help me set up an ESS? ») is answered by the sheets' tables of interlocutors, their
« … vous informe et accompagne » lines and their sentences on who supports project leaders
(« L'ARS accompagne tous les porteurs de projet »). These share few words with the question and lose, in
the ranking, to passages on the structure itself. Retrieval ranks them as a list of their own, and the
extractive engine quotes them; both decide "names who helps" here.
"""

from __future__ import annotations

import re

from .acronyms import STRUCTURES, acronyms_in
from .chunking import intro_lines
from .schema import Passage
from .text import sentence_spans

# Words that say someone supports professionals or their project (« accompagne », « vous informe », « appui
# opérationnel », « interlocuteurs », « portails d'accompagnement »), in a heading, a column header or a sentence.
HELPS = re.compile(
    r"\baccompagn(?:e|ent|er|ement)\b|\bvous accompagner\b|\bvous informe\b|\bappui op[ée]rationnel\b|\binterlocuteurs?\b"
    r"|\bguichet\b", re.I)
# What professionals are helped with is their project; help given to patients is care, not an interlocutor.
_PATIENTS = re.compile(r"\bpatients?\b|\bpatientèle\b|\baccompagnement social\b|\bsoins de support\b|\bth[ée]rapeutique\b",
                       re.I)
# A name in a sentence, past its first word (« Agora Lib' », « AVEC Santé »).
_NAME = re.compile(r"(?<!^)\b[A-ZÀ-Ý][\wÀ-ÿ']+")


def _names_someone(sentence: str) -> bool:
    """Whether a sentence names an organisation other than a coordinated-care structure (the ARS, an URPS,
    Agora Lib')."""
    return bool(set(acronyms_in(sentence)) - set(STRUCTURES)) or bool(_NAME.search(sentence.strip()))


def names_helpers(passage: Passage, text: str = "") -> bool:
    """Whether a passage (or ``text``, one of its sentences) names who helps professionals with their project:
    it sits under a heading or a column that announces interlocutors, or it names an organisation that
    accompanies or informs them (and not their patients)."""
    headers = f"{passage.section[-1] if passage.section else ''} {passage.column_header}"
    if passage.kind.startswith("table"):
        headers += " " + " ".join(name for name, _ in passage.cells)
    if HELPS.search(headers) and not _PATIENTS.search(headers):
        return True
    # an item of a list is read with the sentence that introduces it (« L'ARS accompagne… : • écoute et conseils »)
    said = f"{intro_lines(passage)}\n{text or passage.body}"
    return any(HELPS.search(said[s:e]) and not _PATIENTS.search(said[s:e]) and _names_someone(said[s:e])
               for s, e in sentence_spans(said))
