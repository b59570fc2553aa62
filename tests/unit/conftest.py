"""Fixtures shared by the unit tests: the shipped sheets with their passages and a retriever over them (keyword
embeddings, no model); for the web tests, settings over the tiny corpus and a chat service on them."""

import pytest

from assistant.answer.base import Context
from assistant.chunking import chunk_sheet
from assistant.corpus import load_corpus
from assistant.index import build_index, open_index
from assistant.pipeline import Coordo
from assistant.retrieval import HybridRetriever
from assistant.schema import Retrieved
from assistant.web.service import ChatService
from tests.conftest import CORPUS


@pytest.fixture(scope="session")
def shipped_sheets():
    return {s.id: s for s in load_corpus(CORPUS)}


@pytest.fixture(scope="session")
def shipped_passages(shipped_sheets):
    return [p for s in shipped_sheets.values() for p in chunk_sheet(s)]


@pytest.fixture
def shipped_retriever(settings, keyword_embeddings):
    s = settings.with_(corpus_dir=CORPUS)
    build_index(s, keyword_embeddings, keyword_embeddings.spec)
    return HybridRetriever(open_index(s.index_dir), keyword_embeddings)


def context_of(sheets, question, passages) -> Context:
    """An engine's context: these passages, retrieved in this order, for the question."""
    retrieved = tuple(Retrieved(p, 1 / (60 + i)) for i, p in enumerate(passages, start=1))
    return Context(question, retrieved, {k: s.meta for k, s in sheets.items()}, lambda sid: sheets[sid].text)


@pytest.fixture
def web_settings(settings, tiny_corpus, tmp_path):
    return settings.with_(corpus_dir=tiny_corpus, data_dir=tmp_path / "data", min_dense_score=0.0,
                          min_term_coverage=0.0, review_cases=tmp_path / "cases.jsonl")


@pytest.fixture
def service(web_settings, keyword_embeddings):
    build_index(web_settings, keyword_embeddings, keyword_embeddings.spec)
    svc = ChatService(web_settings, coordo=Coordo(web_settings, embeddings=keyword_embeddings))
    svc.warm_up()
    return svc
