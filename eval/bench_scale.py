"""Scale figures for `procsearch bench`: a synthetic collection of N chunks in a fresh embedded store.

Texts are corpus chunks (and windows of ../shared/corpus when it is present), varied by taking a random
run of their words; vectors are real model vectors of those base texts, perturbed (gaussian noise,
renormalised) for each copy, so building 200,000 points does not need 200,000 encodes. BM25 vectors and
payloads are built as `Collection.add` builds them. Queries go through `index.search.search` with the query
vectors already cached, so what is timed is what grows with N (the engine, the merge), not the model.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index import sparse
from index.collection import Collection, open_collection
from index.point_ids import chunk_point_id
from index.records import ChunkRecord, chunk_payload
from index.search import POOL, SearchFilters, candidate_limit, search, sources
from index.store import StoredPoint, Where
from index.store.base import DENSE
from index.tuning import default_tuning
from ingest import vocabulary
from service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = Settings.from_env().shared_dir / "corpus"

DOC_TYPES = tuple(t for t in vocabulary.DOC_TYPES if t != vocabulary.DEFAULT_DOC_TYPE)  # cycled over documents
FILTERED = SearchFilters(languages=("fr",), doc_types=("tender",), year_from=2019)  # ~2% of the points
CHUNKS_PER_DOC = 40
NOISE = 0.03  # per component: a copy keeps a cosine of about 0.85 with its base vector


@dataclass
class Figure:
    name: str
    values: dict[str, object]
    ratio: float | None
    target: str
    passed: bool | None  # None: reported only
    error: str | None = None


@dataclass
class Base:
    """Texts with their real model vectors and language, the seeds of the synthetic points."""

    texts: list[str]
    vectors: np.ndarray
    languages: list[str]


@dataclass
class Checkpoint:
    points: int
    optimize_s: float
    query_s: float = 0.0  # time spent measuring, left out of the build time
    p50_ms: dict[str, float] = field(default_factory=dict)  # hybrid / filtered, end to end and engine only


_ALL_CHUNKS = Where(kind="chunk", live=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def disk_bytes(folder: Path) -> int:
    return sum(os.stat(Path(root) / f).st_blocks * 512 for root, _, files in os.walk(folder) for f in files)


def shared_windows(shared: Path, limit: int, seed: int = 7) -> list[tuple[str, str]]:
    """(text, language) windows of ~650 characters from the Markdown and text files of ../shared/corpus."""
    if not shared.is_dir():
        return []
    files = sorted(p for p in shared.rglob("*") if p.suffix in (".md", ".txt") and p.is_file())
    rng = np.random.default_rng(seed)
    out: list[tuple[str, str]] = []
    for index in rng.permutation(len(files))[: limit * 2]:
        path = files[index]
        words = path.read_text(errors="ignore").split()
        if len(words) < 60:
            continue
        start = int(rng.integers(0, max(1, len(words) - 100)))
        language = "fr" if any(k in path.as_posix() for k in ("marches-publics", "minumeco")) else "en"
        out.append((" ".join(words[start : start + 100]), language))
        if len(out) >= limit:
            break
    return out


def synthetic_points(base: Base, start: int, count: int, seed: int = 11) -> list[StoredPoint]:
    """Points start..start+count of a deterministic synthetic collection (same seed → same points)."""
    rng = np.random.default_rng(seed + start)
    picks = rng.integers(0, len(base.texts), count)
    noisy = base.vectors[picks] + rng.normal(0.0, NOISE, (count, base.vectors.shape[1])).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    points = []
    for offset, (b, vector) in enumerate(zip(picks, noisy, strict=True)):
        i = start + offset
        doc, index = divmod(i, CHUNKS_PER_DOC)
        words = base.texts[b].split()
        keep = max(8, int(len(words) * rng.uniform(0.7, 1.0)))
        first = int(rng.integers(0, len(words) - keep + 1)) if len(words) > keep else 0
        text = " ".join(words[first : first + keep])
        language = base.languages[b]
        space, indices, values = sparse.embed_document(text, language)
        doc_id = f"synth{doc:07d}"
        points.append(
            StoredPoint(
                chunk_point_id(doc_id, "v1", index),
                {DENSE: vector.tolist(), space: (indices, values)},
                chunk_payload(
                    ChunkRecord(
                        state="live",
                        document_id=doc_id,
                        version="v1",
                        index=index,
                        text=text,
                        page=1 + index // 3,
                        page_end=1 + index // 3,
                        char_start=index * 600,
                        char_end=index * 600 + len(text),
                        chunk_language=language,
                        language=language,
                        doc_type=DOC_TYPES[doc % len(DOC_TYPES)],
                        year=2012 + doc % 14,
                        title=f"Synthetic document {doc}",
                        source=f"synthetic/{doc_id}.pdf",
                    )
                ),
            )
        )
    return points


def hybrid_rrf_k() -> int:
    """The RRF constant search() uses in hybrid mode."""
    return default_tuning("hybrid").rrf_k


def p50_ms(samples: list[float]) -> float:
    return round(float(np.percentile(samples, 50)) * 1000, 3) if samples else float("nan")


def time_queries(
    collection: Collection,
    queries: list[str],
    filters: SearchFilters | None,
    budget_s: float = 60.0,
    engine_only: bool = False,
) -> list[float]:
    """Seconds per query: `search()` end to end (query vectors cached), or the store query alone."""
    samples, deadline = [], time.perf_counter() + budget_s
    where = (filters or SearchFilters()).where()
    for query in queries:
        if engine_only:
            vector_queries, _ = sources(collection, query, "hybrid", score_fusion=True)
            started = time.perf_counter()
            collection.store.query(vector_queries, where, limit=candidate_limit(10), pool=POOL, rrf_k=hybrid_rrf_k())
        else:
            started = time.perf_counter()
            search(collection, query, k=10, filters=filters)
        samples.append(time.perf_counter() - started)
        if time.perf_counter() > deadline:
            break
    return samples


def measure_at(collection: Collection, queries: list[str], optimize: bool = True) -> Checkpoint:
    store = collection.store
    started = time.perf_counter()
    if optimize:
        store.optimize()
    optimize_s = time.perf_counter() - started
    for query in queries:  # warm the query cache: the model's cost does not grow with N
        search(collection, query, k=10)
    checkpoint = Checkpoint(store.count(_ALL_CHUNKS), round(optimize_s, 2))
    for label, filters in (("hybrid", None), ("filtered", FILTERED)):
        checkpoint.p50_ms[label] = p50_ms(time_queries(collection, queries, filters))
        checkpoint.p50_ms[f"{label}_engine"] = p50_ms(time_queries(collection, queries, filters, engine_only=True))
    checkpoint.query_s = round(time.perf_counter() - started - optimize_s, 2)
    return checkpoint


def build(
    collection: Collection,
    base: Base,
    target: int,
    checkpoints: dict[int, Callable[[], None]],
    budget_s: float,
    batch: int = 1000,
) -> tuple[int, float]:
    """Upsert synthetic points in batches up to `target` (or until `budget_s`); returns (points, seconds)."""
    started, done = time.perf_counter(), 0
    while done < target:
        count = min(batch, target - done)
        collection.store.upsert(synthetic_points(base, done, count))
        done += count
        if done in checkpoints:
            checkpoints[done]()
        if time.perf_counter() - started > budget_s:
            break
    return done, time.perf_counter() - started


def local_mode_store(
    base: Base, count: int, embedder, queries: list[str], budget_s: float
) -> tuple[Collection, float, list[float]]:
    """qdrant-client's local mode with the same first `count` points; (collection, build s, filtered engine s)."""
    collection = open_collection(url=":memory:", collection="bench", create=True, embedder=embedder)
    started = time.perf_counter()
    for start in range(0, count, 1000):
        collection.store.upsert(synthetic_points(base, start, min(1000, count - start)))
    built = time.perf_counter() - started
    return collection, built, time_queries(collection, queries, FILTERED, budget_s=budget_s, engine_only=True)


