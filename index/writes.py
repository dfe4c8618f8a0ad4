"""Writing a document as a switch, deleting it in one step, and repairing what a crash left.

A store offers no transaction across points, so a replacement is a sequence of store operations
arranged so that a crash after any of them leaves either the old version or the new one searchable,
never neither and never both, and a record that the next run can check and finish:

1. `clear`   remove this document's hidden leftovers of an earlier, interrupted attempt;
2. `chunks`  write the new passages hidden, under a fresh generation (the old ones stay live);
3. `record`  write the document record (version, generation, number of passages);
4. `switch`  ONE operation marks every passage of the document `switched`: a switched live passage is
             invisible and a switched hidden one is visible (`index.store.base.visible`), so the old
             version goes out and the new one comes in at the same step;
5. `retire`  delete the old passages (already invisible);
6. `settle`  make the new passages plainly live again (each one stays visible while it changes).

A delete is a single store operation (record and passages together). `repair` finishes a switch cut
short after step 3, removes leftovers and orphans, and flags a record whose live passages disagree
with it so that the next ingest of its file redoes it instead of calling it unchanged.

`Collection.fault`, when set, is called with each step's name just before the step: tests make it
raise at every step of add, replace and delete to check the claim above on both backends.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from index import document_bm25, sparse
from index.point_ids import chunk_point_id, document_point_id
from index.records import ChunkRecord, DocumentRecord, chunk_payload, document_payload
from index.store import StoredPoint, Where
from index.store.base import DENSE, Vectors
from index.tender_payload import buyer_of, tender_payload
from ingest.near_duplicates import minhash
from ingest.types import Chunk, Document, ParsedDocument

if TYPE_CHECKING:
    from index.collection import Collection

ADD_STEPS = ("clear", "chunks", "record", "switch", "retire", "settle")
DELETE_STEPS = ("delete",)
UPSERT_SLICE = 256  # chunks embedded and written per call when a document is added on its own
STALE = ""  # the version of a record that must be re-ingested: it never equals a file's version
log = logging.getLogger(__name__)


@dataclass
class RepairReport:
    switched: list[str] = field(default_factory=list)  # documents whose interrupted switch was finished
    stale: list[str] = field(default_factory=list)  # records whose passages disagree: re-ingest them
    orphans: int = 0  # live passages with no record, deleted
    leftovers: int = 0  # hidden passages of interrupted writes, deleted


def _step(collection: Collection, name: str) -> None:
    if collection.fault is not None:
        collection.fault(name)


def write_document(
    collection: Collection, parsed: ParsedDocument, version: str, dense: list[list[float]] | None = None
) -> int:
    """Index (or replace) one document as a switch (see the module docstring); returns its passages."""
    doc, store = parsed.document, collection.store
    mine = Where(kind="chunk", document_ids=(doc.id,))
    generation = uuid.uuid4().hex[:12]
    _step(collection, "clear")
    if store.count(Where(kind="chunk", document_ids=(doc.id,), live=False)):  # usually none: one read, no write
        _finish_switch(collection, doc.id)
        store.delete(Where(kind="chunk", document_ids=(doc.id,), live=False))
    _step(collection, "chunks")
    texts = collection.passage_texts(parsed) if dense is None else []
    total: list[float] = []
    for start in range(0, len(parsed.chunks), UPSERT_SLICE):
        chunks = parsed.chunks[start : start + UPSERT_SLICE]
        vectors = (
            collection.embedder.embed_passages(texts[start : start + UPSERT_SLICE])
            if dense is None
            else dense[start : start + UPSERT_SLICE]
        )
        store.upsert(
            [
                _chunk_point(doc, version, generation, chunk, vector)
                for chunk, vector in zip(chunks, vectors, strict=True)
            ]
        )
        total = _sum(total, vectors)
    _step(collection, "record")
    signature = minhash("\n".join(page.text for page in parsed.pages))
    record = DocumentRecord(
        document_id=doc.id,
        title=doc.title,
        doc_type=doc.doc_type,
        language=doc.language,
        year=doc.year,
        date=doc.date,
        source=doc.source,
        path=doc.path,
        pages=doc.pages,
        size=doc.size,
        content_type=doc.content_type,
        sha256=doc.sha256,
        version=version,
        generation=generation,
        chunks=len(parsed.chunks),
        extra=doc.extra,
        buyer=buyer_of(doc.extra),
        **tender_payload(doc.extra),
        ingested_at=time.time(),
        minhash=signature,
        duplicate_of=collection.near_duplicate_of(doc.id, signature),
    )
    point_vectors: Vectors = {DENSE: _normalised(total)} if total else {}
    point_vectors.update(document_bm25.document_vectors(doc.title, [(c.text, c.language) for c in parsed.chunks]))
    collection._records.clear()
    store.upsert([StoredPoint(document_point_id(doc.id), point_vectors, document_payload(record))])
    _step(collection, "switch")
    store.set_payload(mine, {"switched": "1"})
    collection._records.clear()  # a search during the write may have read the old record
    _finish_switch(collection, doc.id, check=False)
    return len(parsed.chunks)


def _finish_switch(collection: Collection, document_id: str | None, check: bool = True) -> None:
    """Steps 5 and 6 for one document (or all): drop the switched-out passages, settle the new ones."""
    ids = (document_id,) if document_id else ()
    store = collection.store
    if check and not store.count(Where(kind="chunk", document_ids=ids, switched=True)):
        return
    _step(collection, "retire")
    store.delete(Where(kind="chunk", document_ids=ids, state="live", switched=True))
    _step(collection, "settle")
    store.set_payload(
        Where(kind="chunk", document_ids=ids, state="hidden", switched=True), {"state": "live", "switched": "0"}
    )


def delete_document(collection: Collection, document_id: str) -> DocumentRecord:
    """Delete a document's record and passages in one store operation; returns the record it had."""
    record = collection.document(document_id).record
    _step(collection, "delete")
    collection._records.clear()
    collection.store.delete(Where(document_ids=(document_id,)))
    return record


