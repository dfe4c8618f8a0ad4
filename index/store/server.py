"""Scale-out: a Qdrant server or cluster through qdrant-client (QDRANT_URL).

Several service workers can share it, since the server owns the data. In
tests this same class runs against `QdrantClient(":memory:")`, which exists
only to exercise this code path: it is far too slow to serve.
"""

from __future__ import annotations

from qdrant_client import QdrantClient
from qdrant_client import models as m

from index.sparse import SPACES
from index.store.base import (
    DENSE,
    FLOAT_FIELDS,
    INTEGER_FIELDS,
    KEYWORD_FIELDS,
    LIVE,
    RANGE_FIELDS,
    BatchQuerying,
    Found,
    QuerySpec,
    StoredPoint,
    VectorQuery,
    Where,
    conditions,
    score_groups,
)
from ingest.errors import StoreError

_SCHEMA = {
    **{f: m.PayloadSchemaType.KEYWORD for f in KEYWORD_FIELDS},
    **{f: m.PayloadSchemaType.INTEGER for f in INTEGER_FIELDS},
    **{f: m.PayloadSchemaType.FLOAT for f in FLOAT_FIELDS},
}


def _match(key: str, value: str) -> m.FieldCondition:
    return m.FieldCondition(key=key, match=m.MatchValue(value=value))


# base.visible as a filter: live and not switched, or hidden and switched
_LIVE = m.Filter(
    should=[
        m.Filter(must=[_match("state", "live")], must_not=[_match("switched", "1")]),
        m.Filter(must=[_match("state", "hidden"), _match("switched", "1")]),
    ]
)


def _condition(key: str, values: tuple) -> m.FieldCondition | m.Filter:
    if key == LIVE:
        return _LIVE
    if key in RANGE_FIELDS:
        return m.FieldCondition(key=key, range=m.Range(gte=values[0], lte=values[1]))
    if len(values) == 1:
        return m.FieldCondition(key=key, match=m.MatchValue(value=values[0]))
    return m.FieldCondition(key=key, match=m.MatchAny(any=list(values)))


def to_filter(where: Where) -> m.Filter | None:
    must, must_not = conditions(where)
    if not must and not must_not:
        return None
    return m.Filter(must=[_condition(*c) for c in must] or None, must_not=[_condition(*c) for c in must_not] or None)


def _vector(query: VectorQuery) -> list[float] | m.SparseVector:
    if query.dense is not None:
        return query.dense
    indices, values = query.terms
    return m.SparseVector(indices=indices, values=values)


def _weighted_sum(weights: list[float]) -> m.FormulaQuery:
    """Σ weight_i × score of prefetch i; a point missing from a prefetch scores 0 there."""
    return m.FormulaQuery(
        formula=m.SumExpression(sum=[m.MultExpression(mult=[w, f"$score[{i}]"]) for i, w in enumerate(weights)]),
        defaults={f"$score[{i}]": 0.0 for i in range(len(weights))},
    )


def _score_fusion(
    groups: list[tuple[float, list[VectorQuery]]], flt: m.Filter | None, n: int
) -> tuple[list[m.Prefetch], m.FormulaQuery]:
    """Prefetches and final formula of a score-fused query (see base.score_groups), as in the Edge store."""
    parts = []
    for _, members in groups:
        inner = [m.Prefetch(query=_vector(s), using=s.using, filter=flt, limit=n) for s in members]
        if len(inner) > 1:
            inner = [m.Prefetch(prefetch=inner, query=_weighted_sum([s.weight for s in members]), limit=n)]
        parts.append(m.Prefetch(prefetch=inner, query=m.FusionQuery(fusion=m.Fusion.DBSF), limit=n))
    return parts, _weighted_sum([weight for weight, _ in groups])


def _found(point, score: float = 0.0) -> Found:
    vectors = point.vector if isinstance(point.vector, dict) else {}
    return Found(str(point.id), getattr(point, "score", score), dict(point.payload or {}), vectors)


