"""LLM engine: a local GGUF model through llama-cpp-python, or any OpenAI-compatible server.

The model sees only the units the extractive selection chose to quote; its answer is then checked
(markers, figures, content words, negations) and only the sentences that pass are shown, followed by
the quoted units. When nothing passes, the extractive answer is given instead, with a warning.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, replace
from typing import Callable, Iterator, Protocol

from ..config import Settings
from ..errors import LLMServerError, ModelError
from .. import refusal
from .base import Context, Draft
from .checks import check_answer
from .extractive import MIN_ANSWER_COVERAGE, ExtractiveEngine, Unit
from .model_thread import ModelThread
from .prompts import NOT_ANSWERED, Extract, extract_of, messages, warm_up_messages
from ..text import fold

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerationStats:
    """Where one answer's time went in the model: reading the prompt, then writing the reply.

    ``prompt_tokens`` is the whole prompt; ``cached_tokens`` the part llama.cpp reused from the
    previous question (the fixed rules and example), so only ``prompt_tokens - cached_tokens`` were read.
    """

    prompt_tokens: int
    cached_tokens: int
    prompt_ms: float  # time to the first piece of the reply (prompt read, first token written)
    generated_tokens: int
    decode_ms: float  # first piece to last

    def to_dict(self) -> dict:
        return {"prompt_tokens": self.prompt_tokens, "cached_tokens": self.cached_tokens,
                "prompt_ms": round(self.prompt_ms, 1), "generated_tokens": self.generated_tokens,
                "decode_ms": round(self.decode_ms, 1)}


class ChatBackend(Protocol):
    label: str

    def generate(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        """Pieces of the reply as they are produced (temperature 0)."""
        ...


def generate_with_stats(backend: ChatBackend, prompt: list[dict], max_tokens: int,
                        on_stats: Callable[[GenerationStats], None]) -> Iterator[str]:
    """``backend.generate`` with its stats reported at the end: llama.cpp's own counts for a local model,
    the wall clock and the number of pieces for any other backend."""
    exact = getattr(backend, "generate_measured", None)
    if exact is not None:
        yield from exact(prompt, max_tokens, on_stats)
        return
    t0 = time.perf_counter()
    first = last = None
    pieces = 0
    for piece in backend.generate(prompt, max_tokens):
        last = time.perf_counter()
        first = first or last
        pieces += 1
        yield piece
    end = time.perf_counter()
    on_stats(GenerationStats(0, 0, ((first or end) - t0) * 1000, pieces, ((last or end) - (first or end)) * 1000))


class LlamaCppBackend:
    """A GGUF model loaded once in this process (llama-cpp-python).

    Every call into llama.cpp (the load, the warm-up, each reply) runs on the backend's own thread, one at a
    time: its contexts are not thread-safe, and its compute threads stay warm only for the thread that
    calls them (see :mod:`.model_thread`).
    """

    def __init__(self, model_path: str, *, threads: int = 0, context: int = 4096):
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelError("llama-cpp-python n'est pas installé : `make install` le compile.") from exc
        self.label = f"llama.cpp:{os.path.basename(model_path)}"
        self._thread = ModelThread("coordo-llm")
        try:
            self._llm = self._thread.call(
                Llama,
                model_path=model_path,
                n_ctx=context,
                n_threads=threads or os.cpu_count() or 2,
                n_batch=512,
                verbose=False,
            )
        except Exception as exc:
            raise ModelError(f"Le modèle {model_path} n'a pas pu être chargé : {exc}") from exc

    def generate(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        yield from self.generate_measured(messages, max_tokens, None)

    def generate_measured(self, messages: list[dict], max_tokens: int,
                          on_stats: Callable[[GenerationStats], None] | None) -> Iterator[str]:
        """Pieces of the reply; then llama.cpp's counts of prompt tokens read and reused, and times."""
        yield from self._thread.stream(lambda: self._generate_here(messages, max_tokens, on_stats))

    def _generate_here(self, messages: list[dict], max_tokens: int,
                       on_stats: Callable[[GenerationStats], None] | None) -> Iterator[str]:
        """The reply, computed on the calling thread (the model's own: see :meth:`generate_measured`)."""
        import llama_cpp

        ctx = self._llm._ctx.ctx
        llama_cpp.llama_perf_context_reset(ctx)
        t0 = time.perf_counter()
        first = last = None
        stream = self._llm.create_chat_completion(
            messages=messages, temperature=0.0, max_tokens=max_tokens, stream=True, seed=0
        )
        for chunk in stream:
            piece = chunk["choices"][0].get("delta", {}).get("content")
            if piece:
                last = time.perf_counter()
                first = first or last
                yield piece
        end = time.perf_counter()
        if on_stats is not None:
            perf = llama_cpp.llama_perf_context(ctx)
            in_context = self._llm.n_tokens  # prompt + reply, as they now sit in the cache
            prompt_tokens = max(0, in_context - perf.n_eval)
            on_stats(GenerationStats(
                prompt_tokens=prompt_tokens,
                cached_tokens=max(0, prompt_tokens - perf.n_p_eval),
                prompt_ms=((first or end) - t0) * 1000,
                generated_tokens=perf.n_eval,
                decode_ms=((last or end) - (first or end)) * 1000,
            ))

    def warm_up(self, messages: list[dict]) -> None:
        """Read the fixed part of the prompt once, so the first physician does not wait for it.

        This also brings the model's weights from disk into memory (they are mapped, read on first use).
        """
        for _ in self.generate(messages, 1):
            pass


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
    """The model writes the first sentence; the extractive selection decides what it may read and what is quoted.

    The extractive engine chooses the units that answer (or refuses, and then the model is not asked).
    The model reads only those units and answers in one or two sentences, each checked against the
    extracts it cites; the answer is the sentences that pass, then the quoted units, each cited and dated.
    """

    name = "llm"

    def __init__(self, backend: ChatBackend, *, max_tokens: int = 160, fallback_idf=None,
                 min_answer_coverage: float = MIN_ANSWER_COVERAGE):
        self.backend = backend
        self.max_tokens = max_tokens
        self._extractive = ExtractiveEngine(idf=fallback_idf, min_answer_coverage=min_answer_coverage)

    def answer(self, context: Context) -> Draft:
        draft = None
        for event in self.stream(context):
            if isinstance(event, Draft):
                draft = event
        return draft

    def warm_up(self) -> None:
        """Load and warm the model before the first question (a local model reads the fixed prompt prefix)."""
        warm = getattr(self.backend, "warm_up", None)
        if warm is not None:
            t0 = time.perf_counter()
            warm(warm_up_messages())
            log.info("LLM warmed up in %.1f s", time.perf_counter() - t0)

    def stream(self, context: Context) -> Iterator[str | Draft]:
        chosen = self._extractive.select(context)
        if isinstance(chosen, Draft):  # refused: nothing in the sheets for the model to read
            yield chosen.text
            yield chosen
            return
        extracts = [extract_of(unit, context) for unit in chosen]
        pieces = []
        stats: list[GenerationStats] = []
        for piece in generate_with_stats(self.backend, messages(context.question, extracts), self.max_tokens,
                                         stats.append):
            pieces.append(piece)
            yield piece
        draft = self.finish(context, chosen, extracts, "".join(pieces))
        yield replace(draft, generation=stats[0].to_dict()) if stats else draft

    def finish(self, context: Context, chosen: list[Unit], extracts: list[Extract], raw: str) -> Draft:
        """The checked sentences of the model's raw text, then the quoted units."""
        # what each extract says, and apart the label of its sheet: a sentence may give a sheet's date or
        # name its publisher as a source (« selon… »), never make the publisher the actor of a claim
        sources = {n: e.text for n, e in enumerate(extracts, start=1)}
        labels = {n: e.label for n, e in enumerate(extracts, start=1)}
        lines, citations = self._extractive.quotes(context, chosen)
        if fold(NOT_ANSWERED.rstrip(".")) in fold(raw) and len(raw) < len(NOT_ANSWERED) + 40:
            # the model read the chosen units and found they do not say what is asked
            _, missing = self._extractive.answer_coverage(context.question, chosen)
            return refusal.graded(missing, lines[:1], citations[:1])
        checked = check_answer(raw, sources, context.question.free_words, labels)
        kept = [s for s in checked.sentences if not s.problem]
        if not kept:
            fallback = self._extractive.render(context, chosen)
            warning = "La réponse du modèle n'a pas pu être vérifiée ; réponse extractive donnée à la place."
            return Draft(fallback.text, fallback.citations, fallback.abstained, (*checked.warnings, warning))
        parts = []
        for sentence in kept:
            marks = "".join(f"[{n}]" for n in sentence.markers)
            text = sentence.text
            end = text[-1] if text[-1] in ".!?" else ""
            parts.append(f"{text[:-1] if end else text} {marks}{end or '.'}")
        return Draft("\n".join([" ".join(parts), *lines]), citations, False, checked.warnings)
