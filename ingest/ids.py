"""Deterministic ids: the same file keeps its document id; content hashes tell its versions apart.

The store's point ids are built from these in index.point_ids: ingestion knows nothing of storage.
"""

import hashlib


def document_id(source: str) -> str:
    """A short stable id from the source path relative to the ingested root."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_sha256(path) -> str:
    """The same hash as `file_sha256`, read in blocks: a 100 MB file is never held whole."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
