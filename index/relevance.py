"""An honest "nothing found": a query whose terms match nothing and whose meaning is near nothing.

Hybrid retrieval always has dense neighbours, so without a floor "xqzzyv blorf" returned three
documents and a "next page" that never ended. A query is answered with no results when none of its
BM25 sources finds a chunk scoring at least `LEXICAL_FLOOR` and its nearest chunk by meaning is no
closer than its model's floor in `DENSE_FLOORS` (cosine). Both floors were set on eval/negatives.jsonl (nonsense and
out-of-domain questions) against the real questions of the evaluation sets (eval/negatives.py prints
the figures; docs/search-results.md has them).
"""

from __future__ import annotations

from index.collection import Collection
from index.store import VectorQuery, Where

LEXICAL_FLOOR = 0.0  # a BM25 hit scoring above this counts as a match of the query's terms
# Nearest cosine at or below which a query's meaning is no nearer than unrelated text, per model: a model's
# cosines live on its own scale. MiniLM: the 15 nonsense queries of eval/negatives.jsonl reach 0.16-0.39 on
# the bundled corpus, 0.18-0.27 on shared documents and 0.02-0.36 on PIAF sheets. multilingual-e5-small
# compresses every cosine into 0.75-0.85: nonsense reaches 0.80-0.835 and the out-of-domain questions
# 0.76-0.847 on the bundled corpus, while real questions start at 0.813, so the floor alone cannot tell
# them apart; every real question of the three sets has a matching term, which is what keeps them
# (docs/search-results.md). A model without a measured floor never empties a page on meaning alone.
DENSE_FLOORS = {"all-MiniLM-L6-v2": 0.40, "multilingual-e5-small": 0.85}


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
    """True when the query's terms match nothing and its dense neighbours are no closer than unrelated text.

    The sparse sources are asked first, one chunk each: a real question almost always has a
    matching term, and then the dense source need not be asked.
    """
    sparse = [q for q in queries if q.sparse is not None]
    dense = [q for q in queries if q.dense is not None]
    for query in sparse:
        found = collection.store.query(
            [VectorQuery(query.using, sparse=query.sparse)], where, limit=1, pool=1, with_payload=False
        )
        if found and found[0].score > LEXICAL_FLOOR:
            return False
    floor = dense_floor(collection.embedder.name)
    if floor is None:
        return not dense
    for query in dense:
        found = collection.store.query(
            [VectorQuery(query.using, dense=query.dense)], where, limit=1, pool=1, with_payload=False
        )
        if found and found[0].score > floor:
            return False
    return True


def dense_floor(model: str) -> float | None:
    """The cosine floor measured for `model` (by its name or its folder's name), or None."""
    return DENSE_FLOORS.get(model) or DENSE_FLOORS.get(model.rstrip("/").rsplit("/", 1)[-1])
