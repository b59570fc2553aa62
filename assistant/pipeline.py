"""The one entry object: ``Coordo(settings).ask(question, history)`` → Answer with citations."""

from __future__ import annotations

import logging
import time
from typing import Iterator, Sequence

from .config import Settings
from .errors import InvalidQuestion
from .question import analyse
from .schema import Answer, Searched, Turn

log = logging.getLogger(__name__)


def validate_question(question: str, max_chars: int) -> str:
    text = (question or "").strip()
    if not text:
        raise InvalidQuestion("La question est vide : écrivez une question sur l'exercice coordonné.")
    if len(text) > max_chars:
        raise InvalidQuestion(
            f"Question trop longue ({len(text)} caractères, maximum {max_chars}) : raccourcissez-la."
        )
    return text


class Coordo:
    """Loads the index, the embedding model and the answer engine once; answers questions."""

    def __init__(self, settings: Settings | None = None, *, embeddings=None, engine=None):
        self.settings = settings or Settings.from_env()
        self._embeddings = embeddings
        self._spec = None  # what identifies the embeddings; set with the retriever
        self._engine = engine
        self._retriever = None

    @property
    def retriever(self):
        if self._retriever is None:
            from .embeddings import load_embeddings
            from .index import open_index

            index = open_index(self.settings.index_dir, self.settings.chroma_url)  # fails fast, before loading a model
            if self._embeddings is None:
                self._embeddings, self._spec = load_embeddings(self.settings)
            else:
                self._spec = getattr(self._embeddings, "spec", None) or index.info.embedding
            self._retriever = self._retriever_over(index)
        return self._retriever

    def _retriever_over(self, index):
        from .retrieval import HybridRetriever

        index.check_embedding(self._spec)
        return HybridRetriever(index, self._embeddings, candidates=self.settings.candidates, rrf_k=self.settings.rrf_k)

    @property
    def engine(self):
        if self._engine is None:
            from .answer import make_engine

            self._engine = make_engine(self.settings, idf=self._idf)
        return self._engine

    def warm_up(self) -> None:
        """Load the index, the embedding model and the engine now; a local LLM also reads its fixed prompt.

        A server calls this at start, so that the first physician waits no longer than the next ones.
        """
        _ = self.retriever
        warm = getattr(self.engine, "warm_up", None)
        if warm is not None:
            warm()

    def _idf(self, token: str) -> float:
        return self.retriever.index.lexical.idf(token)

    def reload_if_rebuilt(self) -> bool:
        """Switch to a newer index if ``coordo index`` swapped one in since this one was loaded.

        The new index is loaded completely before it replaces the old one, so questions asked
        meanwhile are answered from the old one; the engine (and its model) is kept.
        """
        from .index import open_index, read_info

        if self._retriever is None:
            return False
        current = self._retriever.index.info
        try:
            live = read_info(self.settings.index_dir)
        except Exception:  # being swapped this very instant, or damaged: keep the loaded one
            return False
        if live.built_at == current.built_at and live.passages == current.passages:
            return False
        self._retriever = self._retriever_over(open_index(self.settings.index_dir, self.settings.chroma_url))
        log.info("Index reloaded (built %s, %d passages)", live.built_at, live.passages)
        return True

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        answer = None
        for event in self.stream(question, history):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def stream(self, question: str, history: Sequence[Turn] = ()) -> Iterator[Searched | str | Answer]:
        """What retrieval found (:class:`Searched`), text pieces of the answer as they come, then the
        complete :class:`Answer`."""
        from .answer.base import Context, Draft
        from .refusal import not_covered

        text = validate_question(question, self.settings.max_question_chars)
        t0 = time.perf_counter()
        asked = analyse(text, history)
        standalone = asked.standalone
        retriever = self.retriever
        engine = self.engine
        t1 = time.perf_counter()
        result = retriever.search(asked, k=self.settings.top_k)
        t2 = time.perf_counter()
        timings = {"retrieval": (t2 - t1) * 1000}
        refused = not_covered(result, self.settings)
        yield Searched(standalone, result.passages, refused is None)
        if refused is not None:
            draft = refused
            yield draft.text
        else:
            context = Context(asked, result.passages, retriever.index.sheets, retriever.index.sheet_text)
            draft = None
            first = None
            for event in engine.stream(context):
                if isinstance(event, Draft):
                    draft = event
                else:
                    first = first or time.perf_counter()
                    yield event
            if first:
                timings["first_text"] = (first - t0) * 1000
            if draft.generation:
                timings["llm_prompt"] = draft.generation["prompt_ms"]
                timings["llm_decode"] = draft.generation["decode_ms"]
        timings["answer"] = (time.perf_counter() - t2) * 1000
        timings["total"] = (time.perf_counter() - t0) * 1000
        yield Answer(
            question=text,
            standalone_question=standalone,
            text=draft.text,
            abstained=draft.abstained,
            engine=engine.name,
            citations=draft.citations,
            retrieved=result.passages,
            warnings=draft.warnings,
            timings_ms=timings,
            generation=draft.generation,
        )
