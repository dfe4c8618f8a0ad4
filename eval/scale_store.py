"""A synthetic store built once and reused: `python -m eval.scale_store build FOLDER --points N`.

The scale figures at a million passages need a store that takes about an hour to build on the project's
2-core machine, so it is built apart from `procsearch bench` and the bench measures it when given
`--scale-store FOLDER`. The build resumes where it stopped (the synthetic points are a deterministic
function of their number, see `eval.bench_scale.synthetic_points`), and records its own time in
`FOLDER/scale.json` next to the seeds it was built from (`seeds.npz`), so two stores built from the same
seeds hold the same first points.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np

from eval.bench_http import query_list
from eval.bench_scale import SHARED, Base, disk_bytes, shared_windows, synthetic_points
from index.collection import open_collection
from index.embedder import Embedder
from index.store import Where

logger = logging.getLogger(__name__)

_CHUNKS = Where(kind="chunk", live=True)


def seeds_from_store(source: Path, embedder: Embedder, extra: int) -> Base:
    """Chunk texts, real vectors and languages of an ingested store, plus encoded ../shared/corpus windows."""
    with open_collection(data_dir=source, embedder=embedder) as collection:
        found = collection.store.scroll(_CHUNKS, with_vectors=True)
    texts = [str(f.payload["text"]) for f in found]
    vectors = [list(f.vectors["dense"]) for f in found]  # type: ignore[call-overload]
    languages = [str(f.payload.get("chunk_language") or f.payload.get("language") or "en") for f in found]
    windows = shared_windows(SHARED, extra)
    if windows:
        texts += [t for t, _ in windows]
        languages += [lang for _, lang in windows]
        vectors += embedder.embed_passages([t for t, _ in windows])
    return Base(texts, np.asarray(vectors, dtype=np.float32), languages)


def save_seeds(base: Base, path: Path) -> None:
    np.savez_compressed(path, vectors=base.vectors, texts=np.array(base.texts), languages=np.array(base.languages))


def load_seeds(path: Path) -> Base:
    data = np.load(path)
    return Base([str(t) for t in data["texts"]], data["vectors"], [str(x) for x in data["languages"]])


def build_store(folder: Path, points: int, embedder: Embedder, seeds: Base, batch: int = 1000) -> dict[str, object]:
    """Upsert synthetic points into `folder` up to `points` (resuming), optimize, and record the time taken."""
    folder.mkdir(parents=True, exist_ok=True)
    record_path = folder / "scale.json"
    record = json.loads(record_path.read_text()) if record_path.exists() else {"upsert_s": 0.0, "optimize_s": 0.0}
    with open_collection(data_dir=folder / "store", create=True, embedder=embedder) as collection:
        done = collection.store.count(_CHUNKS)
        done -= done % batch  # a batch cut short is written again (same ids, same points)
        started, last = time.perf_counter(), time.perf_counter()
        while done < points:
            count = min(batch, points - done)
            collection.store.upsert(synthetic_points(seeds, done, count))
            done += count
            if time.perf_counter() - last > 30:
                record["upsert_s"] = round(record["upsert_s"] + time.perf_counter() - started, 1)
                started = last = time.perf_counter()
                record["points"] = done
                record_path.write_text(json.dumps(record))
                logger.info("%s points, %.0f s of upserts", f"{done:,}", record["upsert_s"])
        record["upsert_s"] = round(record["upsert_s"] + time.perf_counter() - started, 1)
        started = time.perf_counter()
        collection.optimize()
        record["optimize_s"] = round(record["optimize_s"] + time.perf_counter() - started, 1)
        record["points"] = collection.store.count(_CHUNKS)
    record_path.write_text(json.dumps(record))
    return record


def memory_kb() -> dict[str, int]:
    """This process's resident memory: anonymous (heap, what the store pins) and file-backed (mapped pages)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            fields[key] = int(value.split()[0])
    return fields


def measure_store(folder: Path, queries: list[str], budget_s: float = 60.0) -> dict[str, object]:
    """Open a built store in this (fresh) process: opening time, memory per passage and search p50s.

    Memory is read after the searches, so what they page in counts; `RssAnon` is what cannot be evicted.
    """
    from eval.bench_scale import FILTERED, p50_ms, time_queries
    from index.search import search

    embedder = Embedder()
    for query in queries:  # encode first: the model's memory and time do not grow with the store
        embedder.embed_query(query)
    before = memory_kb()
    started = time.perf_counter()
    with open_collection(data_dir=folder / "store", embedder=embedder) as collection:
        opened_s = time.perf_counter() - started
        points = collection.store.count(_CHUNKS)
        matching = collection.store.count(FILTERED.where())
        for query in queries:
            search(collection, query, k=10)
        p50 = {}
        for label, filters in (("hybrid", None), ("filtered", FILTERED)):
            p50[label] = p50_ms(time_queries(collection, queries, filters, budget_s))
            p50[f"{label}_engine"] = p50_ms(time_queries(collection, queries, filters, budget_s, engine_only=True))
        after = memory_kb()
    delta = {k: after[k] - before[k] for k in after}
    return {
        "points": points,
        "filtered_share": round(matching / max(points, 1), 4),
        "open_s": round(opened_s, 2),
        "p50_ms": p50,
        "rss_anon_bytes_per_passage": round(delta["RssAnon"] * 1024 / max(points, 1), 1),
        "rss_file_bytes_per_passage": round(delta["RssFile"] * 1024 / max(points, 1), 1),
        "rss_mb": round(delta["VmRSS"] / 1024, 1),
        "disk_bytes_per_passage": round(disk_bytes(folder / "store") / max(points, 1), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["seeds", "build", "measure"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--source", type=Path, help="an ingested store to take seeds from (seeds)")
    parser.add_argument("--seeds", type=Path, help="seeds.npz (build; default FOLDER/seeds.npz)")
    parser.add_argument("--extra", type=int, default=600, help="../shared/corpus windows added as seeds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.command == "measure":
        print(json.dumps(measure_store(args.folder, query_list(40)[0])))
        return
    embedder = Embedder()
    args.folder.mkdir(parents=True, exist_ok=True)
    if args.command == "seeds":
        save_seeds(seeds_from_store(args.source, embedder, args.extra), args.folder / "seeds.npz")
        return
    seeds = load_seeds(args.seeds or args.folder / "seeds.npz")
    print(json.dumps(build_store(args.folder, args.points, embedder, seeds)))


if __name__ == "__main__":
    main()
