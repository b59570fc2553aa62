"""Build, update and open the index: Chroma (dense) + bm25s (lexical) + passages, with a manifest.

Every build writes a complete new directory beside the live one and swaps it in only when done,
so an interrupted or failed build never leaves a half index in use. Vectors of passages whose
text did not change are copied from the previous index, so an update only embeds what is new.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from langchain_core.embeddings import Embeddings

from . import __version__
from .chunking import CHUNKER_VERSION as _CHUNKER, chunk_corpus
from .config import Settings
from .corpus import large_sheets, load_corpus
from .embeddings import EmbeddingSpec
from .errors import IndexCorrupted, IndexMismatch, IndexMissing, IndexReadOnly, StoreUnavailable
from .lexical import TOKENIZER_VERSION, LexicalIndex
from .schema import Passage, Sheet, SheetMeta

log = logging.getLogger(__name__)

CHUNKER_VERSION = f"{_CHUNKER}.{TOKENIZER_VERSION}"  # passages and their BM25 tokens

MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
SHEETS = "sheets.json"
BM25_DIR = "bm25"
TEXTS_DIR = "texts"
FORMAT_VERSION = 5
# HNSW is approximate: with Chroma's default search breadth (ef 100) and 30 candidates, a passage
# ranked 6th by exact cosine was sometimes missing from the dense list, depending on how the graph was
# rebuilt at load. A breadth above the corpus size makes the search exact for a corpus of sheets.
COLLECTION_METADATA = {"hnsw:space": "cosine", "hnsw:search_ef": 512, "hnsw:construction_ef": 256}


@dataclass(frozen=True)
class IndexInfo:
    """What an index holds and how it was built (``manifest.json``)."""

    format_version: int
    coordo_version: str
    chunker_version: str
    embedding: EmbeddingSpec
    collection: str
    built_at: str
    build_seconds: float
    passages: int
    sheets: dict = field(default_factory=dict)  # id -> {"sha256", "meta_sha256", "passages", "title"}
    chroma_url: str = ""  # the Chroma server holding the vectors; empty = the embedded store in this directory

    def store_label(self) -> str:
        return f"serveur Chroma {self.chroma_url}" if self.chroma_url else "Chroma embarqué (dans ce dossier)"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, d: dict) -> "IndexInfo":
        return cls(**{**d, "embedding": EmbeddingSpec(**d["embedding"])})


@dataclass(frozen=True)
class BuildResult:
    info: IndexInfo
    changed: bool
    embedded: int  # passages embedded by this build (others were reused)
    reused: int
    added_sheets: tuple[str, ...] = ()
    updated_sheets: tuple[str, ...] = ()
    removed_sheets: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmbeddingPlan:
    """What a build is about to embed, told once its first batch has been timed."""

    to_embed: int  # passages this build embeds, the first batch included
    reused: int  # passages whose vectors are copied from the live index
    large_sheets: tuple[tuple[str, int], ...]  # (file name, bytes of text) above Settings.large_sheet_mb
    passages_per_s: float  # measured on the first batch
    seconds_left: float  # the rest, at that speed


def _chroma_client(path: Path, url: str = ""):
    """The embedded store at ``path``, or the Chroma server at ``url`` when one is given."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not url:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise StoreUnavailable(f"COORDO_CHROMA_URL={url!r} n'est pas une adresse http(s)://hôte:port valide.")
    try:
        client = chromadb.HttpClient(
            host=parsed.hostname,
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=chroma_settings,
        )
        client.heartbeat()
    except Exception as exc:
        raise StoreUnavailable(
            f"Serveur Chroma injoignable à {url} ({type(exc).__name__}) : démarrez-le (chroma run --path DOSSIER "
            f"--host HÔTE --port PORT) ou videz COORDO_CHROMA_URL pour le stockage embarqué."
        ) from exc
    return client


def _store_lock(chroma_dir: Path, chroma_url: str):
    """The embedded store's loading lock; a Chroma server serialises its own access."""
    return nullcontext() if chroma_url else _loading_lock(chroma_dir)


@contextmanager
def _loading_lock(chroma_dir: Path):
    """Serialise, across processes, the moment a store is opened and its vector index loaded.

    Chroma's embedded store is not process-safe: a process that loads the HNSW index also rewrites
    its files, and another process loading it at the same moment can miss vectors. Loading under an
    exclusive lock (then querying from memory) keeps two Coordo processes on one index consistent.
    """
    try:
        handle = open(chroma_dir / "coordo-load.lock", "a+")
    except OSError:  # a read-only index: nobody can be rewriting it either
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _chroma_dir(index_dir: Path, collection: str) -> Path:
    """Each build's store has its own path: Chroma caches clients by path within a process."""
    return index_dir / f"chroma-{collection}"


