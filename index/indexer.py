"""Ingest folders into a collection: incremental, batch-safe, one summary.

Unchanged files (same content, same catalog entry, same pipeline version)
are skipped before parsing; a broken file is recorded with its reason and
the batch goes on. Parsing runs in worker processes (`index.parsing`), each
file within a time and memory limit, so that PDF extraction on one core
overlaps with embedding on the other and a hostile file fails alone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from index.collection import Collection
from index.disk import DiskFullError
from index.parsing import DEFAULT_TIMEOUT_S, ParseJob, ParserPool, parse_all, parse_job
from ingest.errors import IngestError
from ingest.ids import document_id, file_sha256, path_sha256
from ingest.ocr import PAGE_TIMEOUT_S
from ingest.types import ParsedDocument
from ingest.walk import walk_paths

EMBED_BATCH_CHUNKS = 256  # documents are embedded together up to this many chunks (one model call)
PIPELINE_VERSION = "6"  # bump when extraction, chunking or indexed terms change, so every file is re-ingested
log = logging.getLogger(__name__)
WriteStatus = Literal["added", "updated", "unchanged"]  # what writing one file did


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    stopped: str = ""  # why the batch stopped early (the disk is full), else empty
    pages: int = 0
    chunks: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def file_version(sha256: str, catalog: dict[str, object], doc_type: str | None = None) -> str:
    """What must change for a file to be re-ingested: its bytes, its catalog entry, the pipeline."""
    key = json.dumps([sha256, catalog, doc_type, PIPELINE_VERSION], sort_keys=True, default=str)
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def ingest_paths(
    collection: Collection,
    paths: list[Path],
    prune: bool = False,
    doc_type: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    workers: int = 1,
    timeout: float = DEFAULT_TIMEOUT_S,
    ocr_page_timeout: float = PAGE_TIMEOUT_S,
) -> IngestReport:
    """Bring the collection in line with the files under `paths`; see the module docstring."""
    started = time.perf_counter()
    report = IngestReport()
    walk = walk_paths(paths)
    report.skipped.extend(walk.skipped)
    repaired = collection.repair()  # a record its live passages disagree with is redone below, not 'unchanged'
    report.warnings.extend((doc_id, "repaired: its last write was interrupted") for doc_id in repaired.stale)
    known = collection.versions()
    plan = _plan(walk.files, known, doc_type, ocr_page_timeout, report)
    writer = _BatchWriter(collection, plan.versions, set(known), report)
    try:
        for done, (job, result) in enumerate(parse_all(plan.jobs, workers, timeout), start=1):
            if progress:
                progress(done, len(plan.jobs), job.source)
            writer.take(job, result)
        writer.flush()
    except DiskFullError as exc:  # stop cleanly: what is written stays whole, the rest is listed as not done
        written = set(report.added) | set(report.updated)
        failed = dict(report.failed)
        report.failed.extend(
            (job.source, f"not ingested: {exc}") for job in plan.jobs if job.source not in written | set(failed)
        )
        report.stopped = str(exc)
        report.seconds = time.perf_counter() - started
        return report
    if prune:
        for doc_id, (_, source) in known.items():
            if doc_id not in plan.seen and any(source.startswith(root) for root in walk.roots):
                collection.delete(doc_id)
                report.removed.append(source)
    if report.added or report.updated or report.removed:
        collection.optimize()
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class _Plan:
    jobs: list[ParseJob] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)  # source -> version to write
    seen: set[str] = field(default_factory=set)  # document ids found on disk (what --prune keeps)


def _plan(
    files: list, known: dict[str, tuple[str, str]], doc_type: str | None, ocr_page_timeout: float, report: IngestReport
) -> _Plan:
    """Which files to parse: the new and the changed; unchanged and unreadable ones go straight to the report."""
    plan = _Plan()
    for item in files:
        doc_id = document_id(item.source)
        plan.seen.add(doc_id)
        try:
            version = file_version(path_sha256(item.path), item.catalog, doc_type)
        except OSError as exc:
            report.failed.append((item.source, f"unreadable: {exc.strerror or exc}"))
            continue
        if known.get(doc_id, ("", ""))[0] == version:
            report.unchanged.append(item.source)
        else:
            plan.jobs.append(
                ParseJob(item.path, item.source, item.catalog, doc_type, ocr_page_timeout=ocr_page_timeout)
            )
            plan.versions[item.source] = version
    return plan


class _BatchWriter:
    """Parsed documents embedded together up to EMBED_BATCH_CHUNKS chunks (one model call), then each written whole."""

    def __init__(self, collection: Collection, versions: dict[str, str], known: set[str], report: IngestReport):
        self.collection, self.versions, self.known, self.report = collection, versions, known, report
        self.pending: list[ParsedDocument] = []

    def take(self, job: ParseJob, result: ParsedDocument | Exception) -> None:
        if isinstance(result, IngestError):
            self.report.failed.append((job.source, str(result)))
        elif isinstance(result, Exception):
            log.error("unexpected failure on %s", job.source, exc_info=result)
            self.report.failed.append((job.source, f"unexpected error: {type(result).__name__}: {result}"))
        elif len(result.chunks) > EMBED_BATCH_CHUNKS:
            self.add(result, None)  # a long document is embedded slice by slice inside add: bounded memory
        else:
            self.pending.append(result)
            if sum(len(parsed.chunks) for parsed in self.pending) >= EMBED_BATCH_CHUNKS:
                self.flush()

    def add(self, parsed: ParsedDocument, dense: list[list[float]] | None) -> None:
        source = parsed.document.source
        self.report.chunks += self.collection.add(parsed, self.versions[source], dense)
        self.report.pages += parsed.document.pages
        self.report.warnings.extend((source, warning) for warning in parsed.warnings)
        (self.report.updated if parsed.document.id in self.known else self.report.added).append(source)

    def flush(self) -> None:
        """Embed the pending documents in one batch, then write each one atomically."""
        if not self.pending:
            return
        texts = [self.collection.passage_texts(parsed) for parsed in self.pending]
        vectors = self.collection.embedder.embed_passages([t for group in texts for t in group])
        start = 0
        for parsed, group in zip(self.pending, texts, strict=True):
            self.add(parsed, vectors[start : start + len(group)])
            start += len(group)
        self.pending.clear()


@dataclass(frozen=True)
class PreparedFile:
    """A file parsed and embedded, ready to be written: the slow part of an upload, done outside any lock."""

    parsed: ParsedDocument | None  # None when the file is unchanged
    version: str
    document_id: str
    dense: list[list[float]] = field(default_factory=list)


def prepare_file(
    collection: Collection, path: Path, source: str, doc_type: str | None = None, parser: ParserPool | None = None
) -> PreparedFile:
    """Parse and embed one file (an upload) without writing anything. Raises IngestError.

    With a `parser` the file is parsed in its worker process, under its time and memory limits.
    """
    data = path.read_bytes()
    version = file_version(file_sha256(data), {}, doc_type)
    doc_id = document_id(source)
    known = collection.versions_of([doc_id]).get(doc_id)
    if known and known[0] == version:
        return PreparedFile(None, version, doc_id)
    job = ParseJob(path, source, {}, doc_type, data)
    if parser is None:
        parsed = parse_job(job, 0)
    else:
        _, outcome = next(parser.parse([job]))
        if isinstance(outcome, Exception):
            raise outcome
        parsed = outcome
    dense = collection.embedder.embed_passages(collection.passage_texts(parsed))
    return PreparedFile(parsed, version, doc_id, dense)


def commit_file(collection: Collection, prepared: PreparedFile) -> WriteStatus:
    """Write a prepared file (the caller holds the write lock); returns added, updated or unchanged."""
    known = collection.versions_of([prepared.document_id]).get(prepared.document_id)
    if known and known[0] == prepared.version:
        return "unchanged"
    if prepared.parsed is None:  # unchanged when prepared, deleted since
        raise IngestError("the document was deleted while this upload was prepared: send it again")
    collection.add(prepared.parsed, prepared.version, prepared.dense)
    return "updated" if known else "added"


def ingest_file(
    collection: Collection, path: Path, source: str, doc_type: str | None = None, parser: ParserPool | None = None
) -> tuple[WriteStatus, str]:
    """Ingest one file now; returns (status, document_id). Raises IngestError."""
    prepared = prepare_file(collection, path, source, doc_type, parser)
    return commit_file(collection, prepared), prepared.document_id