def run_scale(
    embedder,
    base: Base,
    n: int,
    compare_n: int,
    folder: Path,
    queries: list[str],
    budget_s: float,
    local_budget_s: float,
) -> dict[str, Any]:
    """Build the synthetic store in `folder` (left closed, for the startup figure) and measure it."""
    rss_before = vm_rss_kb()
    collection = open_collection(data_dir=folder, create=True, embedder=embedder)
    checkpoints: dict[int, Checkpoint] = {}

    def checkpoint(mark: int) -> Callable[[], None]:
        return lambda: checkpoints.__setitem__(mark, measure_at(collection, queries))

    marks = {m: checkpoint(m) for m in {2000, compare_n}}
    started = time.perf_counter()
    reached, _ = build(collection, base, n, marks, budget_s)
    unoptimized = measure_at(collection, queries, optimize=False)  # points since the last checkpoint: no HNSW yet
    final = measure_at(collection, queries)
    measuring = sum(c.query_s for c in (*checkpoints.values(), unoptimized, final))
    build_s = time.perf_counter() - started - measuring  # upserts and optimizations only
    rss_after = vm_rss_kb()
    collection.close()
    result: dict[str, object] = {
        "points": reached,
        "target": n,
        "build_s": round(build_s, 1),
        "final_optimize_s": final.optimize_s,
        "checkpoints": {m: c.__dict__ for m, c in sorted(checkpoints.items())},
        "final": final.__dict__,
        "unoptimized": unoptimized.__dict__,
        "rss_bytes_per_chunk": round((rss_after - rss_before) * 1024 / max(reached, 1), 1),
        "disk_bytes_per_chunk": round(disk_bytes(folder) / max(reached, 1), 1),
        "disk_mb": round(disk_bytes(folder) / 2**20, 1),
    }
    if compare_n in checkpoints:
        local, local_build_s, samples = local_mode_store(base, compare_n, embedder, queries, local_budget_s)
        local.close()
        result["local"] = {
            "points": compare_n,
            "build_s": round(local_build_s, 1),
            "queries": len(samples),
            "filtered_engine_p50_ms": p50_ms(samples),
        }
    return result