def _request(spec: QuerySpec) -> m.QueryRequest:
    sources, limit, offset, with_payload = spec.sources, spec.limit, spec.offset, spec.with_payload
    flt = to_filter(spec.where)
    n = max(spec.pool, limit + offset)
    groups = score_groups(sources)
    if len(sources) == 1:
        return m.QueryRequest(
            query=_vector(sources[0]),
            using=sources[0].using,
            filter=flt,
            limit=limit,
            offset=offset,
            with_payload=with_payload,
        )
    if groups is not None:
        prefetch, formula = _score_fusion(groups, flt, n)
        return m.QueryRequest(prefetch=prefetch, query=formula, limit=limit, offset=offset, with_payload=with_payload)
    return m.QueryRequest(
        prefetch=[m.Prefetch(query=_vector(s), using=s.using, filter=flt, limit=n) for s in sources],
        limit=limit,
        offset=offset,
        with_payload=with_payload,
        query=m.RrfQuery(rrf=m.Rrf(k=spec.rrf_k, weights=[s.weight for s in sources])),
    )


class ServerStore(BatchQuerying):
    backend = "qdrant-server"
    sole_writer = False  # other processes (a second service, `procsearch ingest`) may write at the same time

    def __init__(self, url: str, collection: str, dimension: int | None, api_key: str | None = None):
        self.collection = collection
        try:
            self._client = QdrantClient(location=url) if url == ":memory:" else QdrantClient(url=url, api_key=api_key)
            exists = self._client.collection_exists(collection)
        except Exception as exc:  # noqa: BLE001 - connection errors come in many types
            raise StoreError(
                f"cannot reach Qdrant at {url}: {exc}. Is the server up (docker compose up qdrant)?"
            ) from exc
        if exists:
            self._add_missing_indexes()
            return
        if dimension is None:
            raise StoreError(f"no collection '{collection}' on {url} yet: run `procsearch ingest PATH` first")
        self._client.create_collection(
            collection,
            vectors_config={DENSE: m.VectorParams(size=dimension, distance=m.Distance.COSINE)},
            sparse_vectors_config={name: m.SparseVectorParams(modifier=m.Modifier.IDF) for name in SPACES.values()},
        )
        for field, schema in _SCHEMA.items():
            self._client.create_payload_index(collection, field, schema)

    def _add_missing_indexes(self) -> None:
        """Index the payload fields a newer version filters on (the write protocol's `switched`, ...)."""
        have = self._client.get_collection(self.collection).payload_schema or {}
        for field, schema in _SCHEMA.items():
            if field not in have:
                self._client.create_payload_index(self.collection, field, schema)

    def upsert(self, points: list[StoredPoint]) -> None:
        if not points:
            return
        structs = [
            m.PointStruct(
                id=p.id,
                payload=p.payload,
                vector={
                    name: (v if isinstance(v, list) else m.SparseVector(indices=v[0], values=v[1]))
                    for name, v in p.vectors.items()
                },
            )
            for p in points
        ]
        self._client.upsert(self.collection, structs, wait=True)

    def delete(self, where: Where) -> None:
        self._client.delete(self.collection, m.FilterSelector(filter=to_filter(where) or m.Filter()), wait=True)

    def set_payload(self, where: Where, payload: dict[str, object]) -> None:
        self._client.set_payload(self.collection, payload, points=to_filter(where) or m.Filter(), wait=True)

    def query_batch(self, specs: list[QuerySpec]) -> list[list[Found]]:
        """Several queries in one request to the server (`query_batch_points`): one round trip."""
        responses = self._client.query_batch_points(self.collection, requests=[_request(s) for s in specs])
        return [[_found(p) for p in response.points] for response in responses]

    def scroll(self, where: Where, with_vectors: bool = False) -> list[Found]:
        out: list[Found] = []
        offset = None
        while True:
            records, offset = self._client.scroll(
                self.collection,
                scroll_filter=to_filter(where),
                limit=1000,
                offset=offset,
                with_payload=True,
                with_vectors=with_vectors,
            )
            out.extend(_found(r) for r in records)
            if offset is None:
                return out

    def retrieve(self, ids: list[str], with_vectors: bool = False) -> list[Found]:
        return [
            _found(r) for r in self._client.retrieve(self.collection, ids, with_payload=True, with_vectors=with_vectors)
        ]

    def count(self, where: Where) -> int:
        return self._client.count(self.collection, count_filter=to_filter(where), exact=True).count

    def facet(self, key: str, where: Where) -> dict[object, int]:
        response = self._client.facet(
            self.collection, key=key, facet_filter=to_filter(where), limit=100_000, exact=True
        )
        return {hit.value: hit.count for hit in response.hits}

    def optimize(self) -> bool:
        """Nothing to do: a Qdrant server runs its optimizers in the background."""
        return False

    def close(self) -> None:
        self._client.close()
