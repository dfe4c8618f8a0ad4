"""Scale figures of `procsearch bench --scale-store BIG --small-store SMALL` on stores built beforehand.

A million passages take about an hour to build here (`python -m eval.scale_store build`), so the bench
measures such stores instead of building one: each is opened in a fresh process (`eval.scale_store measure`)
so that its memory is its own, the two are measured in turns, and `procsearch serve` is timed on the big one
until `/health` answers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from eval.bench_scale import Figure, free_port
from eval.bench_startup import ROOT, _wait_healthy

RESIDENT_BYTES = 2048  # per passage, what cannot be evicted (RssAnon): the million-passage target
SERVE_S = 5.0


def measured(folder: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "eval.scale_store", "measure", str(folder)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def serve_seconds(folder: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k not in ("QDRANT_URL", "PROCSEARCH_API_KEYS")}
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "--data", str(folder / "store"), "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", process)
        return time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=60)


def built_store_figures(big: Path, small: Path, rounds: int = 2) -> list[Figure]:
    """p50 at BIG ÷ at SMALL (member search, filtered search), resident memory, disk, build time, startup."""
    runs: dict[str, list[dict]] = {"big": [], "small": []}
    for _ in range(rounds):
        runs["small"].append(measured(small))
        runs["big"].append(measured(big))
    best = {k: min(v, key=lambda r: r["p50_ms"]["hybrid"]) for k, v in runs.items()}
    b, s = best["big"], best["small"]
    build = json.loads((big / "scale.json").read_text()) if (big / "scale.json").exists() else {}
    serve = min(serve_seconds(big) for _ in range(rounds))
    label = f"{b['points']:,} ÷ {s['points']:,}"
    hybrid = round(b["p50_ms"]["hybrid"] / s["p50_ms"]["hybrid"], 2)
    filtered = round(b["p50_ms"]["filtered"] / s["p50_ms"]["filtered"], 2)
    resident = min(r["rss_anon_bytes_per_passage"] for r in runs["big"])
    return [
        Figure(
            f"built store: member search p50 at {label}",
            {"big": b["p50_ms"], "small": s["p50_ms"]},
            hybrid,
            "<= 2.5",
            hybrid <= 2.5,
        ),
        Figure(
            f"built store: filtered ({b['filtered_share']:.1%} of points) p50 at {label}",
            {"big_ms": b["p50_ms"]["filtered"], "small_ms": s["p50_ms"]["filtered"]},
            filtered,
            "<= 3",
            filtered <= 3,
        ),
        Figure(
            "built store: resident memory per passage (RssAnon)",
            {
                "points": b["points"],
                "rss_anon_bytes_per_passage": resident,
                "rss_file_bytes_per_passage": b["rss_file_bytes_per_passage"],
                "disk_bytes_per_passage": b["disk_bytes_per_passage"],
                "build_upsert_s": build.get("upsert_s"),
                "build_optimize_s": build.get("optimize_s"),
                "open_s": b["open_s"],
            },
            resident,
            f"<= {RESIDENT_BYTES}",
            resident <= RESIDENT_BYTES,
        ),
        Figure(
            f"built store: serve → healthy at {b['points']:,}",
            {"serve_s": round(serve, 2)},
            round(serve, 2),
            f"<= {SERVE_S} s",
            serve <= SERVE_S,
        ),
    ]
