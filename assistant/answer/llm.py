"""LLM engine: a local GGUF model through llama-cpp-python, or any OpenAI-compatible server.

The model sees the numbered passages only; its answer is then checked (markers, figures) and
only the sentences that pass are shown as sourced. When nothing passes, the extractive answer
is given instead, with a warning.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Iterator, Protocol

from ..config import Settings
from ..errors import LLMServerError, ModelError
from ..refusal import REFUSAL
from .base import Context, Draft, make_citation
from .checks import check_answer
from .extractive import ExtractiveEngine
from .prompts import NOT_ANSWERED, PROMPT_PASSAGES, messages, passage_line
from ..text import fold

log = logging.getLogger(__name__)


class ChatBackend(Protocol):
    label: str

    def generate(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        """Pieces of the reply as they are produced (temperature 0)."""
        ...


class LlamaCppBackend:
    """A GGUF model loaded once in this process (llama-cpp-python)."""

    _lock = threading.Lock()  # one generation at a time: llama.cpp contexts are not thread-safe

    def __init__(self, model_path: str, *, threads: int = 0, context: int = 4096):
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelError("llama-cpp-python n'est pas installé : `make install` le compile.") from exc
        self.label = f"llama.cpp:{os.path.basename(model_path)}"
        try:
            self._llm = Llama(
                model_path=model_path,
                n_ctx=context,
                n_threads=threads or os.cpu_count() or 2,
                n_batch=512,
                verbose=False,
            )
        except Exception as exc:
            raise ModelError(f"Le modèle {model_path} n'a pas pu être chargé : {exc}") from exc

    def generate(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        with self._lock:
            stream = self._llm.create_chat_completion(
                messages=messages, temperature=0.0, max_tokens=max_tokens, stream=True, seed=0
            )
            for chunk in stream:
                piece = chunk["choices"][0].get("delta", {}).get("content")
                if piece:
                    yield piece


class OpenAICompatibleBackend:
    """Any server that speaks the OpenAI chat API (llama.cpp server, vLLM, Ollama...)."""

    def __init__(self, base_url: str, model: str, api_key: str = "", timeout: float = 120.0):
        from openai import OpenAI

        self.base_url = base_url
        self.model = model or "default"
        self.label = f"openai-compatible:{self.model}@{base_url}"
        self._client = OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0)

    def generate(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        import openai

        try:
            stream = self._client.chat.completions.create(
                model=self.model, messages=messages, temperature=0.0, max_tokens=max_tokens, stream=True
            )
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except openai.APIConnectionError as exc:
            raise LLMServerError(
                f"Serveur LLM injoignable à {self.base_url} : démarrez-le ou corrigez COORDO_LLM_BASE_URL."
            ) from exc
        except openai.APIStatusError as exc:
            raise LLMServerError(
                f"Le serveur LLM {self.base_url} a répondu {exc.status_code} : {str(exc.message)[:200]}"
            ) from exc
        except openai.APITimeoutError as exc:
            raise LLMServerError(f"Le serveur LLM {self.base_url} n'a pas répondu à temps.") from exc


_LOCAL_BACKENDS: dict[tuple, LlamaCppBackend] = {}


def make_backend(settings: Settings) -> ChatBackend:
    """The configured backend; a local model is loaded once per process and shared."""
    if settings.llm_base_url:
        return OpenAICompatibleBackend(
            settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout_s
        )
    from .model_files import resolve_model_path

    path = str(resolve_model_path(settings.llm_model_path, settings.cache_dir))
    key = (path, settings.llm_threads, settings.llm_context)
    if key not in _LOCAL_BACKENDS:
        _LOCAL_BACKENDS[key] = LlamaCppBackend(path, threads=settings.llm_threads, context=settings.llm_context)
    return _LOCAL_BACKENDS[key]


class LLMEngine:
    name = "llm"

    def __init__(self, backend: ChatBackend, *, max_tokens: int = 320, fallback_idf=None):
        self.backend = backend
        self.max_tokens = max_tokens
        self._fallback = ExtractiveEngine(idf=fallback_idf)

    def answer(self, context: Context) -> Draft:
        draft = None
        for event in self.stream(context):
            if isinstance(event, Draft):
                draft = event
        return draft

    def stream(self, context: Context) -> Iterator[str | Draft]:
        prompt = messages(context)
        pieces = []
        for piece in self.backend.generate(prompt, self.max_tokens):
            pieces.append(piece)
            yield piece
        yield self.finish(context, "".join(pieces))

    def finish(self, context: Context, raw: str) -> Draft:
        """Checked, renumbered answer from the model's raw text."""
        count = min(len(context.retrieved), PROMPT_PASSAGES)
        sources = {n: passage_line(n, context, n - 1) for n in range(1, count + 1)}
        if fold(NOT_ANSWERED.rstrip(".")) in fold(raw) and len(raw) < len(NOT_ANSWERED) + 40:
            return Draft(REFUSAL, (), abstained=True)
        checked = check_answer(raw, sources, context.question.concepts)
        kept = [s for s in checked.sentences if not s.problem]
        if not kept:
            fallback = self._fallback.answer(context)
            warning = "La réponse du modèle n'a pas pu être vérifiée ; réponse extractive donnée à la place."
            return Draft(fallback.text, fallback.citations, fallback.abstained, (*checked.warnings, warning))
        renumber: dict[int, int] = {}
        parts, citations = [], []
        for sentence in kept:
            for n in sentence.markers:
                if n not in renumber:
                    renumber[n] = len(renumber) + 1
                    r = context.retrieved[n - 1]
                    meta = context.meta(r.passage)
                    citations.append(
                        make_citation(renumber[n], r.passage, meta, r.passage.body, r.passage.start, r.passage.end)
                    )
            marks = "".join(f"[{renumber[n]}]" for n in sentence.markers)
            text = sentence.text
            end = text[-1] if text[-1] in ".!?" else ""
            parts.append(f"{text[:-1] if end else text} {marks}{end or '.'}")
        return Draft(" ".join(parts), tuple(citations), False, checked.warnings)