def bench_scale_figures(embedder, seeds: dict, options, folder: Path, queries: list[str]) -> list[Figure]:
    """Seeds (corpus chunks and their vectors) → the synthetic store in `folder` → scale and comparison rows."""
    extra = shared_windows(SHARED, options.base_extra)
    if extra:
        seeds = {
            "texts": seeds["texts"] + [t for t, _ in extra],
            "languages": seeds["languages"] + [lang for _, lang in extra],
            "vectors": seeds["vectors"] + embedder.embed_passages([t for t, _ in extra]),
        }
    base = Base(seeds["texts"], np.asarray(seeds["vectors"], dtype=np.float32), seeds["languages"])
    r = run_scale(
        embedder,
        base,
        options.scale,
        options.compare,
        folder,
        queries,
        options.build_budget_s,
        15 if options.quick else 90,
    )
    small, final = r["checkpoints"][2000]["p50_ms"], r["final"]["p50_ms"]
    ratios = {k: round(final[k] / small[k], 2) for k in ("hybrid", "filtered")}
    error = None if r["points"] == options.scale else f"build budget reached at {r['points']:,} points"
    # The figure is a search as members send it (no filter). A filtered search is shown on a row of
    # its own: its filter matches 2 % of the points, 40 at 2,000 and 4,000 at 200,000, so its work grows
    # with the matching set by design; it is the query of the local-mode comparison below.
    figures = [
        Figure(
            f"scale: p50 at {r['points']:,} ÷ at 2,000",
            {
                "p50_ms_2k": small["hybrid"],
                "p50_ms_n": final["hybrid"],
                "engine_p50_ms_n": final["hybrid_engine"],
                "engine_p50_ms_n_before_optimize": r["unoptimized"]["p50_ms"]["hybrid_engine"],
                "seeds": len(base.texts),
                "shared_corpus": bool(extra),
            },
            ratios["hybrid"],
            "<= 3",
            ratios["hybrid"] <= 3,
            error=error,
        ),
        Figure(
            f"scale, filtered (2 % of points match): p50 at {r['points']:,} ÷ at 2,000",
            {
                "p50_ms_2k": small["filtered"],
                "p50_ms_n": final["filtered"],
                "engine_p50_ms_2k": small["filtered_engine"],
                "engine_p50_ms_n": final["filtered_engine"],
                "engine_p50_ms_n_before_optimize": r["unoptimized"]["p50_ms"]["filtered_engine"],
            },
            ratios["filtered"],
            "report",
            None,
            error=error,
        ),
        Figure(
            "scale: build and footprint",
            {
                "points": r["points"],
                "build_s": r["build_s"],
                "final_optimize_s": r["final_optimize_s"],
                "rss_bytes_per_chunk": r["rss_bytes_per_chunk"],
                "disk_bytes_per_chunk": r["disk_bytes_per_chunk"],
                "disk_mb": r["disk_mb"],
            },
            None,
            "report",
            None,
        ),
    ]
    if "local" in r:
        edge = r["checkpoints"][options.compare]["p50_ms"]["filtered_engine"]
        local = r["local"]["filtered_engine_p50_ms"]
        figures.append(
            Figure(
                f"Edge vs qdrant-client local, filtered hybrid at {options.compare:,}",
                {
                    "edge_p50_ms": edge,
                    "local_p50_ms": local,
                    "local_queries": r["local"]["queries"],
                    "local_build_s": r["local"]["build_s"],
                },
                round(local / edge, 1),
                ">= 100 (at 20,000)",
                local / edge >= 100 if options.compare >= 20_000 else None,
            )
        )
    return figures
