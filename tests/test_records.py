"""The typed store records: the stored format is unchanged, and older or newer stores still read."""

from __future__ import annotations

import pytest

from index import sparse, writes
from index.collection import Collection
from index.point_ids import chunk_point_id, document_point_id
from index.records import ChunkKeys, ChunkRecord, DocumentRecord, chunk_payload, decode, document_payload
from index.search import search
from index.store import Found, StoredPoint, Where
from index.store.base import DENSE
from index.store.edge import EdgeStore
from ingest.errors import StoreError
from ingest.types import Chunk, Document
from service.responses import document_summary

DOC = Document(
    id="d1",
    source="lots/cctp.pdf",
    path="/srv/lots/cctp.pdf",
    title="CCTP nettoyage",
    doc_type="tender",
    language="fr",
    sha256="ab" * 32,
    pages=3,
    size=1234,
    content_type="application/pdf",
    year=2023,
    date="2023-05-02",
    extra={"buyer": "  Ville de  Rennes "},
)
CHUNK = Chunk("d1", 4, "Le titulaire nettoie les locaux.", 2, 3, "Article 4", 100, 132, "fr", ocr=True)

# the tender keys (index.tender_payload) of a document that states no tender field
TENDER_NONE = {
    "cpv_prefixes": [],
    "cpv_divisions": [],
    "procedure": None,
    "amounts": [],
    "currencies": [],
    "deadline_day": None,
}


@pytest.mark.unit
def test_a_chunk_is_stored_with_the_keys_and_values_of_the_untyped_payload():
    """The dict the untyped writer built, key for key: existing stores and their filters keep working."""
    point = writes._chunk_point(DOC, "v1", "g1", CHUNK, [0.5, 0.5])
    assert point.payload == {
        "kind": "chunk",
        "state": "hidden",
        "switched": "0",
        "document_id": "d1",
        "version": "v1",
        "generation": "g1",
        "index": 4,
        "text": "Le titulaire nettoie les locaux.",
        "page": 2,
        "page_end": 3,
        "section": "Article 4",
        "char_start": 100,
        "char_end": 132,
        "chunk_language": "fr",
        "ocr": True,
        "language": "fr",
        "doc_type": "tender",
        "year": 2023,
        "title": "CCTP nettoyage",
        "source": "lots/cctp.pdf",
        "date": "2023-05-02",
        "buyer": "Ville de Rennes",
        **TENDER_NONE,
    }
    assert decode(point.payload, ChunkRecord) == ChunkRecord(**point.payload)  # and reads back as written


@pytest.mark.unit
def test_a_document_record_is_stored_with_the_keys_of_the_untyped_payload():
    record = DocumentRecord(document_id="d1", title="T", chunks=2, minhash=[1, 2], extra={"a": 1})
    payload = document_payload(record)
    assert set(payload) == {
        "kind", "state", "document_id", "title", "doc_type", "language", "year", "date", "source", "path",
        "pages", "size", "content_type", "sha256", "version", "generation", "chunks", "extra", "buyer",
        "ingested_at", "minhash", "duplicate_of", *TENDER_NONE,
    }  # fmt: skip
    assert "embedded_with" in document_payload(DocumentRecord(document_id="d1", embedded_with="m"))
    assert decode(payload, DocumentRecord) == record


@pytest.mark.unit
def test_unknown_keys_are_ignored_and_missing_ones_read_as_the_readers_always_assumed():
    older = {"document_id": "d1", "index": 0, "text": "t", "page": 5, "char_start": 0, "char_end": 1}
    chunk = decode({**older, "language": "en", "added_by_a_newer_version": [1]}, ChunkRecord)
    assert (chunk.page_end, chunk.chunk_language, chunk.section, chunk.ocr, chunk.buyer) == (5, "en", "", False, None)
    assert decode({"document_id": "d1", "index": 2.0}, ChunkKeys).index == 2  # a float from JSON reads as an int
    record = decode({"document_id": "d1", "kind": "document"}, DocumentRecord)
    assert (record.minhash, record.duplicate_of, record.extra, record.doc_type, record.language) == (
        [],
        None,
        {},
        "other",
        "und",
    )


@pytest.mark.unit
def test_a_point_without_its_identity_is_refused_naming_the_point():
    with pytest.raises(StoreError, match=r"point \(p7\).*ChunkRecord.*`text`.*Re-ingest"):
        _ = Found("p7", 0.0, {"document_id": "d1", "index": 0, "page": 1, "char_start": 0, "char_end": 1}).chunk
    with pytest.raises(StoreError, match="document_id"):
        _ = Found("p8", 0.0, {"title": "no id"}).record


@pytest.mark.unit
def test_a_rescored_point_keeps_its_payload_and_decoded_views():
    found = Found("p1", 0.5, {"document_id": "d1", "index": 3})
    keys = found.keys
    moved = found.rescored(0.9)
    assert (moved.score, moved.payload, moved.keys) == (0.9, found.payload, keys) and moved.keys is keys


@pytest.mark.integration
def test_a_store_written_before_the_ocr_buyer_and_date_keys_reads_searches_and_answers(tmp_path, embedder):
    """Points as an older version wrote them (no ocr, buyer, date, page_end, chunk_language, minhash): served whole."""
    store = EdgeStore(tmp_path, embedder.dimension)
    collection = Collection(store, embedder, str(tmp_path))
    text = "Le titulaire assure le nettoyage des vitres chaque trimestre."
    space, indices, values = sparse.embed_document(sparse.document_text("Nettoyage", text), "fr")
    common = {"document_id": "old", "language": "fr", "doc_type": "tender", "year": 2019, "title": "Nettoyage"}
    chunk = {
        **common,
        **{"kind": "chunk", "state": "live", "version": "v", "index": 0, "text": text, "page": 2},
        **{"section": "Art. 1", "char_start": 0, "char_end": len(text), "source": "old/cctp.txt"},
    }
    record = {**common, "kind": "document", "state": "live", "source": "old/cctp.txt", "pages": 2, "chunks": 1}
    vector = embedder.embed_passages([text])[0]
    try:
        store.upsert(
            [
                StoredPoint(chunk_point_id("old", "v", 0), {DENSE: vector, space: (indices, values)}, chunk),
                StoredPoint(document_point_id("old"), {DENSE: vector}, record),
            ]
        )
        assert store.count(Where(kind="chunk", live=True)) == 1
        [stored] = collection.documents()
        assert (stored.document_id, stored.chunks, stored.buyer, stored.minhash) == ("old", 1, None, [])
        [passage] = collection.chunks("old")
        assert (passage.page_end, passage.chunk_language, passage.ocr) == (2, "fr", False)
        result = search(collection, "nettoyage des vitres", mode="lexical")
        assert [d.document_id for d in result.documents] == ["old"]
        assert result.documents[0].document.source == "old/cctp.txt" and result.hits[0].page_end == 2
        assert result.facets["doc_type"] == {"tender": 1} and result.facets["buyer"] == {}
        summary = document_summary(collection.records(["old"])["old"])
        assert (summary.source, summary.pages, summary.date, summary.buyer) == ("old/cctp.txt", 2, None, None)
        assert chunk_payload(decode(chunk, ChunkRecord))["page_end"] == 2
    finally:
        collection.close()
