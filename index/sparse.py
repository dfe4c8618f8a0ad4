"""BM25 sparse vectors with French and English analysis, computed by Qdrant's own analyser.

Each chunk is indexed in the sparse space of its language (`bm25_fr`, or
`bm25_en` for every other language), so stems and IDF statistics are never
mixed across languages. Qdrant applies the IDF modifier at query time; the
same `qdrant_edge.Bm25` code serves the embedded store and the server.
"""

from __future__ import annotations

from functools import lru_cache

from qdrant_edge import Bm25, Bm25Config

SPACES = {"fr": "bm25_fr", "en": "bm25_en"}
LANGUAGES = {"fr": "french", "en": "english"}


def space_for(language: str) -> str:
    """The sparse vector a chunk in `language` is indexed under."""
    return SPACES.get(language, SPACES["en"])


@lru_cache(maxsize=None)
def _model(language: str) -> Bm25:
    return Bm25(Bm25Config(language=LANGUAGES[language], ascii_folding=True, avg_len=220.0))


def embed_document(text: str, language: str) -> tuple[str, list[int], list[float]]:
    """(space, indices, values) for a chunk."""
    analyser = "fr" if space_for(language) == SPACES["fr"] else "en"
    vector = _model(analyser).embed_document(text)
    return SPACES[analyser], list(vector.indices), list(vector.values)


def embed_query(text: str, language: str, weight: float = 1.0) -> tuple[list[int], list[float]]:
    """Query terms analysed as `language` ('fr' or 'en'), each with `weight`."""
    vector = _model(language).embed_query(text)
    return list(vector.indices), [weight * v for v in vector.values]
