"""BM25 over passages: French tokenizer (accents folded, stop words, Snowball stemmer) and bm25s index."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from .text import fold

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
# a word typed without its accents that ends like a feminine past participle (« financees »): the stemmer reads
# « -ée(s) » as an ending only with its accent
_UNACCENTED_PARTICIPLE = re.compile(r"(?<=[^aeiouy])ees?$")
_EXTRA_STOPWORDS = {"est", "sont", "quel", "quelle", "quels", "quelles", "comment", "combien", "peut", "peuvent",
                    "etre", "faire", "fait", "d", "l", "qu", "s", "c", "j", "m", "n", "t", "y", "a", "the", "what",
                    "is", "are", "how", "of", "for", "and", "to", "in", "does", "do", "can", "which",
                    # pronouns the French list lacks (« existent-elles ? », « leurs patients »)
                    "elles", "leurs", "celui", "celle", "celles", "ceux", "ceci", "cela", "ça", "ca",
                    # English function words the English list lacks (« Why would a GP choose… over… ? »)
                    "would", "should", "could", "might", "must", "shall", "did", "has", "have", "had", "i", "me",
                    "my", "we", "our", "you", "your", "he", "him", "his", "she", "her", "its", "them", "why", "when",
                    "where", "whom", "whose", "than", "too", "very", "over", "under", "about", "after", "before",
                    "between", "from", "all", "any", "each", "more", "most", "other", "some", "so", "only", "just",
                    "also", "there", "here", "been", "being", "were", "am", "doing", "one", "ones"}


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_FRENCH

    return frozenset(fold(w) for w in (*STOPWORDS_FRENCH, *STOPWORDS_EN)) | _EXTRA_STOPWORDS


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("french")


TOKENIZER_VERSION = "6"  # recorded in the index: a change here means the BM25 index is rebuilt

_CAPITALS = re.compile(r"\b[A-ZÀ-Ý]{3,}\b")


def tokenize(text: str) -> list[str]:
    """Stemmed, accent-folded content words; elisions split (l'ARS → ars).

    Words are stemmed with their accents, then folded: the French stemmer takes « -ée », « -ées » off only when
    accented, so « pilotées », « piloté » and « piloter » share one stem. A stop word written in capitals is a
    name and is kept (l'association AVEC Santé).
    """
    names = {fold(w) for w in _CAPITALS.findall(text)}
    words = []
    for token in _WORD.findall(text.lower().replace("’", "'").replace("œ", "oe").replace("æ", "ae")):
        head, _, tail = token.rpartition("'")
        token = head if tail == "s" and head else tail  # Garban's → garban ; l'ARS → ars
        folded = fold(token)
        if token and (folded not in _stopwords() or folded in names):
            words.append(_UNACCENTED_PARTICIPLE.sub(lambda m: "é" + m.group()[1:], token) if token == folded else token)
    return [fold(stem) for stem in _stemmer().stemWords(words)]


class LexicalIndex:
    """BM25 scores of every passage for a query; saved next to the dense index."""

    def __init__(self, model):
        self._model = model

    @classmethod
    def build(cls, texts: list[str]) -> "LexicalIndex":
        import bm25s

        model = bm25s.BM25(k1=1.2, b=0.75)
        model.index([tokenize(t) or [""] for t in texts], show_progress=False)
        return cls(model)

    def save(self, directory: Path) -> None:
        self._model.save(str(directory))

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex":
        import bm25s

        return cls(bm25s.BM25.load(str(directory)))

    def scores(self, query: str) -> np.ndarray:
        return self.token_scores(tokenize(query))

    def token_scores(self, tokens) -> np.ndarray:
        """BM25 scores for tokens already stemmed by :func:`tokenize`."""
        tokens = [t for t in tokens if t in self._model.vocab_dict]
        if not tokens:
            return np.zeros(self._model.scores["num_docs"], dtype=np.float32)
        return np.asarray(self._model.get_scores(tokens))

    def known(self, token: str) -> bool:
        return token in self._model.vocab_dict

    def idf(self, token: str) -> float:
        """Inverse document frequency of a token (0 for a token the corpus lacks)."""
        position = self._model.vocab_dict.get(token)
        if position is None:
            return 0.0
        indptr = self._model.scores["indptr"]
        df = int(indptr[position + 1] - indptr[position])
        n = int(self._model.scores["num_docs"])
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
