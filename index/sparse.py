"""BM25 sparse vectors with French and English analysis, computed by Qdrant's own analyser.

Each chunk is indexed in the sparse space of its language (`bm25_fr`, or
`bm25_en` for every other language), so stems and IDF statistics are never
mixed across languages. Qdrant applies the IDF modifier at query time; the
same `qdrant_edge.Bm25` code serves the embedded store and the server.

A chunk's terms are read under its document title (`document_text`), and a
query loses its French question words (`topic_words`) before analysis; both
were measured on the bundled set and PIAF (README, "Retrieval quality").
"""

from __future__ import annotations

import re
from functools import cache

from qdrant_edge import Bm25, Bm25Config

SPACES = {"fr": "bm25_fr", "en": "bm25_en"}
LANGUAGES = {"fr": "french", "en": "english"}


# French interrogatives: Qdrant's French stopword list keeps them (its English list already drops what,
# which, how, can…), so in a question like "Comment obtenir une carte grise ?" they count as terms and favour
# passages that happen to repeat them. "comment" is also an English noun ("public comment period"), so it
# is dropped only where a question starts: at the beginning, or after a colon or other clause mark.
_INTERROGATIVES = re.compile(
    r"(?<![\w'’-])(?:quel|quelle|quels|quelles|lequel|laquelle|lesquels|lesquelles|combien|pourquoi|quand|quoi)"
    r"(?![\w'’-])|(?:^|(?<=[:;?!.,]))\s*comment(?![\w'’-])",
    re.IGNORECASE,
)


def topic_words(query: str) -> str:
    """`query` without French question words (documents keep theirs); unchanged if nothing else is left.

    Question words say what kind of answer is wanted, not what it is about; as terms they favour passages
    that happen to repeat them. Modals (peut, doit, faut…) stay: removing them measured no better.
    """
    stripped = _INTERROGATIVES.sub(" ", query)
    return stripped if stripped.strip(" \t?!.,:;'’-") else query


def document_text(title: str, text: str) -> str:
    """What BM25 indexes for a chunk: the text under its document title.

    Like the dense side's `embedding_text`, a passage often never names its
    subject ("le titulaire fournit 30 % de produits bio"); the title does.
    The heading path as well measured no better (docs/retrieval-experiments.md).
    """
    return f"{title}\n{text}" if title else text


def space_for(language: str) -> str:
    """The sparse vector a chunk in `language` is indexed under."""
    return SPACES.get(language, SPACES["en"])


@cache
def _model(language: str) -> Bm25:
    return Bm25(Bm25Config(language=LANGUAGES[language], ascii_folding=True, avg_len=220.0))


def embed_document(text: str, language: str) -> tuple[str, list[int], list[float]]:
    """(space, indices, values) for a chunk."""
    analyser = "fr" if space_for(language) == SPACES["fr"] else "en"
    vector = _model(analyser).embed_document(text)
    return SPACES[analyser], list(vector.indices), list(vector.values)


def embed_query(text: str, language: str, weight: float = 1.0) -> tuple[list[int], list[float]]:
    """Query terms of `text` analysed as `language` ('fr' or 'en'), each with `weight` (see `topic_words`)."""
    vector = _model(language).embed_query(topic_words(text))
    return list(vector.indices), [weight * v for v in vector.values]
