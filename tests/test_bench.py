"""Smoke test of `procsearch bench --quick`: every figure is measured, has its ratio, and nothing failed.

It checks the harness, not the numbers: pass/fail against the targets depends on the machine's load.
The startup figure (two more model loads in subprocesses) is left to `procsearch bench --quick`.
"""

from __future__ import annotations

import json

import pytest

from eval.bench import Options, format_table, run_bench

pytestmark = pytest.mark.slow  # about two minutes: `make test-all`


def test_quick_bench_measures_every_figure(embedder, monkeypatch):
    monkeypatch.delenv("PROCSEARCH_RERANKER", raising=False)
    result = run_bench(Options.for_run(True, skip=("startup",)), embedder=embedder)
    assert result["errors"] == []
    figures = {f["name"].split(" (")[0].split(":")[0]: f for f in result["figures"]}
    assert set(figures) == {
        "ingest overhead",
        "embedding speed",
        "query latency",
        "throughput",
        "server path",
        "deep offset",
        "reranker latency",
        "scale",
        "scale, filtered",
        "Edge vs qdrant-client local, filtered hybrid at 2,000",
        "OCR",
        "embedding models",
    }
    for figure in result["figures"]:
        assert figure["error"] is None
        if figure["target"] != "report":
            assert isinstance(figure["ratio"], float) and figure["ratio"] > 0, figure
    latency = figures["query latency"]["values"]
    assert latency["queries"] >= 5 and latency["floor_p50_ms"] > 0 and latency["cache_hit_p50_ms"] > 0
    throughput = figures["throughput"]["values"]
    assert throughput["rps_16"] > 0 and throughput["search_cpu_ms"] > 0 and throughput["p95_ms_16"] > 0
    assert throughput["errors_16"] == 0, throughput.get("first_error_16")  # 500s under concurrency are a bug
    deep = figures["deep offset"]["values"]
    assert deep["member_searches"] >= 5 and deep["deep_200"] > 0 and deep["deep_400_past_cap"] > 0
    assert deep["deep_other"] == 0  # no 500s or dropped connections under deep paging
    reranker = figures["reranker latency"]
    assert "timing only" in reranker["name"]  # PROCSEARCH_RERANKER unset: the untrained stand-in, and it says so
    assert (
        reranker["values"]["queries"] >= 5
        and 0 < reranker["values"]["added_p50_ms"] <= reranker["values"]["added_p95_ms"]
    )
    ocr = figures["OCR"]["values"]
    assert "skipped" in ocr or (ocr["pages"] == 3 and ocr["pages_per_s"] > 0 and ocr["share_of_ingest"] > 0)
    assert figures["scale, filtered"]["ratio"] > 0  # shown beside the target, though not held to it
    json.dumps(result)
    assert "ingest overhead" in format_table(result)
