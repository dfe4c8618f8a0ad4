"""An honest "nothing found": a query whose terms match nothing and whose meaning is near nothing.

Hybrid retrieval always has dense neighbours, so without a floor "xqzzyv blorf" returned three
documents and a "next page" that never ended. A query is answered with no results when none of its
BM25 sources finds a chunk scoring above `LEXICAL_FLOOR` and its nearest chunk by meaning is no
closer than its model's floor (`index.embedder.dense_floor`, cosine). Both floors were set on
eval/negatives.jsonl (nonsense and out-of-domain questions) against the real questions of the evaluation
sets (eval/negatives.py prints the figures; docs/search-results.md has them).

The lexical question rides in the search's own store call (`lexical_probe` is one more query of its
batch, `index.search`): a real question almost always has a matching term, so the dense question, a
second call, is asked only for the few that have none.
"""

from __future__ import annotations

from index.collection import Collection
from index.store import Found, QuerySpec, VectorQuery, Where

LEXICAL_FLOOR = 0.0  # a BM25 hit scoring above this counts as a match of the query's terms


def lexical_probe(queries: list[VectorQuery], where: Where) -> QuerySpec | None:
    """One query that finds a chunk when any sparse source of `queries` matches one (None without sparse sources).

    Each source keeps its own best chunk (a prefetch of one), so the probe costs one posting-list walk
    per source, and its answer is that of asking each source alone.
    """
    sparse = [VectorQuery(q.using, sparse=q.sparse) for q in queries if q.sparse is not None]
    return QuerySpec(sparse, where, limit=len(sparse), pool=1, with_payload=False) if sparse else None


def matched(found: list[Found], spec: QuerySpec | None) -> bool:
    """Whether a probe's answer shows a term match (the fused list of single-source probes has no raw score)."""
    if spec is None or not found:
        return False
    return len(spec.sources) > 1 or found[0].score > LEXICAL_FLOOR


def near_enough(collection: Collection, queries: list[VectorQuery], where: Where) -> bool:
    """Whether the query's nearest chunk by meaning is closer than unrelated text (one query per dense source)."""
    floor = collection.embedder.dense_floor
    dense = [q for q in queries if q.dense is not None]
    if floor is None:
        return bool(dense)
    for query in dense:
        found = collection.store.query(
            [VectorQuery(query.using, dense=query.dense)], where, limit=1, pool=1, with_payload=False
        )
        if found and found[0].score > floor:
            return True
    return False


def evidence(collection: Collection, queries: list[VectorQuery], where: Where) -> tuple[float, float]:
    """(best BM25 chunk score over the sparse sources, best dense cosine); 0.0 for a source the mode lacks."""
    lexical = dense = 0.0
    for query in queries:
        single = VectorQuery(query.using, dense=query.dense, sparse=query.sparse)
        found = collection.store.query([single], where, limit=1, pool=1, with_payload=False)
        best = found[0].score if found else 0.0
        if query.dense is not None:
            dense = max(dense, best)
        else:
            lexical = max(lexical, best)
    return lexical, dense


def nothing_found(collection: Collection, queries: list[VectorQuery], where: Where) -> bool:
    """True when the query's terms match nothing and its dense neighbours are no closer than unrelated text."""
    probe = lexical_probe(queries, where)
    if probe is not None and matched(collection.store.query_batch([probe])[0], probe):
        return False
    return not near_enough(collection, queries, where)
