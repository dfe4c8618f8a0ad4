"""`procsearch`: ingest, search, stats, delete, reindex, serve, eval, bench.

Every failure ends as one human line on stderr and a non-zero exit;
`ingest` exits 2 when some files failed (the rest is ingested).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

import msgspec

from ingest.errors import ProcsearchError
from ingest.vocabulary import DEFAULT_MODE, DOC_TYPES, LANGUAGES, MODES
from service.settings import Settings

PROGRESS_EVERY_S = 5.0  # seconds between progress lines when stderr is not a terminal (logs, CI, nohup)


def _progress(verbose: bool = False, stream=None):
    """(callback, close): a bar on a terminal; elsewhere a line every PROGRESS_EVERY_S with counts and rate."""
    stream = stream or sys.stderr
    if not stream.isatty():
        started = time.monotonic()
        last = [started]

        def line(done: int, total: int, source: str) -> None:
            if verbose:
                print(f"[{done}/{total}] {source}", flush=True)
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY_S or (done == total and now - started >= PROGRESS_EVERY_S):
                last[0] = now
                elapsed = max(now - started, 1e-9)
                print(
                    f"ingest: {done}/{total} files, {done / elapsed:.1f} files/s, {elapsed:.0f} s",
                    file=stream,
                    flush=True,
                )

        return line, lambda: None
    from tqdm import tqdm

    bar = tqdm(unit="file", file=sys.stderr)

    def update(done: int, total: int, source: str) -> None:
        bar.total = total
        bar.set_postfix_str(source[-40:], refresh=False)
        bar.update(done - bar.n)

    return update, bar.close


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    if args.server:
        from service.upload import upload_paths

        return upload_paths(args.server, [Path(p) for p in args.paths], settings.admin_key, args.type)
    from index.indexer import ingest_paths

    update, close = _progress(args.verbose)
    with settings.open_collection(create=True) as collection:
        try:
            report = ingest_paths(
                collection,
                [Path(p) for p in args.paths],
                prune=args.prune,
                doc_type=args.type,
                progress=update,
                workers=args.workers,
                timeout=settings.parse_timeout,
            )
        finally:
            close()
    seconds = max(report.seconds, 1e-9)
    print(
        f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
        f"removed {len(report.removed)}, skipped {len(report.skipped)}, failed {len(report.failed)} "
        f"— {report.pages} pages, {report.chunks} chunks in {report.seconds:.1f} s "
        f"({report.pages / seconds:.1f} pages/s, {report.chunks / seconds:.1f} chunks/s)"
    )
    for source, reason in report.skipped if args.verbose else []:
        print(f"  skipped {source}: {reason}")
    for source, warning in report.warnings:
        print(f"  warning {source}: {warning}")
    for source, reason in report.failed:
        print(f"  failed  {source}: {reason}")
    if report.stopped:
        print(f"procsearch: error: stopped early: {report.stopped}", file=sys.stderr)
    return 2 if report.failed else 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from service.schemas import SearchRequest
    from service.searching import run_search

    request = SearchRequest(
        q=args.query,
        k=args.k,
        lang=args.lang,
        type=args.type,
        mode=args.mode,
        year_from=args.year_from,
        year_to=args.year_to,
    )
    if args.server:
        from service.client import remote_search

        response = remote_search(args.server, settings, request)
    else:
        with settings.open_collection() as collection:
            response = run_search(collection, request)
    if args.json:
        print(msgspec.json.encode(response).decode())
        return 0
    titles = {d.id: d for d in response.documents}
    for rank, passage in enumerate(response.passages, start=1):
        doc = titles[passage.document_id]
        print(
            f"{rank:2}. [{passage.score:.4f}] {doc.title} ({doc.doc_type}, {doc.language}, {doc.year}) "
            f"— {doc.source}, p. {passage.page}" + (f" — {passage.section}" if passage.section else "")
        )
        print("    " + " ".join(passage.text.split())[:300])
    if not response.passages:
        print("no results")
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    if args.server:
        from service.client import remote_stats

        stats = remote_stats(args.server, settings)
    else:
        with settings.open_collection() as collection:
            stats = collection.stats()
    print(json.dumps(stats, indent=2, ensure_ascii=False, default=str))
    return 0


def cmd_delete(args: argparse.Namespace, settings: Settings) -> int:
    from service.originals import remove_versions

    with settings.open_collection() as collection:
        for doc_id in args.doc_ids:
            collection.delete(doc_id)
            remove_versions(settings.data_dir, doc_id)  # an uploaded document's stored original
            print(f"deleted {doc_id}")
    return 0


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from index.reindex import reindex

    with settings.open_collection(check_model=False) as collection:
        bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(unit="chunk", file=sys.stderr, desc=f"re-embedding with {collection.embedder.name}")

        def update(done: int, total: int) -> None:
            if bar is None:
                print(f"[{done}/{total}] chunks re-embedded", file=sys.stderr, flush=True)
                return
            bar.total = total
            bar.update(done - bar.n)

        try:
            report = reindex(collection, progress=update)
        finally:
            if bar is not None:
                bar.close()
    if not report.documents and report.model_before == report.model_after:
        print(f"the index is already embedded with {report.model_after}: nothing to do")
        return 0
    print(
        f"re-embedded {report.documents} documents, {report.chunks} chunks: {report.model_before} -> "
        f"{report.model_after}" + (" (an interrupted reindex finished)" if report.resumed else "")
    )
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from service.auth import check_keys

    check_keys(settings)  # a weak admin key stops here, in one line, before anything loads
    if not settings.qdrant_url:  # in use, read-only or full: one line now rather than a trace from the lifespan
        from index.disk import preflight

        preflight(settings.data_dir, settings.min_free_mb)

    embedder = settings.embedder()
    embedder.load_in_background()  # meanwhile, the web stack imports (startup, README "Performance")

    from service.server import serve

    serve(settings, args.host or settings.host, args.port or settings.port, embedder=embedder)
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from eval.cli import run_eval_command

    return run_eval_command(args, settings)


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from eval.bench import run_bench_command
    except ImportError as exc:  # the container image leaves the benchmark out (.dockerignore)
        raise ProcsearchError(
            "the benchmark is not installed here (the container image leaves it out): run `procsearch bench` "
            "from a checkout of the repository"
        ) from exc
    return run_bench_command(args, settings)


SERVER_HELP = (
    "read through a running server instead of opening the store (e.g. http://127.0.0.1:8000; "
    "the first of PROCSEARCH_API_KEYS is sent when set)"
)


def formats_help() -> str:
    """Every extension ingestion reads, from the converter table (one list, so the help cannot fall behind)."""
    from ingest.converters import SUPPORTED

    return ", ".join(sorted(SUPPORTED))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="procsearch", description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="data folder of the embedded store (PROCSEARCH_DATA, default ./data)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "ingest",
        help=f"ingest files and folders ({formats_help()})",
        description=f"Ingest files and folders. Formats: {formats_help()}. Spreadsheets and "
        "legacy binary Office files are skipped with their reason.",
    )
    p.add_argument("paths", nargs="+")
    p.add_argument("--prune", action="store_true", help="remove documents whose file is gone from these folders")
    p.add_argument("--type", choices=DOC_TYPES, help="force doc_type")
    p.add_argument(
        "--server",
        help="upload through a running server instead (e.g. http://127.0.0.1:8000; "
        "PROCSEARCH_ADMIN_KEY holds its admin key)",
    )
    p.add_argument("--workers", type=int, default=1, help="extraction worker processes (0: in-process)")
    p.add_argument("-v", "--verbose", action="store_true", help="list skipped files, and each file as it is done")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="search passages")
    p.add_argument("query")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--lang", action="append", choices=LANGUAGES)
    p.add_argument("--type", action="append", choices=DOC_TYPES)
    p.add_argument("--year-from", type=int)
    p.add_argument("--year-to", type=int)
    p.add_argument("--mode", default=DEFAULT_MODE, choices=MODES)
    p.add_argument("--json", action="store_true", help="print the API's JSON response")
    p.add_argument("--server", help=SERVER_HELP)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("stats", help="documents, chunks, types, languages")
    p.add_argument("--server", help=SERVER_HELP)
    p.set_defaults(func=cmd_stats)
    p = sub.add_parser("delete", help="delete documents by id")
    p.add_argument("doc_ids", nargs="+")
    p.set_defaults(func=cmd_delete)

    sub.add_parser(
        "reindex", help="re-embed the index with PROCSEARCH_MODEL from its stored passages (no re-parsing)"
    ).set_defaults(func=cmd_reindex)

    p = sub.add_parser("serve", help="serve the API (and pages) with uvicorn")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("eval", help="evaluate retrieval on a BEIR-format set (default: the bundled one)")
    p.add_argument("--queries")
    p.add_argument("--qrels")
    p.add_argument("--corpus", action="append", help="folder(s) to ingest for the evaluation")
    p.add_argument("--mode", default="hybrid,dense,lexical")
    p.add_argument("--piaf", action="store_true", help="run the French PIAF benchmark from ../shared/eval/piaf")
    p.add_argument(
        "--shared",
        action="store_true",
        help="run the real-documents set (eval/shared) over ../shared/corpus (or --corpus DIR); slow "
        "to ingest: add --reuse-data to keep the store in --data",
    )
    p.add_argument(
        "--doctypes",
        action="store_true",
        help="types and titles against the judged set eval/doctypes over ../shared/corpus (or --corpus DIR)",
    )
    p.add_argument("--reuse-data", action="store_true", help="use --data's store instead of a throw-away one")
    p.add_argument("--fields", action="store_true", help="score tender-field extraction on eval/fields/judged.jsonl")
    p.add_argument(
        "--half",
        choices=("tune", "test"),
        help="with --shared or --piaf: only the tuning half or the test half of the questions",
    )
    p.add_argument(
        "--baselines",
        action="store_true",
        help="add plain baselines computed outside the index: bm25s (French and English analysers) and "
        "the model with exact search over 220-word windows, and their RRF (vectors cached)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="performance ratios: ingest, embedding, latency, throughput, scale, startup")
    p.add_argument("--quick", action="store_true", help="a smoke run with small sizes (about a minute)")
    p.add_argument("--scale", type=int, help="synthetic chunks for the scale figures (default 200,000)")
    p.add_argument("--compare", type=int, help="chunks for the qdrant-client local-mode comparison (default 20,000)")
    p.add_argument("--documents", action="append", help="files or folders to ingest (default corpus/documents)")
    p.add_argument(
        "--skip",
        help="comma-separated: ingest, latency, throughput, deep-offset, server-path, reranker, ocr, backends, models, "
        "built-store, scale, startup",
    )
    p.add_argument("--scale-store", help="a store built by `python -m eval.scale_store build` (1M passages), measured")
    p.add_argument("--small-store", help="the same seeds built small (10,000), the comparison for --scale-store")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench)
    return parser


def _say_model_preparation() -> None:
    """Show the one line the model export logs on first use (INFO, below the CLI's WARNING level) as plain text."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("procsearch: %(message)s"))
    announcer = logging.getLogger("index.onnx_backend")
    if any(getattr(h, "procsearch_cli", False) for h in announcer.handlers):
        return
    handler.procsearch_cli = True  # type: ignore[attr-defined]
    announcer.setLevel(logging.INFO)
    announcer.addHandler(handler)
    announcer.propagate = False


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "sentence_transformers", "transformers"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    _say_model_preparation()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    if args.data:
        settings = Settings(**{**settings.__dict__, "data_dir": Path(args.data)})
    try:
        return args.func(args, settings)
    except (ProcsearchError, ValueError, FileNotFoundError) as exc:  # FileNotFoundError: a benchmark's data
        print(f"procsearch: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("procsearch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
