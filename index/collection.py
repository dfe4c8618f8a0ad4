"""The index: one entry point whose location decides the backend.

`open_collection(data_dir=...)` opens the embedded Qdrant Edge store;
`open_collection(url=...)` a Qdrant server. Either way the index records the
embedding model it was built with and refuses another, because vectors of two
models in one space give confident garbage.

Atomic replacement of a document: new chunks are written hidden
(`state=hidden`), the old version is deleted, the document record is written,
then one payload update makes the new chunks visible. Searches only see
`live` chunks (`state=live`), so a crash at any step leaves the old version or nothing,
never half of one; hidden leftovers are removed by the next ingest.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from index import document_bm25, sparse
from index.embedder import Embedder
from index.store import Found, Store, StoredPoint, Where
from index.store.base import DENSE
from ingest.errors import NotFoundError, StoreError
from ingest.ids import chunk_point_id, document_point_id, meta_point_id
from ingest.near_duplicates import THRESHOLD, minhash, similarity
from ingest.types import ParsedDocument

SCHEMA_VERSION = 1
RECORDS_CACHED = 20_000  # document records kept by records(); past that the copy starts again
UPSERT_SLICE = 256  # chunks embedded and written per call when a document is added on its own
DOCUMENT_FIELDS = ("document_id", "title", "doc_type", "language", "year", "date", "source", "pages", "size",
                   "content_type", "sha256", "version", "chunks", "extra", "ingested_at", "path")


def embedding_text(title: str, section: str, text: str) -> str:
    """What the dense model sees: the passage under its document title and heading path.

    A passage like "Le titulaire fournit 30 % de produits bio" says nothing of
    school catering until the title does; the model reads 256 tokens, so the
    context stays short.
    """
    context = " > ".join(part for part in (title, section) if part)
    return f"{context}\n{text}" if context else text


@dataclass
class Collection:
    store: Store
    embedder: Embedder
    location: str
    context: bool = True  # embed passages with their title and heading path (see embedding_text)
    reranker: object | None = None  # index.reranker.Reranker when PROCSEARCH_RERANKER is set
    _records: dict[str, dict[str, object]] = field(default_factory=dict, repr=False)  # see records()

    @property
    def backend(self) -> str:
        return self.store.backend

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- documents -----------------------------------------------------------------------------
    def versions(self) -> dict[str, tuple[str, str]]:
        """document_id → (version, source) of every indexed document."""
        return {str(f.payload["document_id"]): (str(f.payload.get("version")), str(f.payload.get("source")))
                for f in self.store.scroll(Where(kind="document"))}

    def near_duplicate_of(self, document_id: str, signature: list[int]) -> str | None:
        """The group (first version's id) of an indexed document with nearly the same text, if any."""
        best, best_score = None, THRESHOLD
        for found in self.store.scroll(Where(kind="document", exclude_document_ids=(document_id,))):
            score = similarity(signature, list(found.payload.get("minhash") or []))
            if score >= best_score:
                best, best_score = found.payload, score
        if best is None:
            return None
        return str(best.get("duplicate_of") or best["document_id"])

    def passage_texts(self, parsed: ParsedDocument) -> list[str]:
        """What the dense model embeds for each chunk of a document."""
        title = parsed.document.title
        return [embedding_text(title, c.section, c.text) if self.context else c.text for c in parsed.chunks]

    def add(self, parsed: ParsedDocument, version: str, dense: list[list[float]] | None = None) -> int:
        """Index (or replace) one document atomically; returns its number of chunks.

        `dense` lets a caller embed several documents in one batch (much faster than one call each);
        without it the document is embedded and written slice by slice, so a 20,000-passage document
        never holds all its vectors in memory at once.
        """
        doc = parsed.document
        self._records.clear()
        signature = minhash("\n".join(page.text for page in parsed.pages))
        texts = self.passage_texts(parsed) if dense is None else []
        total: list[float] = []
        for start in range(0, len(parsed.chunks), UPSERT_SLICE):
            chunks = parsed.chunks[start:start + UPSERT_SLICE]
            vectors = (self.embedder.embed_passages(texts[start:start + UPSERT_SLICE]) if dense is None
                       else dense[start:start + UPSERT_SLICE])
            self.store.upsert([self._chunk_point(doc, version, chunk, vector)
                               for chunk, vector in zip(chunks, vectors)])
            total = _sum(total, vectors)
        self.store.delete(Where(document_ids=(doc.id,), exclude_version=version))
        record = {"kind": "document", "state": "live", "document_id": doc.id, "title": doc.title,
                  "doc_type": doc.doc_type, "language": doc.language, "year": doc.year, "date": doc.date,
                  "source": doc.source, "path": doc.path, "pages": doc.pages, "size": doc.size,
                  "content_type": doc.content_type, "sha256": doc.sha256, "version": version,
                  "chunks": len(parsed.chunks), "extra": doc.extra, "ingested_at": time.time(), "minhash": signature,
                  "duplicate_of": self.near_duplicate_of(doc.id, signature)}
        vectors: dict[str, object] = {DENSE: _normalised(total)} if total else {}
        vectors.update(document_bm25.document_vectors(doc.title, [(c.text, c.language) for c in parsed.chunks]))
        self.store.upsert([StoredPoint(document_point_id(doc.id), vectors, record)])
        self.store.set_payload(Where(kind="chunk", document_ids=(doc.id,), version=version), {"state": "live"})
        self._records.clear()  # a search during the write may have read the old record
        return len(parsed.chunks)

    @staticmethod
    def _chunk_point(doc, version: str, chunk, vector: list[float]) -> StoredPoint:
        space, indices, values = sparse.embed_document(sparse.document_text(doc.title, chunk.text),
                                                       chunk.language)
        return StoredPoint(chunk_point_id(doc.id, version, chunk.index), {DENSE: vector, space: (indices, values)}, {
            "kind": "chunk", "state": "hidden", "document_id": doc.id, "version": version, "index": chunk.index,
            "text": chunk.text, "page": chunk.page, "page_end": chunk.page_end, "section": chunk.section,
            "char_start": chunk.char_start, "char_end": chunk.char_end, "chunk_language": chunk.language,
            "ocr": chunk.ocr, "language": doc.language, "doc_type": doc.doc_type, "year": doc.year, "title": doc.title,
            "source": doc.source})

    def optimize(self) -> bool:
        """Index what was just written, so the first searches after an ingest are not brute force."""
        return self.store.optimize()

    def delete(self, document_id: str) -> None:
        self.document(document_id)
        self._records.clear()
        self.store.delete(Where(document_ids=(document_id,)))

    def document(self, document_id: str, with_vector: bool = False) -> Found:
        found = self.store.retrieve([document_point_id(document_id)], with_vectors=with_vector)
        if not found:
            raise NotFoundError(f"no document with id '{document_id}'")
        return found[0]

    def records(self, document_ids: list[str]) -> dict[str, dict[str, object]]:
        """Document records by id, for the documents of a result page (missing ids are left out).

        The embedded store is locked to this process, so every change goes through `add` or
        `delete`, which clear the copy kept here: a page of results then costs no store read
        for its documents (about 1 ms of a 15 ms search). A Qdrant server may have other
        writers, so its records are always read.
        """
        wanted = list(dict.fromkeys(document_ids))
        cache = self._records if self.backend == "qdrant-edge" else {}
        missing = [d for d in wanted if d not in cache]
        if missing:
            found = {str(f.payload["document_id"]): f.payload
                     for f in self.store.retrieve([document_point_id(d) for d in missing])}
            if self.backend == "qdrant-edge":
                if len(cache) + len(found) > RECORDS_CACHED:
                    cache.clear()
                cache.update(found)
            else:
                cache = found
        return {d: cache[d] for d in wanted if d in cache}

    def documents(self, where: Where = Where()) -> list[dict[str, object]]:
        """Every matching document record, sorted by title."""
        found = self.store.scroll(Where(**{**where.__dict__, "kind": "document"}))
        return sorted((f.payload for f in found), key=lambda p: (str(p.get("title", "")).lower(), p["document_id"]))

    def chunks(self, document_id: str) -> list[dict[str, object]]:
        found = self.store.scroll(Where(kind="chunk", live=True, document_ids=(document_id,)))
        return sorted((f.payload for f in found), key=lambda p: int(p["index"]))

    def remove_hidden(self) -> int:
        """Delete chunks a crashed ingest left hidden; only safe for the store's sole writer."""
        hidden = self.store.count(Where(kind="chunk", live=False))
        if hidden:
            self.store.delete(Where(kind="chunk", live=False))
        return hidden

    def stats(self) -> dict[str, object]:
        return {"documents": self.store.count(Where(kind="document")),
                "chunks": self.store.count(Where(kind="chunk", live=True)),
                "by_type": self.store.facet("doc_type", Where(kind="document")),
                "by_language": self.store.facet("language", Where(kind="document")),
                "model": self.embedder.name, "backend": self.backend, "location": self.location}

    # -- model guard ----------------------------------------------------------------------------
    def check_model(self) -> None:
        meta = self.store.retrieve([meta_point_id()])
        if not meta:
            self.store.upsert([StoredPoint(meta_point_id(), {}, {
                "kind": "meta", "model": self.embedder.name, "dimension": self.embedder.dimension,
                "schema": SCHEMA_VERSION})])
            return
        built_with = meta[0].payload.get("model")
        if built_with != self.embedder.name:
            raise StoreError(
                f"the index at {self.location} was built with the model '{built_with}' but PROCSEARCH_MODEL is "
                f"'{self.embedder.name}'. Set PROCSEARCH_MODEL={built_with}, or ingest into a new index "
                "(another PROCSEARCH_DATA or collection).")


def _sum(total: list[float], vectors: list[list[float]]) -> list[float]:
    """Running column sums: the document's mean direction without keeping every vector."""
    columns = [sum(column) for column in zip(*vectors)]
    return [a + b for a, b in zip(total, columns)] if total else columns


def _normalised(vector: list[float]) -> list[float]:
    norm = sum(x * x for x in vector) ** 0.5 or 1.0
    return [x / norm for x in vector]


def open_collection(data_dir: Path | str | None = None, url: str | None = None, model: str | None = None,
                    collection: str = "procsearch", create: bool = False, embedder: Embedder | None = None,
                    api_key: str | None = None, reranker: str | None = None,
                    embedding_backend: str | None = None) -> Collection:
    """Open the index; `url` (a Qdrant server, or ':memory:' in tests) wins over `data_dir`.

    `create=True` loads the model to learn its dimension when the index does not exist yet.
    """
    from index.embedder import DEFAULT_MODEL

    embedder = embedder or Embedder(model or DEFAULT_MODEL, backend=embedding_backend)
    if url:
        from index.store.server import ServerStore

        store: Store = ServerStore(url, collection, embedder.dimension if create else None, api_key)
        location = f"{url} (collection {collection})"
    else:
        from index.store.edge import EdgeStore

        folder = Path(data_dir or "data").resolve()
        needs = create and not (folder / "shard").exists()
        store = EdgeStore(folder, embedder.dimension if needs else None)
        location = str(folder)
    result = Collection(store, embedder, location)
    if reranker:
        from index.reranker import Reranker

        result.reranker = Reranker(reranker)
    try:
        meta = store.retrieve([meta_point_id()])
        if meta and meta[0].payload.get("model") != embedder.name:
            result.check_model()
        if not meta and create:
            result.check_model()
    except Exception:
        result.close()
        raise
    return result
