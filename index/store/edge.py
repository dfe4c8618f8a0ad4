"""The embedded default: a Qdrant Edge shard in-process, under the data folder.

A real Qdrant engine (HNSW, payload indexes, WAL) without a server: a filtered
hybrid query over 20,000 points takes about a millisecond, where qdrant-client's
local mode scans in Python.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from uuid import UUID

import qdrant_edge as qe

from index.disk import check_free, check_writable
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
from index.store.lock import DataLock
from index.store.payload_cache import FULL_PAYLOADS, PayloadCache
from ingest.errors import StoreError

# The indexes that searches check on every candidate (kind, state and the members' filters) are loaded
# into memory when the shard opens. The per-document ones (ids, version, source) serve deletes, updates
# and lookups only, so they are read from their files when used (Memory.Cold): loaded, they took about
# half the time of opening a 200,000-chunk store, which is what `procsearch serve` waits for.
_COLD = ("document_id", "version", "source")


def _index_params(field: str):
    memory = qe.Memory.Cold if field in _COLD else None
    if field in INTEGER_FIELDS:
        return qe.IntegerIndexParams(lookup=True, range=True, memory=memory)
    if field in FLOAT_FIELDS:
        return qe.FloatIndexParams(memory=memory)
    return qe.KeywordIndexParams(memory=memory)


_SCHEMA = {f: _index_params(f) for f in (*KEYWORD_FIELDS, *INTEGER_FIELDS, *FLOAT_FIELDS)}


def _dense_params(dimension: int) -> qe.EdgeVectorParams:
    """Dense vectors as a million passages need them: int8 copies in memory, the float originals on disk.

    Searches walk the HNSW graph over the int8 copies (a quarter of the floats' memory) and rescore the
    candidates with the originals, read from their file (`Memory.Cold`: mapped, not pre-loaded), so the
    ranking stays the float ranking (docs/performance.md has the nDCG against unquantized vectors).
    """
    return qe.EdgeVectorParams(
        size=dimension,
        distance=qe.Distance.Cosine,
        memory=qe.Memory.Cold,
        quantization_config=qe.ScalarQuantizationConfig(
            type=qe.ScalarType.Int8, quantile=0.99, memory=qe.Memory.Pinned
        ),
    )


# Rescoring with the originals after the int8 walk: without it the first hits' order follows the int8 error.
_RESCORED = qe.SearchParams(quantization=qe.QuantizationSearchParams(rescore=True))


def _match(key: str, value: str) -> qe.FieldCondition:
    return qe.FieldCondition(key=key, match=qe.MatchValue(value))


# base.visible as a filter: live and not switched, or hidden and switched
_LIVE = qe.Filter(
    should=[
        qe.Filter(must=[_match("state", "live")], must_not=[_match("switched", "1")]),
        qe.Filter(must=[_match("state", "hidden"), _match("switched", "1")]),
    ]
)


def _condition(key: str, values: tuple) -> qe.FieldCondition | qe.Filter:
    if key == LIVE:
        return _LIVE
    if key in RANGE_FIELDS:
        return qe.FieldCondition(key=key, range=qe.RangeFloat(gte=values[0], lte=values[1]))
    if len(values) == 1:
        return qe.FieldCondition(key=key, match=qe.MatchValue(values[0]))
    return qe.FieldCondition(key=key, match=qe.MatchAny(list(values)))


def to_filter(where: Where) -> qe.Filter | None:
    must, must_not = conditions(where)
    if not must and not must_not:
        return None
    return qe.Filter(must=[_condition(*c) for c in must] or None, must_not=[_condition(*c) for c in must_not] or None)


def _vector(query: VectorQuery) -> list[float] | qe.SparseVector:
    return query.dense if query.dense is not None else qe.SparseVector(*query.terms)


# Up to this many points the dense neighbours are found by exact search. Edge's HNSW walk under the search's
# filter (live chunks) found only 60 % of the exact top 200 on the shared corpus (11,211 chunks; 87 % without a
# filter), which cost its dense list 0.295 against 0.437 nDCG@10 exact, and hybrid 0.474 against 0.540
# (eval/shared tuning half, docs/retrieval-experiments.md); exact search there took 10 ms against 6.6.
EXACT_DENSE_POINTS = 40_000
_EXACT = qe.SearchParams(exact=True, quantization=qe.QuantizationSearchParams(ignore=True))


def _params(query: VectorQuery, exact: bool = False) -> qe.SearchParams | None:
    if query.dense is None:
        return None
    return _EXACT if exact else _RESCORED


def _weighted_sum(weights: list[float]) -> qe.Formula:
    """Σ weight_i × score of prefetch i; a point missing from a prefetch scores 0 there."""
    E = qe.Expression
    return qe.Formula(
        E.Sum([E.Mult([E.Constant(w), E.Variable(f"$score[{i}]")]) for i, w in enumerate(weights)]),
        defaults={f"$score[{i}]": 0.0 for i in range(len(weights))},
    )


def _score_fusion(
    groups: list[tuple[float, list[VectorQuery]]], flt: qe.Filter | None, n: int, exact: bool
) -> tuple[list[qe.Prefetch], qe.Formula]:
    """Prefetches and final formula of a score-fused query (see base.score_groups)."""
    parts = []
    for _, members in groups:
        inner = [
            qe.Prefetch(
                limit=n, filter=flt, query=qe.Query.Nearest(_vector(s), using=s.using), params=_params(s, exact)
            )
            for s in members
        ]
        if len(inner) > 1:
            inner = [qe.Prefetch(limit=n, prefetches=inner, query=_weighted_sum([s.weight for s in members]))]
        parts.append(qe.Prefetch(limit=n, prefetches=inner, query=qe.Fusion.Dbsf()))  # type: ignore[arg-type]
    return parts, _weighted_sum([weight for weight, _ in groups])


def _found(point, score: float | None = None) -> Found:
    # each read of .payload or .vector converts the point's data again (a new dict): read each once
    vectors, payload = point.vector, point.payload
    return Found(
        str(point.id),
        score if score is not None else getattr(point, "score", 0.0),
        payload if payload else {},
        vectors if isinstance(vectors, dict) else {},
    )


def _request(spec: QuerySpec, exact: bool = False) -> qe.QueryRequest:
    """The engine's request for `spec`; `exact` finds dense neighbours by exact search (EXACT_DENSE_POINTS)."""
    sources, limit, offset, with_payload = spec.sources, spec.limit, spec.offset, spec.with_payload
    flt = to_filter(spec.where)
    n = max(spec.pool, limit + offset)
    groups = score_groups(sources)
    if len(sources) == 1:
        return qe.QueryRequest(
            limit=limit,
            offset=offset,
            query=qe.Query.Nearest(_vector(sources[0]), using=sources[0].using),
            params=_params(sources[0], exact),
            filter=flt,
            with_payload=with_payload,
        )
    if groups is not None:
        prefetches, formula = _score_fusion(groups, flt, n, exact)
        return qe.QueryRequest(
            limit=limit, offset=offset, prefetches=prefetches, with_payload=with_payload, query=formula
        )
    prefetches = [
        qe.Prefetch(limit=n, filter=flt, query=qe.Query.Nearest(_vector(s), using=s.using), params=_params(s, exact))
        for s in sources
    ]
    return qe.QueryRequest(
        limit=limit,
        offset=offset,
        prefetches=prefetches,
        with_payload=with_payload,
        query=qe.Fusion.Rrf(k=spec.rrf_k, weights=[s.weight for s in sources]),  # type: ignore[arg-type]
    )


def _ids(ids: list[str]) -> list[int | UUID | str]:
    """Point ids as Edge's retrieve() types them (ours are UUID strings)."""
    return list(ids)


class EdgeStore(BatchQuerying):
    backend = "qdrant-edge"
    sole_writer = True  # the shard's folder is locked to this process (index.store.lock)

    def __init__(self, folder: Path, dimension: int | None, min_free_mb: int | None = None):
        """Open the shard in `folder`, creating it when `dimension` is given and none exists.

        Refused with one line when the folder is read-only or its disk is short of `min_free_mb` (index.disk).
        """
        self.folder = folder
        self.min_free_mb = min_free_mb
        self._light = PayloadCache()  # the light keys of the pool's chunks (index.store.payload_cache)
        self._full = PayloadCache(FULL_PAYLOADS)  # whole payloads of the points of result pages
        self._points: int | None = None  # points in the shard, for `exact_dense`
        check_writable(folder)
        check_free(folder, min_free_mb)
        self._lock = DataLock(folder)
        self._lock.acquire()
        shard_path = folder / "shard"
        try:
            if (shard_path / "edge_config.json").exists() or (shard_path / "segments").exists():
                self._shard = qe.EdgeShard.load(str(shard_path))
            elif dimension is None:
                raise StoreError(f"no index in {folder} yet: run `procsearch ingest PATH` first")
            else:
                self._shard = qe.EdgeShard.create(
                    str(shard_path),
                    qe.EdgeConfig(
                        vectors={DENSE: _dense_params(dimension)},
                        payload_memory=qe.Memory.Cold,  # payloads are read for a page's 30 chunks, not scanned
                        sparse_vectors={
                            name: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf) for name in SPACES.values()
                        },
                    ),
                )
            have = self._shard.info().payload_schema or {}
            for field, schema in _SCHEMA.items():  # also the indexes a newer version filters on (`switched`)
                if field not in have:
                    self._shard.update(qe.UpdateOperation.create_field_index(field, schema))
        except StoreError:
            self._lock.release()
            raise
        except Exception as exc:  # noqa: BLE001 - the engine's errors are strings; give the way out
            self._lock.release()
            raise StoreError(f"cannot open the index in {folder}: {exc}") from exc

    @property
    def exact_dense(self) -> bool:
        """Whether dense neighbours are found by exact search: the store is small enough (EXACT_DENSE_POINTS)."""
        if self._points is None:
            self._points = self._shard.info().points_count
        return self._points <= EXACT_DENSE_POINTS

    def _update(self, operation) -> None:
        """Every write goes through here: a disk short of space stops it before the store maps more."""
        check_free(self.folder, self.min_free_mb)
        self._light.clear()
        self._full.clear()
        self._points = None  # counted again at the next query
        try:
            self._shard.update(operation)
        finally:
            self._light.clear()
            self._full.clear()

    def upsert(self, points: list[StoredPoint]) -> None:
        if not points:
            return
        converted = []
        for p in points:
            vectors: dict[str, list[float] | qe.SparseVector | list[list[float]]] = {
                name: (v if isinstance(v, list) else qe.SparseVector(*v)) for name, v in p.vectors.items()
            }
            converted.append(qe.Point(p.id, vectors, p.payload))
        self._update(qe.UpdateOperation.upsert_points(converted))

    def optimize(self) -> bool:
        """Build the vector indexes of segments written since the last run (blocking).

        Fresh points sit in small unindexed segments that are searched by brute force: at 200,000
        chunks a query took 108 ms before and 14.7 ms after (`procsearch bench`).
        """
        return bool(self._shard.optimize())

    def delete(self, where: Where) -> None:
        self._update(qe.UpdateOperation.delete_points_by_filter(to_filter(where) or qe.Filter()))

    def set_payload(self, where: Where, payload: dict[str, object]) -> None:
        self._update(qe.UpdateOperation.set_payload_by_filter(to_filter(where) or qe.Filter(), payload))

    def query_batch(self, specs: list[QuerySpec]) -> list[list[Found]]:
        """Several queries in one engine call, planned together (one pass over the segments).

        Payload keys asked for by name come from the payload cache (see index.store.payload_cache).
        """
        generation = self._light.generation
        keyed = [replace(s, with_payload=False) if isinstance(s.with_payload, list) else s for s in specs]
        if len(keyed) == 1:
            answers = [self._shard.query(_request(keyed[0], self.exact_dense))]
        else:
            answers = self._shard.query_batch(qe.QueryBatchRequest([_request(s, self.exact_dense) for s in keyed]))
        out = []
        for spec, points in zip(specs, answers, strict=True):
            found = [_found(p) for p in points]
            if isinstance(spec.with_payload, list):
                payloads = self._light.payloads([f.id for f in found], spec.with_payload, self._read, generation)
                found = [Found(f.id, f.score, payloads.get(f.id, {})) for f in found]
            out.append(found)
        return out

    def _read(self, ids: list[str], keys: list[str]) -> dict[str, dict[str, object]]:
        return {
            str(r.id): r.payload or {} for r in self._shard.retrieve(_ids(ids), with_payload=keys, with_vector=False)
        }

    def scroll(self, where: Where, with_vectors: bool = False) -> list[Found]:
        out: list[Found] = []
        offset = None
        while True:
            records, offset = self._shard.scroll(
                qe.ScrollRequest(
                    offset=offset, limit=1000, filter=to_filter(where), with_payload=True, with_vector=with_vectors
                )
            )
            out.extend(_found(r, 0.0) for r in records)
            if offset is None:
                return out

    def retrieve(self, ids: list[str], with_vectors: bool = False) -> list[Found]:
        """Points by id, in the order found; whole payloads come from the payload cache (a result page's)."""
        if with_vectors:
            return [_found(r, 0.0) for r in self._shard.retrieve(_ids(ids), with_payload=True, with_vector=True)]
        payloads = self._full.payloads(ids, (), self._read_all, self._full.generation)
        return [Found(i, 0.0, payloads[i]) for i in dict.fromkeys(ids) if i in payloads]

    def _read_all(self, ids: list[str], _keys: list[str]) -> dict[str, dict[str, object]]:
        return {
            str(r.id): r.payload or {} for r in self._shard.retrieve(_ids(ids), with_payload=True, with_vector=False)
        }

    def count(self, where: Where) -> int:
        return self._shard.count(qe.CountRequest(filter=to_filter(where), exact=True))

    def facet(self, key: str, where: Where) -> dict[object, int]:
        response = self._shard.facet(qe.FacetRequest(key=key, limit=100_000, exact=True, filter=to_filter(where)))
        return {hit.value: hit.count for hit in response.hits}

    def close(self) -> None:
        if getattr(self, "_shard", None) is not None:
            self._shard.flush()
            self._shard.close()
            del self._shard
        self._lock.release()