def _text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _meta_hash(meta: SheetMeta) -> str:
    return hashlib.sha256(json.dumps(asdict(meta), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def read_info(index_dir: Path) -> IndexInfo:
    """The manifest of an index; clear errors when it is missing or unreadable."""
    path = index_dir / MANIFEST
    if not path.exists():
        raise IndexMissing(f"Aucun index dans {index_dir}. Construisez-le avec : coordo index")
    try:
        return IndexInfo.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexCorrupted(f"Index illisible ({path}) : reconstruisez-le avec : coordo index --rebuild") from exc


def read_only_problem(index_dir: Path, info: IndexInfo) -> str | None:
    """Why this process cannot serve the index because it may not write to it, or None.

    Chroma's embedded store writes to its SQLite file even to answer a query, so an index on a
    read-only mount, or owned by another user, fails at the first question.
    """
    if info.chroma_url:
        return None  # the server writes its own files; the directory is only read
    directory = _chroma_dir(index_dir, info.collection)
    if not directory.is_dir():
        return None  # damage, reported as such when the index is opened
    if all(os.access(path, os.W_OK) for path in (directory, *directory.rglob("*"))):
        return None
    return (
        f"Index en lecture seule : {index_dir} ne peut pas être modifié par cet utilisateur (montage en lecture "
        "seule ou droits), or le stockage Chroma embarqué écrit dans son dossier même pour répondre. Remontez-le "
        "en lecture-écriture ou donnez-en les droits à cet utilisateur, ou copiez-le dans un dossier modifiable "
        f"(cp -r {index_dir} COPIE) et réglez COORDO_INDEX_DIR=COPIE."
    )


def check_writable(index_dir: Path, info: IndexInfo) -> None:
    """Raise :class:`IndexReadOnly` when the index cannot be served because it cannot be written."""
    problem = read_only_problem(index_dir, info)
    if problem:
        raise IndexReadOnly(problem)


def _check_can_write_beside(index_dir: Path) -> None:
    """A build writes a new directory beside the live one, then renames: the parent must be writable."""
    parent = index_dir.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not os.access(parent, os.W_OK):
        raise IndexReadOnly(
            f"Impossible d'écrire l'index : {parent} est en lecture seule pour cet utilisateur (le nouvel index "
            f"est écrit à côté de {index_dir.name}, puis mis à sa place). Remontez-le en lecture-écriture, ou "
            "choisissez un dossier modifiable : --index-dir DOSSIER (COORDO_INDEX_DIR)."
        )


def _up_to_date(info: IndexInfo, sheets: list[Sheet], spec: EmbeddingSpec, chroma_url: str) -> bool:
    current = {s.id: (s.sha256, _meta_hash(s.meta)) for s in sheets}
    recorded = {k: (v["sha256"], v["meta_sha256"]) for k, v in info.sheets.items()}
    return (
        info.format_version == FORMAT_VERSION
        and info.chroma_url == chroma_url
        and info.chunker_version == CHUNKER_VERSION
        and info.embedding == spec
        and current == recorded
    )


def _previous_vectors(index_dir: Path, spec: EmbeddingSpec) -> dict[str, list[float]]:
    """Vectors of the live index by text hash, when it was built with the same model."""
    try:
        info = read_info(index_dir)
    except (IndexMissing, IndexCorrupted):
        return {}
    if info.embedding != spec:
        return {}
    try:
        directory = _chroma_dir(index_dir, info.collection)
        with _store_lock(directory, info.chroma_url):
            client = _chroma_client(directory, info.chroma_url)
            got = client.get_collection(info.collection).get(include=["embeddings", "metadatas"])
    except Exception as exc:  # a damaged store only costs a full re-embedding
        log.warning("Previous vectors unreadable (%s): every passage will be embedded.", exc)
        return {}
    return {m["text_key"]: list(map(float, e)) for m, e in zip(got["metadatas"], got["embeddings"])}


def build_index(
    settings: Settings,
    embeddings,
    spec: EmbeddingSpec,
    *,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
    sheets: list[Sheet] | None = None,
    on_plan: Callable[[EmbeddingPlan], None] | None = None,
) -> BuildResult:
    """Build or update the index under ``settings.index_dir``.

    Args:
        embeddings: a LangChain ``Embeddings`` (see :func:`assistant.embeddings.load_embeddings`).
        spec: what identifies ``embeddings``; recorded in the manifest.
        rebuild: embed everything again, even when the index looks up to date.
        progress: called with (done, total) while passages are embedded.
        sheets: the corpus, when the caller has already loaded it (to fail before loading a model).
        on_plan: called once the first batch is embedded, with the time the rest will take.
    """
    started = time.perf_counter()
    index_dir = settings.index_dir
    if sheets is None:
        sheets = load_corpus(settings.corpus_dir)
    previous = None
    try:
        previous = read_info(index_dir)
    except (IndexMissing, IndexCorrupted):
        previous = None
    if previous and not rebuild and _up_to_date(previous, sheets, spec, settings.chroma_url):
        check_writable(index_dir, previous)  # "up to date" must not hide an index nobody can open
        return BuildResult(info=previous, changed=False, embedded=0, reused=previous.passages)
    _check_can_write_beside(index_dir)  # before hours of embedding

    passages = chunk_corpus(sheets)
    reuse = {} if rebuild else _previous_vectors(index_dir, spec)
    keys = [_text_key(p.text) for p in passages]
    missing = [i for i, k in enumerate(keys) if k not in reuse]
    vectors: dict[str, list[float]] = dict(reuse)
    batch = max(1, settings.embedding_batch_size)
    if progress:
        progress(0, len(missing))
    for n in range(0, len(missing), batch):
        chunk = missing[n : n + batch]
        batch_started = time.perf_counter()
        for i, vector in zip(chunk, embeddings.embed_documents([passages[i].text for i in chunk])):
            vectors[keys[i]] = vector
        if n == 0 and on_plan:
            rate = len(chunk) / max(time.perf_counter() - batch_started, 1e-6)
            embedding_ids = {passages[i].sheet_id for i in missing}
            on_plan(EmbeddingPlan(
                to_embed=len(missing),
                reused=len(passages) - len(missing),
                large_sheets=tuple(large_sheets([s for s in sheets if s.id in embedding_ids], settings.large_sheet_mb)),
                passages_per_s=rate,
                seconds_left=(len(missing) - len(chunk)) / rate,
            ))
        if progress:
            progress(min(n + batch, len(missing)), len(missing))

    build_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    tmp_dir = index_dir.with_name(f"{index_dir.name}.tmp-{build_id}")
    try:
        collection_name = f"{settings.collection}_{build_id}"
        _write(tmp_dir, collection_name, passages, [vectors[k] for k in keys], keys, sheets, settings.chroma_url)
        sheet_info = {
            s.id: {
                "sha256": s.sha256,
                "meta_sha256": _meta_hash(s.meta),
                "title": s.meta.title,
                "passages": sum(1 for p in passages if p.sheet_id == s.id),
            }
            for s in sheets
        }
        info = IndexInfo(
            format_version=FORMAT_VERSION,
            coordo_version=__version__,
            chunker_version=CHUNKER_VERSION,
            embedding=spec,
            collection=collection_name,
            built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            build_seconds=round(time.perf_counter() - started, 2),
            passages=len(passages),
            sheets=sheet_info,
            chroma_url=settings.chroma_url,
        )
        (tmp_dir / MANIFEST).write_text(info.to_json(), encoding="utf-8")  # written last: marks completion
        _swap(tmp_dir, index_dir)
    except BaseException:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        if settings.chroma_url:
            _drop_collections(settings.chroma_url, keep=lambda name: not name.endswith(build_id))
        raise
    if settings.chroma_url:
        # keep the one that processes may still have loaded; older builds' collections go
        kept = {collection_name, previous.collection if previous else ""}
        _drop_collections(settings.chroma_url, keep=lambda name: name in kept or not name.startswith(f"{settings.collection}_"))
    old = previous.sheets if previous else {}
    return BuildResult(
        info=info,
        changed=True,
        embedded=len(missing),
        reused=len(passages) - len(missing),
        added_sheets=tuple(sorted(set(sheet_info) - set(old))),
        updated_sheets=tuple(sorted(k for k in sheet_info if k in old and old[k]["sha256"] != sheet_info[k]["sha256"])),
        removed_sheets=tuple(sorted(set(old) - set(sheet_info))),
    )


def _drop_collections(url: str, keep: Callable[[str], bool]) -> None:
    try:
        client = _chroma_client(Path("."), url)
        for collection in client.list_collections():
            name = getattr(collection, "name", collection)
            if not keep(name):
                client.delete_collection(name)
    except Exception as exc:  # a leftover collection costs disk space only
        log.warning("Old collections not removed from the Chroma server: %s", exc)


def _write(directory: Path, collection_name: str, passages: list[Passage], vectors, keys, sheets,
           chroma_url: str = "") -> None:
    from langchain_chroma import Chroma

    directory.mkdir(parents=True)
    with (directory / PASSAGES).open("w", encoding="utf-8") as f:
        for p in passages:
            f.write(json.dumps(p.to_dict(), ensure_ascii=False) + "\n")
    sheets_doc = {s.id: {"meta": asdict(s.meta), "path": Path(s.path).name, "sha256": s.sha256} for s in sheets}
    (directory / TEXTS_DIR).mkdir()
    for s in sheets:  # the text the spans point into, as indexed (PDFs included)
        (directory / TEXTS_DIR / f"{s.id}.txt").write_text(s.text, encoding="utf-8")
    (directory / SHEETS).write_text(json.dumps(sheets_doc, ensure_ascii=False, indent=2), encoding="utf-8")
    LexicalIndex.build([p.text for p in passages]).save(directory / BM25_DIR)
    client = _chroma_client(_chroma_dir(directory, collection_name), chroma_url)
    texts = [p.text for p in passages]
    store = Chroma(
        client=client,
        collection_name=collection_name,
        embedding_function=_KnownVectors(dict(zip(texts, vectors))),
        collection_metadata=COLLECTION_METADATA,
    )
    metadatas = [
        {"passage_id": p.id, "sheet_id": p.sheet_id, "kind": p.kind, "text_key": k} for p, k in zip(passages, keys)
    ]
    ids = [p.id for p in passages]
    step = 1000
    for n in range(0, len(passages), step):
        store.add_texts(texts[n : n + step], metadatas=metadatas[n : n + step], ids=ids[n : n + step])
    del store, client


class _KnownVectors(Embeddings):
    """Hands the store vectors computed (or reused) beforehand, so that writing embeds nothing."""

    def __init__(self, by_text: dict[str, list[float]]):
        self._by_text = by_text

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._by_text[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        raise NotImplementedError("only used to write precomputed vectors")


# How long a retired index directory is kept: a server that loaded it goes on answering from it until it
# notices the rebuild (at its next question), and embedded Chroma opens its files lazily, so removing the
# directory at once made such a search fail (« Failed to get segments »).
RETIRED_GRACE_S = 600.0


def _swap(new_dir: Path, live_dir: Path) -> None:
    """Put ``new_dir`` in place of ``live_dir`` with renames only; the directory it replaces is removed by a
    later build, once :data:`RETIRED_GRACE_S` has passed."""
    if live_dir.exists():
        live_dir.rename(live_dir.with_name(f"{live_dir.name}.old-{os.getpid()}-{time.time_ns()}"))
    else:
        live_dir.parent.mkdir(parents=True, exist_ok=True)
    new_dir.rename(live_dir)
    remove_retired(live_dir)


def remove_retired(live_dir: Path, grace_s: float = RETIRED_GRACE_S) -> list[Path]:
    """Remove the directories earlier builds retired more than ``grace_s`` seconds ago; return them."""
    removed = []
    for retired in live_dir.parent.glob(f"{live_dir.name}.old-*-*"):
        retired_ns = retired.name.rsplit("-", 1)[1]
        if retired_ns.isdigit() and time.time_ns() - int(retired_ns) > grace_s * 1e9:
            shutil.rmtree(retired, ignore_errors=True)
            removed.append(retired)
    return removed


@dataclass
class OpenIndex:
    """A loaded index: passages, BM25, the Chroma collection and the sheets' metadata and texts."""

    info: IndexInfo
    passages: list[Passage]
    lexical: LexicalIndex
    collection: object  # chromadb Collection
    sheets: dict[str, SheetMeta]
    sheet_files: dict[str, str]
    directory: Path
    _texts: dict = field(default_factory=dict)

    def sheet_text(self, sheet_id: str) -> str:
        """The sheet's text exactly as indexed: passage spans index into it."""
        if sheet_id not in self._texts:
            self._texts[sheet_id] = (self.directory / TEXTS_DIR / f"{sheet_id}.txt").read_text(encoding="utf-8")
        return self._texts[sheet_id]

    def preload_texts(self) -> None:
        """Read every sheet's text now, so the index keeps working after its directory is retired."""
        for sheet_id in self.sheets:
            self.sheet_text(sheet_id)

    def check_embedding(self, spec: EmbeddingSpec) -> None:
        if spec != self.info.embedding:
            raise IndexMismatch(
                f"L'index a été construit avec {self.info.embedding.label()}, mais la configuration demande "
                f"{spec.label()}. Reconstruisez-le : coordo index --rebuild (ou revenez au modèle d'origine)."
            )


def open_index(index_dir: Path, chroma_url: str = "") -> OpenIndex:
    """Load the live index; a missing or damaged one is a clear error that says how to rebuild.

    Args:
        chroma_url: the Chroma server the configuration names (empty: the embedded store); it must
            match where the index was built, and is used as given (workers may reach one server by
            different names).
    """
    info = read_info(index_dir)
    if info.format_version != FORMAT_VERSION:
        raise IndexMismatch(
            f"L'index de {index_dir} a un format ancien (v{info.format_version}) : mettez-le à jour avec : coordo index"
        )
    if info.chunker_version != CHUNKER_VERSION:
        # passages cut, or BM25 tokens made, another way than this version searches them: answers would drift
        raise IndexMismatch(
            f"L'index de {index_dir} a été construit par une version antérieure de Coordo (découpage "
            f"v{info.chunker_version}, attendu v{CHUNKER_VERSION}) : mettez-le à jour avec : coordo index "
            "(les vecteurs des passages inchangés sont repris)"
        )
    if bool(info.chroma_url) != bool(chroma_url):
        raise IndexMismatch(
            f"L'index de {index_dir} est dans le {info.store_label()}, mais la configuration demande le "
            + (f"serveur Chroma {chroma_url}" if chroma_url else "stockage embarqué")
            + " : reconstruisez-le avec : coordo index (les vecteurs sont repris, rien n'est ré-encodé)"
            + ("" if chroma_url else f", ou définissez COORDO_CHROMA_URL={info.chroma_url}")
        )
    check_writable(index_dir, info)
    try:
        passages = [
            Passage.from_dict(json.loads(line))
            for line in (index_dir / PASSAGES).read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        sheets_doc = json.loads((index_dir / SHEETS).read_text(encoding="utf-8"))
        lexical = LexicalIndex.load(index_dir / BM25_DIR)
        directory = _chroma_dir(index_dir, info.collection)
        with _store_lock(directory, chroma_url):
            collection = _chroma_client(directory, chroma_url).get_collection(info.collection)
            count = collection.count()
            if count:  # load the vector index now, under the lock, rather than at the first question
                probe = [1.0] + [0.0] * (info.embedding.dimension - 1)
                collection.query(query_embeddings=[probe], n_results=1, include=[])
    except StoreUnavailable:
        raise
    except Exception as exc:
        if "readonly" in str(exc).replace(" ", "").replace("-", "").lower():  # rights that access() missed
            raise IndexReadOnly(
                read_only_problem(index_dir, info) or f"Index en lecture seule : {index_dir} ne peut pas être "
                "modifié par cet utilisateur ; donnez-lui les droits d'écriture, ou copiez l'index dans un dossier "
                "modifiable et réglez COORDO_INDEX_DIR."
            ) from exc
        raise IndexCorrupted(
            f"Index endommagé dans {index_dir} ({type(exc).__name__}) : reconstruisez-le avec : coordo index --rebuild"
        ) from exc
    if len(passages) != info.passages or count != info.passages:
        raise IndexCorrupted(
            f"Index incomplet dans {index_dir} ({len(passages)} passages, {count} vecteurs, "
            f"{info.passages} attendus) : coordo index --rebuild"
        )
    index = OpenIndex(
        info=info,
        passages=passages,
        lexical=lexical,
        collection=collection,
        sheets={k: SheetMeta(**v["meta"]) for k, v in sheets_doc.items()},
        sheet_files={k: v["path"] for k, v in sheets_doc.items()},
        directory=index_dir,
    )
    try:  # a few small files; the loaded index then survives `coordo index` retiring its directory
        index.preload_texts()
    except OSError as exc:
        raise IndexCorrupted(f"Texte d'une fiche absent de l'index {index_dir} : coordo index --rebuild") from exc
    return index
