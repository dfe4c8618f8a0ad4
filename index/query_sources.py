"""The vector queries of one search: the dense neighbours and BM25 in both analysers, weighted by language.

Hybrid and lexical modes fuse them inside Qdrant. Queries whose language is sure are score-fused (DBSF): each
list counts in proportion to its scores, so a weak dense list or a poor other-language BM25 list does
not claim the first places the way weighted RRF gives every list's first hit. Queries of unsure
language (two- or three-word keyword queries) are rank-fused (weighted RRF).
"""

from __future__ import annotations

from index import sparse
from index.collection import Collection
from index.glossary import translate_terms
from index.query_language import query_languages
from index.store import VectorQuery
from index.store.base import DENSE
from index.tuning import Tuning, default_tuning
from ingest.vocabulary import MODES


def _terms(text: str, analyser: str, extra: str = "", extra_weight: float = 0.0) -> tuple[list[int], list[float]]:
    """BM25 query terms of `text`, plus those of `extra` at `extra_weight` (an original term keeps 1.0)."""
    indices, values = sparse.embed_query(text, analyser)
    terms = dict(zip(indices, values, strict=True))
    if extra and extra_weight > 0:
        for index, value in zip(*sparse.embed_query(extra, analyser), strict=True):
            terms[index] = max(terms.get(index, 0.0), extra_weight * value)
    return list(terms), list(terms.values())


def sources(
    collection: Collection, query: str, mode: str, tuning: Tuning | None = None, score_fusion: bool = False
) -> tuple[list[VectorQuery], str | None]:
    """The vector queries for `mode`, weighted by the query's language.

    The query is read with both analysers. The glossary carries its terms into
    the other language: inside that language's BM25 query at a lower weight,
    and as a source of its own. For a score-fused query the BM25 sources share
    one group: a chunk is indexed in its own language's space only, so the
    spaces are disjoint and their raw BM25 scores add up into one lexical list.
    `score_fusion` is search()'s choice; similar documents (a 300-word opening
    as the query) measured better rank-fused (nDCG@5 0.612 against 0.559).
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode '{mode}': use one of {', '.join(MODES)}")
    tuning = tuning or default_tuning(mode, collection.embedder.name if collection is not None else None)
    language, confidence = query_languages(query)
    sure = language if confidence >= 0.5 else None
    translated: dict[str, str] = {}  # target language → glossary translation of the query
    for source_language, target in (("fr", "en"), ("en", "fr")):
        if sure in (None, source_language):
            translated[target] = " ".join(translate_terms(query, source_language))
    scored = score_fusion and mode in ("hybrid", "lexical") and sure in tuning.score_fused
    lexical = "lexical" if scored else ""
    out: list[VectorQuery] = []
    if mode in ("hybrid", "dense"):
        weight = tuning.dense_fr if sure == "fr" else tuning.dense_en
        out.append(VectorQuery(DENSE, dense=collection.embedder.embed_query(query), weight=weight))
    if mode in ("hybrid", "lexical"):
        for analyser in ("fr", "en"):
            extra = translated.get(analyser, "")
            indices, values = _terms(query, analyser, extra, tuning.merged_expansion)
            if indices:
                weight = 1.0 if sure in (None, analyser) else tuning.scored_other if scored else tuning.lexical_other
                out.append(VectorQuery(sparse.SPACES[analyser], sparse=(indices, values), weight=weight, group=lexical))
            if extra and tuning.expansion > 0 and sure is not None:  # unsure: a keyword query, kept in-language
                indices, values = sparse.embed_query(extra, analyser)
                if indices:
                    out.append(
                        VectorQuery(
                            sparse.SPACES[analyser],
                            sparse=(indices, values),
                            weight=tuning.scored_expansion if scored else tuning.expansion,
                            group=lexical,
                        )
                    )
    return out, language