def repair(collection: Collection, sole_writer: bool) -> RepairReport:
    """Bring every record and its live passages back into agreement (see the module docstring).

    `sole_writer` (the embedded store, locked to this process) also deletes hidden leftovers, which on a
    shared Qdrant server may belong to another writer's upload in progress.
    """
    report = RepairReport()
    store = collection.store
    _finish_switch(collection, None)
    records = {f.record.document_id: f.record for f in store.scroll(Where(kind="document"))}
    live = store.facet("document_id", Where(kind="chunk", live=True))
    live_generations = store.facet("generation", Where(kind="chunk", live=True))  # unique to one write
    for doc_id, record in records.items():
        expected, generation = record.chunks, record.generation
        agrees = live.get(doc_id, 0) == expected and (not generation or live_generations.get(generation) == expected)
        if agrees or record.version == STALE:
            continue
        ready = generation and store.count(
            Where(kind="chunk", document_ids=(doc_id,), live=False, state="hidden", generation=generation)
        )
        if ready == expected:  # crashed between the record and the switch: the new version is complete
            store.set_payload(Where(kind="chunk", document_ids=(doc_id,)), {"switched": "1"})
            _finish_switch(collection, doc_id, check=False)
            report.switched.append(doc_id)
        else:
            store.set_payload(Where(kind="document", document_ids=(doc_id,)), {"version": STALE})
            report.stale.append(doc_id)
            log.warning(
                "document %s (%s): record says %s passages, %s live; its next ingest redoes it",
                doc_id,
                record.source,
                expected,
                live.get(doc_id, 0),
            )
    orphans = tuple(str(doc_id) for doc_id in live if doc_id not in records)
    if orphans:
        report.orphans = store.count(Where(kind="chunk", document_ids=orphans))
        store.delete(Where(kind="chunk", document_ids=orphans))
    if sole_writer:
        report.leftovers = store.count(Where(kind="chunk", live=False))
        if report.leftovers:
            store.delete(Where(kind="chunk", live=False))
    collection._records.clear()
    return report


def _chunk_point(doc: Document, version: str, generation: str, chunk: Chunk, vector: list[float]) -> StoredPoint:
    space, indices, values = sparse.embed_document(sparse.document_text(doc.title, chunk.text), chunk.language)
    record = ChunkRecord(
        state="hidden",
        switched="0",
        document_id=doc.id,
        version=version,
        generation=generation,
        index=chunk.index,
        text=chunk.text,
        page=chunk.page,
        page_end=chunk.page_end,
        section=chunk.section,
        char_start=chunk.char_start,
        char_end=chunk.char_end,
        chunk_language=chunk.language,
        ocr=chunk.ocr,
        language=doc.language,
        doc_type=doc.doc_type,
        year=doc.year,
        title=doc.title,
        source=doc.source,
        date=doc.date,
        buyer=buyer_of(doc.extra),
        **tender_payload(doc.extra),
    )
    return StoredPoint(
        chunk_point_id(doc.id, f"{version}:{generation}", chunk.index),
        {DENSE: vector, space: (indices, values)},
        chunk_payload(record),
    )


def _sum(total: list[float], vectors: list[list[float]]) -> list[float]:
    """Running column sums: the document's mean direction without keeping every vector."""
    columns = [sum(column) for column in zip(*vectors, strict=True)]
    return [a + b for a, b in zip(total, columns, strict=True)] if total else columns


def _normalised(vector: list[float]) -> list[float]:
    norm = sum(x * x for x in vector) ** 0.5 or 1.0
    return [x / norm for x in vector]
