"""Deterministic ids: the same file keeps its id, the same chunk its point id.

Content-hash ids make re-ingestion idempotent (an upsert of the same chunk
overwrites itself) and let a crashed run be re-run without duplicates.
"""

import hashlib
import uuid

_NAMESPACE = uuid.UUID("6f0d3c2e-8a51-4b7e-9a43-2d1c5e0b7f10")


def document_id(source: str) -> str:
    """A short stable id from the source path relative to the ingested root."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


def chunk_point_id(doc_id: str, sha256: str, index: int) -> str:
    """Point id of a chunk: changes with the file's content, so versions never collide."""
    return str(uuid.uuid5(_NAMESPACE, f"chunk:{doc_id}:{sha256}:{index}"))


def document_point_id(doc_id: str) -> str:
    """Point id of a document's own record (metadata and mean vector)."""
    return str(uuid.uuid5(_NAMESPACE, f"document:{doc_id}"))


def meta_point_id() -> str:
    """Point id of the index's own record (model name and dimension)."""
    return str(uuid.uuid5(_NAMESPACE, "procsearch:meta"))


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_sha256(path) -> str:
    """The same hash as `file_sha256`, read in blocks: a 100 MB file is never held whole."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
