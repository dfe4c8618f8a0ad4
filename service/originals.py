"""Uploaded originals on disk: where a document's file lives, and which file may be served.

An upload's identity is its path as the client names it (`uploads/<folder>/<relative path>`), never
its base name alone, so `buyerA/cctp.pdf` and `buyerB/cctp.pdf` are two documents. Its original is
kept under `uploads/<document id>/<content hash>/<name>`: another document never writes there, and a
new version goes to a new folder, so the file the record names is never overwritten; the old
version's folder goes once the switch is done. Bytes are staged in `uploads/.staging` and removed
when the request ends, whatever happens; startup removes what a crash left (`prune`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import stat
import uuid
from pathlib import Path

from index.records import DocumentRecord
from ingest.errors import NotFoundError
from service.errors import BadRequest

UPLOADS = "uploads"
STAGING = ".staging"
MAX_SOURCE = 1024  # characters of a document's path; a longer one is refused
MAX_NAME_BYTES = 200  # a stored file name longer than this is shortened (file systems stop at 255)
_UNSAFE = re.compile(r"[^\w.\- ]+")
log = logging.getLogger(__name__)


def _segment(part: str) -> str:
    return _UNSAFE.sub("_", part).strip(" .") or "_"


def upload_source(filename: str, folder: str | None = None) -> str:
    """The document path of an upload: `uploads/` + the client's folder + the file's relative path.

    Raises BadRequest (a 400) for an empty name, a `..` segment or a path over MAX_SOURCE characters.
    """
    parts = []
    for given in (folder or "", filename or ""):
        for part in given.replace("\\", "/").split("/"):
            if part == "..":
                raise BadRequest(f"'{given}': a path must not contain '..'")
            if part.strip() and part != ".":
                parts.append(_segment(part))
    if not parts or not (filename or "").strip(" /\\."):
        raise BadRequest("every uploaded file needs a file name")
    source = "/".join([UPLOADS, *parts])
    if len(source) > MAX_SOURCE:
        raise BadRequest(f"the file's path is {len(source)} characters long; at most {MAX_SOURCE} are accepted")
    return source


def stored_name(source: str) -> str:
    """The base name kept on disk: the source's, shortened (suffix kept) when it would not fit."""
    name = source.rsplit("/", 1)[-1]
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    stem, dot, suffix = name.rpartition(".")
    suffix = f".{suffix}"[:16] if dot else ""
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    room = MAX_NAME_BYTES - len(suffix.encode("utf-8")) - len(digest) - 1
    short = (stem or name).encode("utf-8")[:room].decode("utf-8", "ignore")
    return f"{short}-{digest}{suffix}"


def uploads_dir(data_dir: Path) -> Path:
    return data_dir.resolve() / UPLOADS


def stage(data_dir: Path, data: bytes, suffix: str) -> Path:
    """Write the upload's bytes to a staging file; the caller unlinks it when the request ends."""
    folder = uploads_dir(data_dir) / STAGING
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix[:16]}"
    try:
        path.write_bytes(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def original_path(data_dir: Path, document_id: str, sha256: str, source: str) -> Path:
    return uploads_dir(data_dir) / document_id / sha256[:16] / stored_name(source)


def place(staged: Path, target: Path) -> bool:
    """Move the staged bytes to the original's place; False when that version was already there."""
    if target.is_file():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, target)
    return True


def remove_versions(data_dir: Path, document_id: str, keep: Path | None = None) -> None:
    """Remove a document's stored originals, except the version `keep` (its current file)."""
    folder = uploads_dir(data_dir) / document_id
    if not folder.is_dir():
        return
    for version in folder.iterdir():
        if keep is None or version != keep.parent:
            shutil.rmtree(version, ignore_errors=True)
    if keep is None:
        shutil.rmtree(folder, ignore_errors=True)


def prune(data_dir: Path, records: dict[str, str]) -> int:
    """Remove staging leftovers and stored originals no record points to; returns how many went.

    `records` maps each document id to its record's `path`.
    """
    root = uploads_dir(data_dir)
    if not root.is_dir():
        return 0
    removed = 0
    for entry in root.iterdir():
        if entry.name == STAGING:
            for leftover in entry.iterdir():
                leftover.unlink(missing_ok=True)
                removed += 1
        elif entry.is_dir() and len(entry.name) == 16:
            current = records.get(entry.name)
            for version in entry.iterdir():
                if current is None or Path(current).parent != version:
                    shutil.rmtree(version, ignore_errors=True)
                    removed += 1
            if current is None:
                shutil.rmtree(entry, ignore_errors=True)
    return removed


_HASHES: dict[tuple[str, int, int, int], str] = {}  # (path, inode, mtime, size) → sha256 of files served


def verified_original(record: DocumentRecord, data_dir: Path) -> Path:
    """The record's file, only if it is still the one indexed and lies where it was indexed from.

    Refused (404) when the file is gone, when any part of its path is now a symbolic link (its real
    path differs from the recorded one), when its size or content hash differs from the record's,
    or when it lies neither under the data folder's uploads nor at its source path under an
    ingested folder.
    """
    missing = NotFoundError(
        f"the original file of '{record.document_id}' is no longer available as it was indexed ({record.source})"
    )
    path = Path(record.path)
    if not path.is_absolute() or os.path.realpath(path) != str(path):
        raise missing
    source_parts = tuple(record.source.split("/"))
    under_uploads = path.is_relative_to(uploads_dir(data_dir))
    if not under_uploads and path.parts[-len(source_parts) :] != source_parts:
        raise missing
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        raise missing from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size != (record.size or -1):
            raise missing
        key = (str(path), info.st_ino, info.st_mtime_ns, info.st_size)
        if key not in _HASHES:
            digest = hashlib.sha256()
            while block := handle.read(1 << 20):
                digest.update(block)
            if len(_HASHES) > 4096:
                _HASHES.clear()
            _HASHES[key] = digest.hexdigest()
    if _HASHES[key] != record.sha256:
        log.warning("not serving %s: its content changed since it was indexed", path)
        raise missing
    return path
