"""Startup figure of `procsearch bench`: `procsearch serve` until /health answers, against the model alone.

Each part runs in a fresh process, as a person starting the service would, so Python's own start and the
imports count. The processes that only open the store and only import the web app show where the time goes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from eval.bench_scale import Figure, free_port

ROOT = Path(__file__).resolve().parent.parent


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/health", timeout=30).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(
        f"procsearch serve did not become healthy (exit code {process.poll()}; run it by hand to see why)"
    )


def _process_seconds(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)
    return time.perf_counter() - started


def bench_startup(folder: Path, rounds: int) -> Figure:
    """`procsearch serve` on the scale store until /health answers ÷ a process that only loads the model.

    Processes that only open the store and only import the web app are timed beside them: they are
    what serve adds to the model, and they show where its time goes.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("QDRANT_URL", "PROCSEARCH_API_KEYS")}
    serve_s, model_s, store_s, app_s = [], [], [], []
    for _ in range(rounds):
        model_s.append(
            _process_seconds(
                "from index.embedder import DEFAULT_MODEL; from service.settings import Settings; "
                "Settings.from_env().embedder(DEFAULT_MODEL).model",
                env,
            )
        )
        store_s.append(
            _process_seconds(
                f"from index.store.edge import EdgeStore; EdgeStore(__import__('pathlib')"
                f".Path({str(folder)!r}), None).close()",
                env,
            )
        )
        app_s.append(_process_seconds("from service.app import create_app; create_app()", env))
        port = free_port()
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "--data", str(folder), "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", process)
            serve_s.append(time.perf_counter() - started)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    ratio = min(serve_s) / min(model_s)
    return Figure(
        "startup (serve → healthy ÷ model load)",
        {
            "serve_s": round(min(serve_s), 2),
            "model_load_s": round(min(model_s), 2),
            "store_open_s": round(min(store_s), 2),
            "app_import_s": round(min(app_s), 2),
            "store": folder.name,
        },
        round(ratio, 3),
        "<= 1.5",
        ratio <= 1.5,
    )
