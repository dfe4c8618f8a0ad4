"""Document-level BM25: a whole document's terms, as one more list for score-fused (French) queries.

A chunk's BM25 only sees its chunk (under the document title), so a question
whose words are spread over a document, or that tells two near-identical
documents apart by what each says elsewhere, would be decided by whichever
single passage says most. Each document point therefore also carries a BM25
vector of the whole document (its title and its chunks of that language), and a
score-fused query asks the document points the same lexical question in a
second Qdrant query. The documents' scores are normalised as Qdrant's DBSF
normalises the other lists (mean ± 3 sample standard deviations, not clipped,
so that the documents that stand out stay apart) and added to each candidate
chunk's fused score at `Tuning.document_lexical`: one more list in the same
formula. The other language's side weighs, together, what the query language's
side weighs (`lexical_sources`): over a whole document, generic translated terms
would otherwise pile up and an English guide would outrank the French page that
answers a French question word for word. The measurements behind each choice are
in docs/retrieval-experiments.md.

The document vector lives in the chunks' sparse spaces with its indices' top bit
flipped (`document_index`): Qdrant's word indices are |murmur3| of a stem read as
a signed 32-bit integer, so they stay below 2**31 and a document term never
takes a chunk term's document frequency. Qdrant counts every point holding a
vector of the space in its IDF's N, so document points raise the chunks' N.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from functools import lru_cache

from index import sparse
from index.point_ids import document_point_id
from index.sparse import SPACES
from index.store import Found, QuerySpec, Store, VectorQuery, Where

TOP_BIT = 2**31
# Documents asked for, and normalised over, per query: as deep as each chunk list (index.search.POOL), so
# that DBSF reads this list's mean and spread over the same depth as the others'.
DOCUMENTS = 200


def document_index(index: int) -> int:
    """Where a chunk-space word index lives in a document vector: the other half of the u32 range."""
    return index ^ TOP_BIT


def document_vectors(title: str, chunks: Sequence[tuple[str, str]]) -> dict[str, tuple[list[int], list[float]]]:
    """Sparse vectors of a document point: per space, the BM25 terms of its title and its chunks in that space.

    `chunks` are (text, language) pairs in reading order.
    """
    texts: dict[str, list[str]] = {}
    for text, language in chunks:
        texts.setdefault(sparse.space_for(language), []).append(text)
    vectors = {}
    for space, parts in texts.items():
        language = "fr" if space == sparse.SPACES["fr"] else "en"
        _, indices, values = sparse.embed_document(sparse.document_text(title, "\n".join(parts)), language)
        vectors[space] = ([document_index(i) for i in indices], values)
    return vectors


def lexical_sources(queries: Sequence[VectorQuery], language: str | None = None) -> list[VectorQuery]:
    """The sparse sources of a query, moved to the document half of their spaces, summed as one list.

    With the query's `language`, the other language's sources are scaled to weigh, together, what
    the query language's own weigh. In the chunk list the other language's sources may together
    outweigh the query language's, because a chunk is short; over a whole document in the other
    language the generic translated terms ("reserved contracts", "lot") would pile up and outrank
    the document in the question's own language that answers it.
    """
    sources = [q for q in queries if q.sparse is not None]
    own = SPACES.get(language or "")
    weight_own = sum(q.weight for q in sources if q.using == own)
    weight_other = sum(q.weight for q in sources if q.using != own)
    scale = weight_own / weight_other if own and weight_own > 0 and weight_other > 0 else 1.0
    return [
        VectorQuery(
            q.using,
            sparse=([document_index(i) for i in q.sparse[0]], q.sparse[1]) if q.sparse else None,
            weight=q.weight if q.using == own else scale * q.weight,
            group="lexical",
        )
        for q in sources
    ]


def normalised(scores: dict[str, float]) -> dict[str, float]:
    """DBSF as Qdrant computes it for the other lists: (score - (mean - 3 sd)) / 6 sd, sample sd, not clipped.

    Unchanged by a positive scaling or shift of the scores, so Qdrant's own
    normalisation of a several-source query before this one does not matter.
    Not clipped: a document standing out above mean + 3 sd (the one a question
    is about, often) keeps its lead, as the dense and chunk-BM25 lists' first
    hits keep theirs (Qdrant's DBSF does not clip). Clipped to 1, the first
    documents would tie and the list could not tell them apart.
    """
    if not scores:
        return {}
    sd = statistics.stdev(scores.values()) if len(scores) > 1 else 0.0
    if sd == 0:
        return {key: 1.0 for key in scores}
    low = statistics.fmean(scores.values()) - 3 * sd
    return {key: (value - low) / (6 * sd) for key, value in scores.items()}


def document_query(queries: Sequence[VectorQuery], where: Where, language: str | None = None) -> QuerySpec | None:
    """The document-level query for the sparse part of `queries` (None without sparse sources).

    Payloads are not read (they cost more than the ranking): candidates find their document's score
    through `document_point_id`. `index.search` sends it in one batch with the chunk query.
    """
    sources = lexical_sources(queries, language)
    if not sources:
        return None
    documents = Where(**{**where.__dict__, "kind": "document"})
    return QuerySpec(sources, documents, limit=DOCUMENTS, pool=DOCUMENTS, with_payload=False)


def scores_of(found: Sequence[Found]) -> dict[str, float]:
    """Document point id -> normalised document-level BM25 score, from the document query's answer."""
    return normalised({f.id: f.score for f in found})


def document_scores(
    store: Store, queries: Sequence[VectorQuery], where: Where, language: str | None = None
) -> dict[str, float]:
    """Document point id -> normalised document-level BM25 score, for the sparse part of `queries`."""
    spec = document_query(queries, where, language)
    return scores_of(store.query_batch([spec])[0]) if spec else {}


@lru_cache(maxsize=100_000)
def _point(document_id: str) -> str:
    return document_point_id(document_id)


def blend(candidates: list[Found], documents: dict[str, float], weight: float) -> list[Found]:
    """Candidates with their document's score added at `weight`, best first.

    Equal scores are ordered by document id and chunk number, which no pipeline version changes
    (point ids derive from PIPELINE_VERSION, so ordering by them would reshuffle ties at every bump).
    """
    if documents and weight:
        candidates = [f.rescored(f.score + weight * documents.get(_point(f.keys.document_id), 0.0)) for f in candidates]
    return sorted(
        candidates,
        key=lambda f: (-f.score, f.keys.document_id, f.keys.index, f.id),
    )
