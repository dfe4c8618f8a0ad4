"""HTTP figures of `procsearch bench`: search latency against its floor, and throughput under load.

The server is the real app under uvicorn in a thread of the bench process, on the collection the bench
already opened: the floor (one encode and one Qdrant query, in-process) runs against the very same store.
The client shares that process and its GIL, which makes the HTTP figures upper bounds (README, "Performance").
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import numpy as np

from eval.bench_scale import Figure, free_port, hybrid_rrf_k
from index.collection import Collection
from index.search import POOL, SearchFilters, candidate_limit, search, sources

if TYPE_CHECKING:
    from eval.bench_options import Options

ROOT = Path(__file__).resolve().parent.parent


def query_list(count: int) -> tuple[list[str], list[str]]:
    """(timed, warm-up): distinct queries from the evaluation set, French and English mixed."""
    texts = [json.loads(line)["text"] for line in (ROOT / "eval" / "queries.jsonl").read_text().splitlines() if line]
    texts = list(dict.fromkeys(texts))
    return texts[::2][:count], texts[1::2][:5]


class Server:
    """The real app under uvicorn, configured as `procsearch serve` does, in a thread, on an open collection."""

    def __init__(self, collection: Collection, settings=None, header_timeout: float | None = None):
        import uvicorn

        from service.app import create_app
        from service.server import HEADER_TIMEOUT_S, uvicorn_config
        from service.settings import Settings

        self.url = f"http://127.0.0.1:{free_port()}"
        app = create_app(settings or Settings(data_dir=Path(collection.location)), collection=collection)
        self.server = uvicorn.Server(
            uvicorn_config(
                app,
                "127.0.0.1",
                int(self.url.rsplit(":", 1)[1]),
                header_timeout=header_timeout or HEADER_TIMEOUT_S,
                log_level="warning",
                access_log=False,
            )
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 120
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the bench server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def percentile_ms(samples: list[float], q: float) -> float:
    return round(float(np.percentile(samples, q)) * 1000, 2) if samples else float("nan")


FLOOR_ROUTE = "/v1/bench-floor"  # no such route: a 404 is the cheapest answer the app gives (routing, one JSON body)


def bench_latency(collection: Collection, server: Server, options: Options) -> Figure:
    """HTTP search (cache misses) and the floor, interleaved query by query; then the same queries cached.

    The floor is what a search cannot avoid: encoding the question, the main Qdrant query in-process, and
    one bare HTTP round trip to the same server (a route that does nothing).
    """
    timed, warm = query_list(options.queries)
    embedder = collection.embedder
    where = SearchFilters().where()
    http, floor, hits, bare, engine = [], [], [], [], []
    http_cpu, floor_cpu = [], []  # CPU seconds of the whole process (server, client, model threads): load-proof
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for query in warm:
            client.get("/v1/search", params={"q": query}).raise_for_status()
        embedder.clear_cache()
        misses = embedder.cache_misses
        deadline = time.perf_counter() + (30 if options.quick else 180)
        for query in timed:
            started, cpu = time.perf_counter(), time.process_time()
            client.get("/v1/search", params={"q": query}).raise_for_status()
            http.append(time.perf_counter() - started)
            http_cpu.append(time.process_time() - cpu)
            vector_queries, _ = sources(collection, query, "hybrid", score_fusion=True)  # as search(); not timed
            started, cpu = time.perf_counter(), time.process_time()
            embedder.encode_uncached([query], "query")
            collection.store.query(vector_queries, where, limit=candidate_limit(10), pool=POOL, rrf_k=hybrid_rrf_k())
            engine.append(time.perf_counter() - started)
            started = time.perf_counter()
            client.get(FLOOR_ROUTE)
            bare.append(time.perf_counter() - started)
            floor.append(engine[-1] + bare[-1])
            floor_cpu.append(time.process_time() - cpu)
            if time.perf_counter() > deadline:
                break
        all_missed = embedder.cache_misses - misses >= len(http)
        for query in timed[: len(http)]:
            started = time.perf_counter()
            client.get("/v1/search", params={"q": query}).raise_for_status()
            hits.append(time.perf_counter() - started)
    ratio = percentile_ms(http, 50) / percentile_ms(floor, 50)
    return Figure(
        "query latency (HTTP GET)",
        {
            "queries": len(http),
            "p50_ms": percentile_ms(http, 50),
            "p95_ms": percentile_ms(http, 95),
            "floor_p50_ms": percentile_ms(floor, 50),
            "encode_and_query_p50_ms": percentile_ms(engine, 50),
            "bare_round_trip_p50_ms": percentile_ms(bare, 50),
            "cpu_p50_ms": percentile_ms(http_cpu, 50),
            "floor_cpu_p50_ms": percentile_ms(floor_cpu, 50),
            "cpu_ratio": round(percentile_ms(http_cpu, 50) / percentile_ms(floor_cpu, 50), 3),
            "p95_over_floor": round(percentile_ms(http, 95) / percentile_ms(floor, 50), 2),
            "cache_hit_p50_ms": percentile_ms(hits, 50),
        },
        round(ratio, 3),
        "p50 <= 1.3",
        ratio <= 1.3,
        error=None if all_missed else "some timed queries hit the query cache",
    )


async def _load(url: str, clients: int, seconds: float, queries: list[str]) -> tuple[int, list[str], list[float]]:
    """(completed, error descriptions, seconds of each answer) for `clients` loops of distinct queries."""
    numbers, done, errors, took = itertools.count(), 0, [], []
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                n = next(numbers)  # a new text each time: no query cache hits
                try:
                    started = time.perf_counter()
                    response = await client.get("/v1/search", params={"q": f"{queries[n % len(queries)]} {n}"})
                    took.append(time.perf_counter() - started)
                    if response.status_code == 200:
                        done += 1
                    else:
                        errors.append(f"{response.status_code} {response.text[:200]}")
                except httpx.HTTPError as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")

        await asyncio.gather(*(worker() for _ in range(clients)))
    return done, errors, took


def search_cpu_seconds(collection: Collection, queries: list[str]) -> float:
    """Median CPU seconds (every thread of the process) of one in-process search of a new text."""
    samples = []
    for n, query in enumerate(queries):
        started = time.process_time()
        search(collection, f"{query} cpu{n}")
        samples.append(time.process_time() - started)
    return float(np.median(samples))


def bench_throughput(collection: Collection, server: Server, options: Options) -> Figure:
    """Requests/s at 1, 4 and 16 clients; at 16 against the machine's limit for this search.

    The limit is the cores divided by the CPU seconds one in-process search takes (encoding included),
    measured just before: what the machine could answer if every core did nothing but search.
    """
    queries, _ = query_list(40)
    cpu_s = search_cpu_seconds(collection, queries)
    limit = (os.cpu_count() or 1) / cpu_s
    values: dict[str, object] = {"search_cpu_ms": round(cpu_s * 1000, 2), "limit_rps": round(limit, 1)}
    for clients in (1, 4, 16):
        started, cpu = time.perf_counter(), time.process_time()
        done, errors, took = asyncio.run(_load(server.url, clients, options.load_seconds, queries))
        elapsed = time.perf_counter() - started  # includes the requests in flight at the deadline
        used = time.process_time() - cpu
        # the cores this process actually got, and the searches per CPU second it made of them (against one
        # in-process search's): on a machine others load, what separates rps from the limit
        values[f"cores_used_{clients}"] = round(used / elapsed, 2)
        values[f"cpu_efficiency_{clients}"] = round(done * cpu_s / used, 2) if used else None
        values[f"rps_{clients}"] = round(done / elapsed, 2)
        values[f"p95_ms_{clients}"] = percentile_ms(took, 95)
        values[f"errors_{clients}"] = len(errors)
        if errors:
            values[f"first_error_{clients}"] = errors[0]
    ratio = float(str(values["rps_16"])) / limit
    return Figure(
        "throughput (rps at 16 clients ÷ cores / CPU s of a search)",
        values,
        round(ratio, 2),
        ">= 0.8, 0 errors at 16",
        ratio >= 0.8 and values["errors_16"] == 0,
    )
