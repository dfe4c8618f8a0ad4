"""Uploads, replacements and deletes through the API: slow work outside the lock, writes one at a time.

A file is staged, parsed (in the parser's worker process) and embedded without holding the write
lock, so one slow file never blocks another upload or a delete; only the switch itself
(`index.writes`) and the move of the original run under the app's `WriteLock`. A request that cannot
get the lock within `WRITE_WAIT_S` answers 503 with Retry-After instead of running minutes later,
and one whose client has gone by then is not written at all.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from index.collection import Collection
from index.indexer import PreparedFile, WriteStatus, commit_file, prepare_file
from index.parsing import ParserPool
from index.records import DocumentRecord
from ingest.converters import SUPPORTED
from ingest.errors import IngestError, ModelError, StoreError
from ingest.types import ParsedDocument
from service import originals
from service.errors import BadRequest, UnsupportedMediaType

WRITE_WAIT_S = 30.0  # longest wait for the lock; writes hold it for the switch only, not the parse
log = logging.getLogger(__name__)


class WriteBusy(StoreError):
    """The write lock stayed taken for WRITE_WAIT_S: 503 with Retry-After."""


class Abandoned(StoreError):
    """The client went away before its write started: nothing is written."""


@dataclass(frozen=True)
class Stored:
    status: WriteStatus
    document_id: str
    source: str


class WriteLock:
    """One writer at a time on one index: the switch of one document, or a delete.

    The app owns one (`create_app`) and hands it to every write, so two apps in one process (tests,
    the bench) each serialise their own writes and never wait on each other's.
    """

    def __init__(self, wait_s: float = WRITE_WAIT_S):
        self.wait_s = wait_s
        self._lock = threading.Lock()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock; WriteBusy when another write keeps it past `wait_s`."""
        if not self._lock.acquire(timeout=self.wait_s):
            raise WriteBusy(f"another write has held the index for over {self.wait_s:g} s; retry shortly")
        try:
            yield
        finally:
            self._lock.release()


def check_type(name: str, source: str) -> str:
    suffix = Path(source).suffix.lower()
    if suffix not in SUPPORTED:
        raise UnsupportedMediaType(
            f"'{name}': unsupported file type '{suffix or '(none)'}'; supported: {', '.join(sorted(SUPPORTED))}"
        )
    return suffix


def store_upload(
    collection: Collection,
    data_dir: Path,
    source: str,
    data: bytes,
    doc_type: str | None,
    lock: WriteLock,
    parser: ParserPool | None = None,
    gone: Callable[[], bool] = lambda: False,
) -> Stored:
    """Index one uploaded file under `source` (a new document, or the replacement of the same path).

    Raises UnsupportedMediaType, IngestError (the file's reason), WriteBusy, Abandoned or StoreError;
    in every case the staged bytes are removed and nothing of this file stays half written.
    """
    suffix = check_type(source.rsplit("/", 1)[-1], source)
    staged = originals.stage(data_dir, data, suffix)
    try:
        prepared = prepare_file(collection, staged, source, doc_type, parser)
        if gone():
            raise Abandoned("the client closed the connection before the upload was written")
        with lock.held():
            if gone():
                raise Abandoned("the client closed the connection before the upload was written")
            return Stored(_commit(collection, data_dir, staged, prepared), prepared.document_id, source)
    finally:
        staged.unlink(missing_ok=True)


def _commit(collection: Collection, data_dir: Path, staged: Path, prepared: PreparedFile) -> WriteStatus:
    """Under the lock: put the original in its place, switch the index to it, drop the old original."""
    if prepared.parsed is None:
        return commit_file(collection, prepared)
    target = originals.original_path(
        data_dir, prepared.document_id, prepared.parsed.document.sha256, prepared.parsed.document.source
    )
    placed = originals.place(staged, target)
    parsed = ParsedDocument(
        dataclasses.replace(prepared.parsed.document, path=str(target)),
        prepared.parsed.pages,
        prepared.parsed.chunks,
        prepared.parsed.warnings,
    )
    try:
        status = commit_file(collection, dataclasses.replace(prepared, parsed=parsed))
    except BaseException:
        if placed:
            target.unlink(missing_ok=True)
        raise
    if status != "unchanged":
        originals.remove_versions(data_dir, prepared.document_id, keep=target)
    return status


def delete_upload(collection: Collection, data_dir: Path, document_id: str, lock: WriteLock) -> DocumentRecord:
    """Delete a document; an uploaded one loses its stored original too. Returns the record it had."""
    with lock.held():
        record = collection.delete(document_id)
        originals.remove_versions(data_dir, document_id)
    return record


def prune_originals(collection: Collection, data_dir: Path) -> int:
    """At startup: remove staged leftovers and stored originals no record points to."""
    records = {r.document_id: r.path for r in collection.documents()}
    return originals.prune(data_dir, records)


def failure(exc: Exception) -> tuple[int, str]:
    """(HTTP status, reason) of one file's failure, as the exception map would answer it alone."""
    from litestar.exceptions import HTTPException

    if isinstance(exc, IngestError):
        return 422, str(exc)
    if isinstance(exc, HTTPException):
        return exc.status_code, exc.detail
    if isinstance(exc, (StoreError, ModelError)):
        return 503, str(exc)
    if isinstance(exc, BadRequest):
        return 400, str(exc)
    return 500, "internal error; the server log has the details"
