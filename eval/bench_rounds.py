"""Server path figure of `procsearch bench`: store round trips and bytes per search with `QDRANT_URL`.

qdrant-client's local mode (`:memory:`) scans in Python, so its latency says nothing of a real cluster;
what it does show is the conversation a search has with the server. The bench's ingested points are copied
into it, the bench questions are searched there, and every client call is counted with the JSON size of what
it sends and receives (the REST bodies; gRPC sends less). A deployment is sized on paper from that
(docs/performance.md, "Sizing a Qdrant cluster").
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from eval.bench_scale import Figure
from index.collection import Collection, open_collection
from index.search import search
from index.store import StoredPoint, Where

_CALLS = ("query_points", "query_batch_points", "retrieve", "scroll", "count", "facet")


def _size(value: Any) -> int:
    """JSON bytes of a request or response part (pydantic models, lists of them, ids)."""
    if hasattr(value, "model_dump_json"):
        return len(value.model_dump_json(exclude_none=True))
    if isinstance(value, list | tuple):
        return sum(_size(v) for v in value) + max(len(value) - 1, 0) + 2
    return len(json.dumps(value, default=str))


class CallCounter:
    """Wraps a QdrantClient's calls: how many, and the bytes each sends and receives."""

    def __init__(self, client) -> None:
        self.calls: Counter[str] = Counter()
        self.sent = self.received = 0
        for name in _CALLS:
            method = getattr(client, name)
            setattr(client, name, self._wrap(name, method))

    def _wrap(self, name: str, method):
        def counted(*args, **kwargs):
            self.calls[name] += 1
            self.sent += sum(_size(a) for a in args[1:]) + sum(_size(v) for k, v in kwargs.items() if v is not None)
            out = method(*args, **kwargs)
            self.received += _size(out.points if hasattr(out, "points") else out)
            return out

        return counted


def _plain(vector: Any) -> Any:
    """A vector as `StoredPoint` holds it: dense list, or (indices, values) for a sparse one."""
    if hasattr(vector, "indices"):
        return list(vector.indices), list(vector.values)
    return list(vector)


def copy_points(source: Collection, target: Collection) -> int:
    """Every point of `source` (vectors and payloads) into `target`; returns how many."""
    found = source.store.scroll(Where(), with_vectors=True)
    points = [StoredPoint(f.id, {k: _plain(v) for k, v in f.vectors.items()}, f.payload) for f in found]
    for start in range(0, len(points), 256):
        target.store.upsert(points[start : start + 256])
    return len(points)


def bench_server_path(collection: Collection, queries: list[str]) -> Figure:
    """Round trips and bytes of one search on the qdrant-client path (`:memory:`), the bench's points."""
    server = open_collection(url=":memory:", collection="rounds", create=True, embedder=collection.embedder)
    with server:
        copy_points(collection, server)
        for query in queries:  # encodings cached: only the store conversation is counted
            collection.embedder.embed_query(query)
        counter = CallCounter(server.store._client)  # type: ignore[attr-defined]
        for query in queries:
            search(server, query, k=10)
    n = len(queries)
    round_trips = sum(counter.calls.values()) / n
    return Figure(
        "server path: store round trips per search (qdrant-client)",
        {
            "searches": n,
            "calls": dict(counter.calls),
            "round_trips_per_search": round(round_trips, 2),
            "kb_sent_per_search": round(counter.sent / n / 1024, 1),
            "kb_received_per_search": round(counter.received / n / 1024, 1),
        },
        round(round_trips, 2),
        "1 (report)",
        None,
    )
