"""`procsearch reindex`: re-embed a store with another model, in place, from the passages it already holds.

Why: changing the model (all-MiniLM-L6-v2 -> multilingual-e5-small, issue 16) would otherwise mean re-parsing every
file, which for real collections takes far longer than the embedding (and the files may be gone). The chunk payloads
keep each passage's text, title and heading path, so the dense vectors are recomputed from them exactly as ingest
computes them (index.collection.embedding_text), and the lexical vectors from the same texts.

Crash safety: the store's meta record first says `reindex_to: <model>`; each document's chunks are rewritten, then
its record, which is marked `embedded_with: <model>`; the meta record switches `model` only when every document is
done. A store left half old, half new therefore says so, every open refuses it with the line to run, and the next
`procsearch reindex` resumes with the documents not yet marked. Only the live chunks are re-embedded: hidden ones are
a crashed ingest's leftovers, never searched, and removed by the next ingest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import msgspec

from index import document_bm25, sparse
from index.collection import Collection, embedding_text
from index.records import MetaRecord, document_payload
from index.store import Found, StoredPoint, Where
from index.store.base import DENSE
from ingest.errors import StoreError

logger = logging.getLogger(__name__)
BATCH_CHUNKS = 128  # passages embedded per call: documents are grouped until they reach it

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ReindexReport:
    model_before: str | None
    model_after: str
    documents: int  # re-embedded by this run
    chunks: int
    resumed: bool  # an interrupted reindex was finished


def _chunk_point(found: Found, vector: list[float]) -> StoredPoint:
    """The chunk with its new vectors; its stored payload is written back whole (keys a newer version wrote stay)."""
    chunk = found.chunk
    space, indices, values = sparse.embed_document(sparse.document_text(chunk.title, chunk.text), chunk.chunk_language)
    return StoredPoint(found.id, {DENSE: vector, space: (indices, values)}, found.payload)


def _document_point(record: Found, chunks: list[Found], vectors: list[list[float]], model: str) -> StoredPoint:
    columns = [sum(column) for column in zip(*vectors, strict=True)]
    norm = sum(x * x for x in columns) ** 0.5 or 1.0
    points: dict[str, list[float] | tuple[list[int], list[float]]] = (
        {DENSE: [x / norm for x in columns]} if columns else {}
    )
    pairs = [(c.chunk.text, c.chunk.chunk_language) for c in chunks]
    points.update(document_bm25.document_vectors(record.record.title, pairs))
    marked = msgspec.structs.replace(record.record, embedded_with=model)
    return StoredPoint(record.id, points, {**record.payload, **document_payload(marked)})


def _reembed(collection: Collection, records: list[Found], model: str) -> int:
    """Re-embed a group of documents: chunks first, then each document's record (the mark of a finished one)."""
    groups = []
    for record in records:
        document_id = record.record.document_id
        chunks = sorted(
            collection.store.scroll(Where(kind="chunk", live=True, document_ids=(document_id,))),
            key=lambda c: c.chunk.index,
        )
        groups.append((record, chunks))
    texts = [
        embedding_text(c.chunk.title, c.chunk.section, c.chunk.text) if collection.context else c.chunk.text
        for _, chunks in groups
        for c in chunks
    ]
    vectors = collection.embedder.embed_passages(texts)
    at = 0
    for record, chunks in groups:
        mine = vectors[at : at + len(chunks)]
        at += len(chunks)
        collection.store.upsert([_chunk_point(c, v) for c, v in zip(chunks, mine, strict=True)])
        collection.store.upsert([_document_point(record, chunks, mine, model)])
    return len(texts)


def reindex(collection: Collection, progress: Progress | None = None) -> ReindexReport:
    """Re-embed every live chunk of `collection` with its embedder's model (see the module docstring)."""
    model = collection.embedder.name
    meta = collection.meta() or MetaRecord()
    before, pending = meta.model, meta.reindex_to
    if before == model and not pending:
        return ReindexReport(before, model, 0, 0, False)
    if pending and pending != model:
        logger.warning("an interrupted reindex to %s is replaced by one to %s", pending, model)
    dimension = collection.embedder.dimension
    if meta.dimension and meta.dimension != dimension:
        raise StoreError(
            f"the index at {collection.location} holds {meta.dimension}-dimension vectors and the "
            f"model '{model}' makes {dimension}: ingest into a new index (another PROCSEARCH_DATA)"
        )
    collection.write_meta(msgspec.structs.replace(meta, reindex_to=model, dimension=meta.dimension or dimension))
    records = [
        r
        for r in collection.store.scroll(Where(kind="document"))
        if not (pending == model and r.record.embedded_with == model)
    ]
    total = sum(r.record.chunks for r in records)
    done_chunks = done_documents = 0
    group: list[Found] = []
    for position, record in enumerate(records):
        group.append(record)
        size = sum(r.record.chunks for r in group)
        if size >= BATCH_CHUNKS or position == len(records) - 1:
            done_chunks += _reembed(collection, group, model)
            done_documents += len(group)
            group = []
            if progress:
                progress(min(done_chunks, total), total)
    collection._records.clear()
    collection.write_meta(msgspec.structs.replace(meta, model=model, dimension=dimension, reindex_to=None))
    collection.optimize()
    return ReindexReport(str(before) if before else None, model, done_documents, done_chunks, pending == model)
