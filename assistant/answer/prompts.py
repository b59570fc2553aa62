"""The LLM prompt: strict rules, one worked example, then the numbered extracts and the question.

The extracts are the units the extractive engine chose to quote (a sentence, a list with its
introduction, a table cell with its headers), not whole passages: the model reads only what answers.
The rules and the example never change, so llama.cpp reuses their evaluated prefix from one
question to the next; only the extracts and the question are new work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..question import Question
from .base import Context, source_label
from .extractive import Unit, said

NOT_ANSWERED = "Les fiches ne répondent pas à cette question."
# the model reads only what the extractive selection chose (at most MAX_UNITS units), each cut here: on
# 2 cores every prompt token costs about 13 ms before the first word of the reply
MAX_EXTRACT_CHARS = 450

SYSTEM = (
    "Tu es Coordo, l'assistant des médecins sur l'exercice coordonné (MSP, CPTS, ESP, ESS, CDS, DAC, ESCAP). "
    "Règles : 1) Réponds uniquement avec les extraits numérotés, jamais avec tes connaissances. "
    "2) Écris en français une ou deux phrases complètes et courtes qui répondent directement. "
    "3) Chaque phrase se termine par le numéro de son extrait entre crochets, comme [1] ou [2]. "
    "4) Recopie exactement les montants, dates, chiffres et contacts. "
    "5) Si deux extraits donnent des chiffres différents, donne les deux avec leur source et leur date. "
    f"6) Si les extraits ne répondent pas à la question, écris seulement : {NOT_ANSWERED}"
)

EXAMPLE_USER = (
    "Extraits :\n"
    "[1] (Fiche A, 2024) ESP — Financements : FIR : 30 000 € en 3 fois maxi sur 3 ans maxi\n"
    "[2] (Fiche B, 2023) Le DAC regroupe en un interlocuteur unique plusieurs dispositifs anciens.\n\n"
    "Question : Quel financement une ESP peut-elle obtenir ?"
)
EXAMPLE_ASSISTANT = "Une ESP peut obtenir 30 000 € du FIR, versés en 3 fois au maximum sur 3 ans au maximum [1]."


@dataclass(frozen=True)
class Extract:
    """One numbered extract as the model sees it: the sheet it comes from, apart from what it says."""

    label: str  # the sheet's publisher and date
    text: str  # the unit's words, led by its table headers or its section when it needs them

    def line(self, n: int) -> str:
        return f"[{n}] ({self.label}) {self.text}"


def extract_of(unit: Unit, context: Context) -> Extract:
    """The extract for one unit the extractive selection chose: exactly the words the answer will quote."""
    text = " ".join(said(unit).split())
    if len(text) > MAX_EXTRACT_CHARS:
        text = text[:MAX_EXTRACT_CHARS].rsplit(" ", 1)[0] + " …"
    return Extract(source_label(context.meta(unit.passage)), text)


def messages(question: Question, extracts: Sequence[Extract]) -> list[dict]:
    lines = "\n".join(e.line(n) for n, e in enumerate(extracts, start=1))
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": EXAMPLE_USER},
        {"role": "assistant", "content": EXAMPLE_ASSISTANT},
        {"role": "user", "content": f"Extraits :\n{lines}\n\nQuestion : {question.standalone}"},
    ]


def warm_up_messages() -> list[dict]:
    """The fixed rules and example with a stand-in question: what :meth:`LlamaCppBackend.warm_up` reads."""
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": EXAMPLE_USER},
        {"role": "assistant", "content": EXAMPLE_ASSISTANT},
        {"role": "user", "content": "Extraits :\n[1] (Fiche, 2025) Texte.\n\nQuestion : Bonjour ?"},
    ]
