"""Documents most like a given one: precedent tenders for the helpdesk.

The document's mean passage vector (dense) and its title and opening words
(BM25) are fused against every passage of other documents; a document scores
by its best passage. Documents of the same type come first, since a buyer
looking from a tender wants other tenders before guides about the topic.
"""

from __future__ import annotations

from index import sparse
from index.collection import Collection
from index.store import VectorQuery
from index.store.base import DENSE
from index.search import SearchFilters


def similar_documents(collection: Collection, document_id: str, k: int = 5) -> list[tuple[dict[str, object], float]]:
    """(document record, score) of the k most similar documents, same doc_type first."""
    found = collection.document(document_id, with_vector=True)
    record = found.payload
    chunks = collection.chunks(document_id)
    words = " ".join([str(record.get("title", ""))] + [str(c["text"]) for c in chunks[:2]]).split()[:300]
    text = " ".join(words)
    queries: list[VectorQuery] = []
    vector = found.vectors.get(DENSE) if found.vectors else None
    if vector:
        queries.append(VectorQuery(DENSE, dense=list(vector)))
    for analyser in ("fr", "en"):
        indices, values = sparse.embed_query(text, analyser)
        if indices:
            queries.append(VectorQuery(sparse.SPACES[analyser], sparse=(indices, values), weight=0.5))
    where = SearchFilters(exclude_document_ids=(document_id,)).where()
    best: dict[str, float] = {}
    for hit in collection.store.query(queries, where, limit=300, pool=300):
        doc = str(hit.payload["document_id"])
        best[doc] = max(best.get(doc, 0.0), hit.score)
    records = {str(f.payload["document_id"]): f.payload for f in collection.store.scroll(
        SearchFilters(document_ids=tuple(best)).where(kind="document"))} if best else {}
    ranked = sorted((doc for doc in best if doc in records),
                    key=lambda d: (records[d].get("doc_type") != record.get("doc_type"), -best[d]))
    return [(records[d], best[d]) for d in ranked[:k]]
