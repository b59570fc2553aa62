"""Retrieval baselines on the same questions: BM25 only, dense only, and the plain LangChain recipe."""

from __future__ import annotations

import uuid
from typing import Protocol

from ..retrieval import HybridRetriever


class Baseline(Protocol):
    name: str

    def search(self, question: str) -> list[str]:
        """Texts of the retrieved chunks, best first."""
        ...


class RetrieverMode:
    """Coordo's own passages searched with one signal only (``bm25`` or ``dense``)."""

    def __init__(self, retriever: HybridRetriever, mode: str, k: int):
        self.name = f"{mode}_only"
        self._retriever, self._mode, self._k = retriever, mode, k

    def search(self, question: str) -> list[str]:
        return [r.passage.body for r in self._retriever.search(question, self._k, self._mode).passages]


class LangChainRecipe:
    """RecursiveCharacterTextSplitter 1000/200 over the raw sheets, the same embeddings, similarity top 4."""

    name = "langchain_recipe"

    def __init__(self, sheet_texts: dict[str, str], embeddings, k: int = 4):
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        texts, metadatas = [], []
        for sheet_id, text in sorted(sheet_texts.items()):
            for chunk in splitter.split_text(text):
                texts.append(chunk)
                metadatas.append({"sheet_id": sheet_id})
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self._store = Chroma(
            client=client, collection_name=f"langchain_recipe_{uuid.uuid4().hex[:8]}", embedding_function=embeddings,
            collection_metadata={"hnsw:space": "cosine"},
        )
        self._store.add_texts(texts, metadatas=metadatas)
        self._k = k
        self.chunks = len(texts)

    def search(self, question: str) -> list[str]:
        return [d.page_content for d in self._store.similarity_search(question, k=self._k)]


def make_baselines(retriever: HybridRetriever, sheet_texts: dict[str, str], k: int) -> list[Baseline]:
    return [
        RetrieverMode(retriever, "bm25", k),
        RetrieverMode(retriever, "dense", k),
        LangChainRecipe(sheet_texts, retriever.embeddings),
    ]
