"""Ingest folders into a collection: incremental, batch-safe, one summary.

Unchanged files (same content, same catalog entry, same pipeline version)
are skipped before parsing; a broken file is recorded with its reason and
the batch goes on. Parsing runs in a worker process so that PDF extraction
on one core overlaps with embedding on the other.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from index.collection import Collection
from ingest.errors import IngestError
from ingest.ids import document_id, file_sha256
from ingest.pipeline import parse_file
from ingest.types import ParsedDocument
from ingest.walk import SourceFile, walk_paths

EMBED_BATCH_CHUNKS = 256  # documents are embedded together up to this many chunks (one model call)
PIPELINE_VERSION = "2"  # bump when extraction or chunking changes, so every file is re-ingested
log = logging.getLogger("procsearch.ingest")


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    pages: int = 0
    chunks: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def file_version(data: bytes, catalog: dict[str, object], doc_type: str | None = None) -> str:
    """What must change for a file to be re-ingested: its bytes, its catalog entry, the pipeline."""
    key = json.dumps([file_sha256(data), catalog, doc_type, PIPELINE_VERSION], sort_keys=True, default=str)
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def _die_with_parent() -> None:
    """Worker initializer: when the ingest process is killed, its workers go too (Linux), not linger."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _parse(path: Path, source: str, catalog: dict[str, object], doc_type: str | None) -> ParsedDocument:
    return parse_file(path, source, catalog, doc_type)


def _parsed_in_order(jobs: list[tuple[SourceFile, str]], doc_type: str | None,
                     workers: int) -> Iterator[tuple[SourceFile, str, ParsedDocument | Exception]]:
    """Parse results in submission order; in a worker pool when there is more than one file."""
    if workers <= 0 or len(jobs) < 2:
        for item, version in jobs:
            try:
                yield item, version, _parse(item.path, item.source, item.catalog, doc_type)
            except Exception as exc:  # noqa: BLE001 - reported per file below
                yield item, version, exc
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_die_with_parent) as pool:
        futures: list[tuple[SourceFile, str, Future]] = [
            (item, version, pool.submit(_parse, item.path, item.source, item.catalog, doc_type))
            for item, version in jobs]
        for item, version, future in futures:
            try:
                yield item, version, future.result()
            except Exception as exc:  # noqa: BLE001 - reported per file below
                yield item, version, exc


def ingest_paths(collection: Collection, paths: list[Path], prune: bool = False, doc_type: str | None = None,
                 progress: Callable[[int, int, str], None] | None = None, workers: int = 1) -> IngestReport:
    """Bring the collection in line with the files under `paths`; see the module docstring."""
    started = time.perf_counter()
    report = IngestReport()
    walk = walk_paths(paths)
    report.skipped.extend(walk.skipped)
    known = collection.versions()
    if getattr(collection.store, "backend", "") == "qdrant-edge":
        collection.remove_hidden()
    jobs: list[tuple[SourceFile, str]] = []
    seen: set[str] = set()
    for item in walk.files:
        doc_id = document_id(item.source)
        seen.add(doc_id)
        try:
            version = file_version(item.path.read_bytes(), item.catalog, doc_type)
        except OSError as exc:
            report.failed.append((item.source, f"unreadable: {exc.strerror or exc}"))
            continue
        if known.get(doc_id, ("", ""))[0] == version:
            report.unchanged.append(item.source)
        else:
            jobs.append((item, version))
    total = len(jobs)
    pending: list[tuple[SourceFile, str, ParsedDocument]] = []

    def flush() -> None:
        """Embed the pending documents in one batch, then write each one atomically."""
        texts = [collection.passage_texts(parsed) for _, _, parsed in pending]
        vectors = collection.embedder.embed_passages([t for group in texts for t in group])
        start = 0
        for (item, version, parsed), group in zip(pending, texts):
            report.chunks += collection.add(parsed, version, vectors[start:start + len(group)])
            start += len(group)
            report.pages += parsed.document.pages
            (report.updated if parsed.document.id in known else report.added).append(item.source)
        pending.clear()

    for done, (item, version, result) in enumerate(_parsed_in_order(jobs, doc_type, workers), start=1):
        if progress:
            progress(done, total, item.source)
        if isinstance(result, IngestError):
            report.failed.append((item.source, str(result)))
            continue
        if isinstance(result, Exception):
            log.exception("unexpected failure on %s", item.source, exc_info=result)
            report.failed.append((item.source, f"unexpected error: {type(result).__name__}: {result}"))
            continue
        pending.append((item, version, result))
        if sum(len(parsed.chunks) for _, _, parsed in pending) >= EMBED_BATCH_CHUNKS:
            flush()
    if pending:
        flush()
    if prune:
        for doc_id, (_, source) in known.items():
            if doc_id not in seen and any(source.startswith(root) for root in walk.roots):
                collection.delete(doc_id)
                report.removed.append(source)
    report.seconds = time.perf_counter() - started
    return report


def ingest_file(collection: Collection, path: Path, source: str, doc_type: str | None = None) -> tuple[str, str]:
    """Ingest one file now (an upload); returns (status, document_id). Raises IngestError."""
    data = path.read_bytes()
    version = file_version(data, {}, doc_type)
    doc_id = document_id(source)
    known = collection.versions().get(doc_id)
    if known and known[0] == version:
        return "unchanged", doc_id
    parsed = parse_file(path, source, {}, doc_type, data=data)
    collection.add(parsed, version)
    return ("updated" if known else "added"), doc_id
