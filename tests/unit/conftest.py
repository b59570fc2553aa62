"""Fixtures shared by the web tests: settings over the tiny corpus and a chat service on them."""

import pytest

from assistant.index import build_index
from assistant.pipeline import Coordo
from assistant.web.service import ChatService


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
