"""Answer engines behind one interface: ``extractive`` (no model) and ``llm`` (local GGUF or a server)."""

from __future__ import annotations

from ..config import Settings
from ..errors import CoordoError

ENGINES = ("extractive", "llm")


def make_engine(settings: Settings, idf=None):
    if settings.engine == "extractive":
        from .extractive import ExtractiveEngine

        return ExtractiveEngine(idf=idf, min_answer_coverage=settings.min_answer_coverage)
    if settings.engine == "llm":
        from .llm import LLMEngine, make_backend

        return LLMEngine(make_backend(settings), max_tokens=settings.llm_max_tokens, fallback_idf=idf,
                         min_answer_coverage=settings.min_answer_coverage)
    raise CoordoError(f"Moteur de réponse inconnu : {settings.engine!r} (choix : {', '.join(ENGINES)}).")
