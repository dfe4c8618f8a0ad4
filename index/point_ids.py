"""Qdrant point ids: the same chunk of the same file version always gets the same point.

Content-hash ids make re-ingestion idempotent (an upsert of the same chunk overwrites itself) and
let a crashed run be re-run without duplicates. They are the store's business, so they live here;
ingestion knows only document ids and content hashes (ingest.ids).
"""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("6f0d3c2e-8a51-4b7e-9a43-2d1c5e0b7f10")  # fixed: every existing store's ids derive from it


def chunk_point_id(doc_id: str, sha256: str, index: int) -> str:
    """Point id of a chunk: changes with the file's content, so versions never collide."""
    return str(uuid.uuid5(_NAMESPACE, f"chunk:{doc_id}:{sha256}:{index}"))


def document_point_id(doc_id: str) -> str:
    """Point id of a document's own record (metadata and mean vector)."""
    return str(uuid.uuid5(_NAMESPACE, f"document:{doc_id}"))


def meta_point_id() -> str:
    """Point id of the index's own record (model name and dimension)."""
    return str(uuid.uuid5(_NAMESPACE, "procsearch:meta"))
