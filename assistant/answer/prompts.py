"""The LLM prompt: strict rules, one worked example, then the numbered passages and the question.

The rules and the example never change, so llama.cpp reuses their evaluated prefix from one
question to the next; only the passages and the question are new work.
"""

from __future__ import annotations

from .base import Context, source_label

NOT_ANSWERED = "Les fiches ne répondent pas à cette question."
MAX_PASSAGE_CHARS = 450
PROMPT_PASSAGES = 4

SYSTEM = (
    "Tu es Coordo, l'assistant des médecins sur l'exercice coordonné (MSP, CPTS, ESP, ESS, CDS, DAC, ESCAP). "
    "Règles : 1) Réponds uniquement avec les extraits numérotés, jamais avec tes connaissances. "
    "2) Écris en français des phrases complètes et courtes (une à trois). "
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


def passage_text(context: Context, index: int) -> str:
    """What a retrieved passage says, as the model sees it (table passages with their headers), without
    the label of the sheet it comes from."""
    passage = context.retrieved[index].passage
    if passage.kind == "table_cell":
        body = f"{passage.entity} — {passage.attribute} : {passage.body}"
    elif passage.kind == "table_row" and passage.cells:
        body = " ; ".join(f"{name} : {value}" if name else value for name, value in passage.cells)
    else:
        body = passage.body
    body = " ".join(body.split())
    if len(body) > MAX_PASSAGE_CHARS:
        body = body[:MAX_PASSAGE_CHARS].rsplit(" ", 1)[0] + " …"
    return body


def passage_label(context: Context, index: int) -> str:
    """The sheet a passage comes from: its publisher and date."""
    return source_label(context.meta(context.retrieved[index].passage))


def passage_line(n: int, context: Context, index: int) -> str:
    """One numbered passage as the model sees it: its sheet's label, then what it says."""
    return f"[{n}] ({passage_label(context, index)}) {passage_text(context, index)}"


def messages(context: Context) -> list[dict]:
    count = min(PROMPT_PASSAGES, len(context.retrieved))
    lines = "\n".join(passage_line(n, context, n - 1) for n in range(1, count + 1))
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": EXAMPLE_USER},
        {"role": "assistant", "content": EXAMPLE_ASSISTANT},
        {"role": "user", "content": f"Extraits :\n{lines}\n\nQuestion : {context.question.standalone}"},
    ]


def warm_up_messages() -> list[dict]:
    """The fixed rules and example with a stand-in question: what :meth:`LlamaCppBackend.warm_up` reads."""
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": EXAMPLE_USER},
        {"role": "assistant", "content": EXAMPLE_ASSISTANT},
        {"role": "user", "content": "Extraits :\n[1] (Fiche, 2025) Texte.\n\nQuestion : Bonjour ?"},
    ]
