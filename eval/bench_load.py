"""`procsearch bench`, "deep offset": do members' searches keep their speed while others page deep?

Sixteen clients ask for the deepest page the service serves (offset + k at the result-window cap, k = 100)
without pause, and try `offset=10000&k=100` (answered 400 at once); meanwhile one member runs ordinary first
pages one after another. The figure is that member's median latency under the load divided by the same
searches' median on the idle server, measured just before in the same run: target ≤ 3. Loopback only,
bounded in time (`load_seconds` of load, `queries` member searches at most) and in count.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from eval.bench_http import Server, percentile_ms, query_list
from eval.bench_scale import Figure
from service.limits import MAX_RESULT_WINDOW

if TYPE_CHECKING:
    from eval.bench_options import Options

DEEP_CLIENTS = 16
DEEP_K = 100


async def _member(client: httpx.AsyncClient, queries: list[str], deadline: float, tag: str) -> list[float]:
    """Seconds of each first-page search, one after another, distinct texts (no query-cache hits)."""
    samples = []
    for n, query in enumerate(queries):
        if time.perf_counter() > deadline:
            break
        started = time.perf_counter()
        response = await client.get("/v1/search", params={"q": f"{query} {tag}{n}"})
        response.raise_for_status()
        samples.append(time.perf_counter() - started)
    return samples


async def _deep_client(
    client: httpx.AsyncClient, queries: list[str], numbers, stop: asyncio.Event, statuses: Counter
) -> None:
    deepest = {"offset": MAX_RESULT_WINDOW - DEEP_K, "k": DEEP_K}
    beyond = {"offset": 10_000, "k": DEEP_K}
    while not stop.is_set():
        n = next(numbers)
        params = beyond if n % 8 == 0 else deepest  # mostly the capped maximum, sometimes past the cap
        try:
            response = await client.get("/v1/search", params={"q": f"{queries[n % len(queries)]} {n}", **params})
            statuses[response.status_code] += 1
            if response.status_code == 429:
                await asyncio.sleep(float(response.headers.get("retry-after", "1")))
        except httpx.HTTPError as exc:
            statuses[type(exc).__name__] += 1


@dataclass(frozen=True)
class _Measured:
    idle: list[float]  # a member's search latencies, alone
    loaded: list[float]  # …and under the deep clients
    statuses: Counter[int | str]  # the deep clients' answers: HTTP status, or the error's name


async def _measure(url: str, queries: list[str], load_queries: list[str], seconds: float) -> _Measured:
    limits = httpx.Limits(max_connections=DEEP_CLIENTS + 2, max_keepalive_connections=DEEP_CLIENTS + 2)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        idle = await _member(client, queries, time.perf_counter() + seconds, "idle")
        stop, numbers = asyncio.Event(), itertools.count()
        statuses: Counter[int | str] = Counter()
        deep = [
            asyncio.create_task(_deep_client(client, load_queries, numbers, stop, statuses))
            for _ in range(DEEP_CLIENTS)
        ]
        await asyncio.sleep(0.5)  # the deep clients are all in
        started = time.perf_counter()
        loaded = await _member(client, queries[: len(idle)], started + seconds, "load")
        stop.set()
        await asyncio.gather(*deep)
    return _Measured(idle, loaded, statuses)


def bench_deep_offset(server: Server, options: Options) -> Figure:
    queries, _ = query_list(max(options.queries, 10))
    load_queries, _ = query_list(40)
    seconds = 5.0 if options.quick else max(20.0, 4 * options.load_seconds)
    out = asyncio.run(_measure(server.url, queries, load_queries, seconds))
    idle_p50, loaded_p50 = percentile_ms(out.idle, 50), percentile_ms(out.loaded, 50)
    statuses = out.statuses
    ratio = round(loaded_p50 / idle_p50, 2) if idle_p50 else float("nan")
    return Figure(
        f"deep offset: first-page p50 under {DEEP_CLIENTS} deep clients ÷ idle",
        {
            "member_searches": len(out.loaded),
            "idle_p50_ms": idle_p50,
            "loaded_p50_ms": loaded_p50,
            "loaded_p95_ms": percentile_ms(out.loaded, 95),
            "window_cap": MAX_RESULT_WINDOW,
            "deep_200": statuses[200],
            "deep_400_past_cap": statuses[400],
            "deep_429": statuses[429],
            "deep_other": sum(v for k, v in statuses.items() if k not in (200, 400, 429)),
        },
        ratio,
        "<= 3",
        ratio <= 3,
    )
