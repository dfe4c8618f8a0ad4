"""The embedded store's payload indexes once segments are optimized (immutable), where placement applies.

Small test stores stay in appendable segments, whose indexes are always in memory; these points are
enough for Qdrant Edge's optimizer to build an indexed, immutable segment.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from index.point_ids import chunk_point_id
from index.store.base import DENSE, StoredPoint, VectorQuery, Where
from index.store.edge import EdgeStore

pytestmark = pytest.mark.integration

POINTS = 8000  # above the optimizer's indexing threshold for 384-dimension vectors
PER_DOCUMENT = 10


def test_per_document_indexes_stay_on_disk_and_still_serve_deletes_and_exclusions(tmp_path):
    vectors = np.random.default_rng(0).normal(size=(POINTS, 384)).astype(np.float32)
    store = EdgeStore(tmp_path, 384)
    try:
        for start in range(0, POINTS, 1000):
            store.upsert(
                [
                    StoredPoint(
                        chunk_point_id(f"d{i // PER_DOCUMENT}", "v1", i % PER_DOCUMENT),
                        {DENSE: vectors[i].tolist()},
                        {
                            "kind": "chunk",
                            "state": "live",
                            "document_id": f"d{i // PER_DOCUMENT}",
                            "version": "v1",
                            "source": f"s{i // PER_DOCUMENT}.pdf",
                            "language": "fr",
                            "doc_type": "tender",
                            "year": 2020,
                        },
                    )
                    for i in range(start, min(POINTS, start + 1000))
                ]
            )
        store.optimize()
        placements = []
        for segment in (tmp_path / "shard" / "segments").iterdir():
            types = json.loads((segment / "payload_index" / "config.json").read_text())["indexed_types"]
            if types["kind"][0]["mutability"] == "immutable":
                placements.append({f: types[f][0]["storage_type"] for f in ("document_id", "source", "kind")})
        assert placements, "no optimized segment: nothing was checked"
        for placement in placements:
            assert placement["document_id"] == placement["source"] == {"mmap": {"is_on_disk": True}}
            assert placement["kind"] == {"mmap": {"is_on_disk": False}}  # checked on every search candidate

        assert store.count(Where(document_ids=("d3",))) == PER_DOCUMENT
        store.delete(Where(document_ids=("d3",)))
        assert store.count(Where(document_ids=("d3",))) == 0
        assert store.count(Where(kind="chunk")) == POINTS - PER_DOCUMENT
        hits = store.scroll(Where(document_ids=("d4", "d5"), exclude_document_ids=("d5",)))
        assert {h.payload["document_id"] for h in hits} == {"d4"} and len(hits) == PER_DOCUMENT
    finally:
        store.close()


def test_a_small_store_finds_the_exact_dense_neighbours_under_the_live_filter(tmp_path):
    """Up to EXACT_DENSE_POINTS, the dense list is the exact one.

    Edge's HNSW walk under this filter (a quarter of the points hidden) misses neighbours: with the
    threshold set to 0 the same check missed 27 of the 1,000.
    """
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(POINTS, 384)).astype(np.float32)
    store = EdgeStore(tmp_path, 384)
    try:
        for start in range(0, POINTS, 1000):
            store.upsert(
                [
                    StoredPoint(
                        chunk_point_id(f"d{i}", "v1", 0),
                        {DENSE: vectors[i].tolist()},
                        {"kind": "chunk", "state": "live" if i % 4 else "hidden", "document_id": f"d{i}"},
                    )
                    for i in range(start, min(POINTS, start + 1000))
                ]
            )
        store.optimize()
        assert store.exact_dense
        normalised = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        missed = 0
        for q in rng.normal(size=(10, 384)).astype(np.float32):
            scores = normalised @ (q / np.linalg.norm(q))
            live = [i for i in np.argsort(-scores) if i % 4][:100]
            want = {chunk_point_id(f"d{i}", "v1", 0) for i in live}
            got = store.query([VectorQuery(DENSE, dense=q.tolist())], Where(kind="chunk", state="live"), 100, pool=100)
            missed += len(want - {f.id for f in got})
        assert missed == 0
    finally:
        store.close()
