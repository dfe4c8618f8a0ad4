"""The index: one entry point whose location decides the backend.

`open_collection(data_dir=...)` opens the embedded Qdrant Edge store;
`open_collection(url=...)` a Qdrant server. Either way the index records the
embedding model it was built with and refuses another, because vectors of two
models in one space give confident garbage.

A document is replaced as a switch (`index.writes`): its new chunks are written
hidden, and one store operation hides the old ones and shows the new ones, so a
crash at any step leaves the old version or the new one, never neither, never
both; `repair` (run by every ingest and at startup) finishes or flags the rest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from index import writes
from index.embedder import Embedder
from index.point_ids import document_point_id, meta_point_id
from index.records import ChunkRecord, DocumentRecord, MetaRecord, decode, meta_payload
from index.reranker import Reranker  # imported at run time: Litestar reads these annotations
from index.store import Found, Store, StoredPoint, Where
from ingest.errors import NotFoundError, StoreError
from ingest.near_duplicates import THRESHOLD, similarity
from ingest.types import ParsedDocument

RECORDS_CACHED = 20_000  # document records kept by records(); past that the copy starts again


class Stats(TypedDict):
    """What `procsearch stats` prints and /health reports: counts by kind, type and language, and the setup."""

    documents: int
    chunks: int
    by_type: dict[object, int]
    by_language: dict[object, int]
    model: str
    backend: str
    location: str


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
    reranker: Reranker | None = None  # when PROCSEARCH_RERANKER is set
    fault: Callable[[str], None] | None = None  # called before each write step (index.writes); tests raise there
    _records: dict[str, DocumentRecord] = field(default_factory=dict, repr=False)  # see records()

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
        return {
            f.record.document_id: (f.record.version, f.record.source) for f in self.store.scroll(Where(kind="document"))
        }

    def versions_of(self, document_ids: list[str]) -> dict[str, tuple[str, str]]:
        """document_id → (version, source) of these documents, when indexed."""
        found = self.store.retrieve([document_point_id(d) for d in document_ids])
        return {f.record.document_id: (f.record.version, f.record.source) for f in found}

    def near_duplicate_of(self, document_id: str, signature: list[int]) -> str | None:
        """The group (first version's id) of an indexed document with nearly the same text, if any."""
        best: DocumentRecord | None = None
        best_score = THRESHOLD
        for found in self.store.scroll(Where(kind="document", exclude_document_ids=(document_id,))):
            score = similarity(signature, found.record.minhash)
            if score >= best_score:
                best, best_score = found.record, score
        if best is None:
            return None
        return best.duplicate_of or best.document_id

    def passage_texts(self, parsed: ParsedDocument) -> list[str]:
        """What the dense model embeds for each chunk of a document."""
        title = parsed.document.title
        return [embedding_text(title, c.section, c.text) if self.context else c.text for c in parsed.chunks]

    def add(self, parsed: ParsedDocument, version: str, dense: list[list[float]] | None = None) -> int:
        """Index (or replace) one document as a switch (`index.writes`); returns its number of chunks.

        `dense` lets a caller embed several documents in one batch (much faster than one call each);
        without it the document is embedded and written slice by slice, so a 20,000-passage document
        never holds all its vectors in memory at once.
        """
        return writes.write_document(self, parsed, version, dense)

    def optimize(self) -> bool:
        """Index what was just written, so the first searches after an ingest are not brute force."""
        return self.store.optimize()

    def delete(self, document_id: str) -> DocumentRecord:
        """Delete a document (record and passages in one step); returns the record it had."""
        return writes.delete_document(self, document_id)

    def repair(self) -> writes.RepairReport:
        """Finish or flag what an interrupted write left (`index.writes.repair`)."""
        return writes.repair(self, sole_writer=self.store.sole_writer)

    def document(self, document_id: str, with_vector: bool = False) -> Found:
        found = self.store.retrieve([document_point_id(document_id)], with_vectors=with_vector)
        if not found:
            raise NotFoundError(f"no document with id '{document_id}'")
        return found[0]

    def records(self, document_ids: list[str]) -> dict[str, DocumentRecord]:
        """Document records by id, for the documents of a result page (missing ids are left out).

        The embedded store is locked to this process, so every change goes through `add` or
        `delete`, which clear the copy kept here: a page of results then costs no store read
        for its documents (about 1 ms of a 15 ms search). A Qdrant server may have other
        writers, so its records are always read.
        """
        wanted = list(dict.fromkeys(document_ids))
        cache = self._records if self.store.sole_writer else {}
        missing = [d for d in wanted if d not in cache]
        if missing:
            found = {
                f.record.document_id: f.record for f in self.store.retrieve([document_point_id(d) for d in missing])
            }
            if self.store.sole_writer:
                if len(cache) + len(found) > RECORDS_CACHED:
                    cache.clear()
                cache.update(found)
            else:
                cache = found
        return {d: cache[d] for d in wanted if d in cache}

    def documents(self, where: Where | None = None) -> list[DocumentRecord]:
        """Every matching document record, sorted by title."""
        found = self.store.scroll(dataclasses.replace(where or Where(), kind="document"))
        return sorted((f.record for f in found), key=lambda r: (r.title.lower(), r.document_id))

    def chunks(self, document_id: str) -> list[ChunkRecord]:
        """A document's live passages in order."""
        found = self.store.scroll(Where(kind="chunk", live=True, document_ids=(document_id,)))
        return sorted((f.chunk for f in found), key=lambda c: c.index)

    def remove_hidden(self) -> int:
        """Delete every invisible chunk (leftovers, switched-out); only safe for the sole writer, after repair."""
        hidden = self.store.count(Where(kind="chunk", live=False))
        if hidden:
            self.store.delete(Where(kind="chunk", live=False))
        return hidden

    def stats(self) -> Stats:
        return {
            "documents": self.store.count(Where(kind="document")),
            "chunks": self.store.count(Where(kind="chunk", live=True)),
            "by_type": self.store.facet("doc_type", Where(kind="document")),
            "by_language": self.store.facet("language", Where(kind="document")),
            "model": self.embedder.name,
            "backend": self.backend,
            "location": self.location,
        }

    # -- model guard ----------------------------------------------------------------------------
    def meta(self) -> MetaRecord | None:
        """The store's meta record (its model), None for a store not yet written."""
        found = self.store.retrieve([meta_point_id()])
        return decode(found[0].payload, MetaRecord, found[0].id) if found else None

    def write_meta(self, meta: MetaRecord) -> None:
        self.store.upsert([StoredPoint(meta_point_id(), {}, meta_payload(meta))])

    def check_model(self) -> None:
        meta = self.meta()
        if meta is None:
            self.write_meta(MetaRecord(model=self.embedder.name, dimension=self.embedder.dimension))
            return
        message = model_mismatch(self.location, meta, self.embedder.name)
        if message:
            raise StoreError(message)


# -- model switch (issue 16; `procsearch reindex` is index/reindex.py) ---------------------------------------
def model_mismatch(location: str, meta: MetaRecord, model: str) -> str | None:
    """The one line for a store whose vectors are not `model`'s (None when they are), with what to run."""
    built_with, pending = meta.model, meta.reindex_to
    if pending:
        return (
            f"the index at {location} is half re-embedded: a reindex from the model '{built_with}' to "
            f"'{pending}' was interrupted. Run `PROCSEARCH_MODEL={pending} procsearch reindex` to finish it."
        )
    if built_with != model:
        return (
            f"the index at {location} was built with the model '{built_with}' but PROCSEARCH_MODEL is "
            f"'{model}'. Run `procsearch reindex` to re-embed it with '{model}' from its stored passages "
            f"(no re-parsing), or set PROCSEARCH_MODEL={built_with}."
        )
    return None


def open_collection(
    data_dir: Path | str | None = None,
    url: str | None = None,
    model: str | None = None,
    collection: str = "procsearch",
    create: bool = False,
    embedder: Embedder | None = None,
    api_key: str | None = None,
    reranker: str | None = None,
    embedding_backend: str | None = None,
    min_free_mb: int | None = None,
    check_model: bool = True,
    allow_download: bool = False,
) -> Collection:
    """Open the index; `url` (a Qdrant server, or ':memory:' in tests) wins over `data_dir`.

    `create=True` loads the model to learn its dimension when the index does not exist yet.
    `check_model=False` opens a store built with another model (only `procsearch reindex` does).
    `allow_download` lets the reranker (and a model built here) come from the hub; off, local files only.
    """
    from index.embedder import DEFAULT_MODEL

    embedder = embedder or Embedder(model or DEFAULT_MODEL, backend=embedding_backend, allow_download=allow_download)
    if url:
        from index.store.server import ServerStore

        store: Store = ServerStore(url, collection, embedder.dimension if create else None, api_key)
        location = f"{url} (collection {collection})"
    else:
        from index.store.edge import EdgeStore

        folder = Path(data_dir or "data").resolve()
        needs = create and not (folder / "shard").exists()
        store = EdgeStore(folder, embedder.dimension if needs else None, min_free_mb)
        location = str(folder)
    result = Collection(store, embedder, location)
    if reranker:
        result.reranker = Reranker(reranker, allow_download)
    try:
        meta = result.meta()
        if check_model and meta and (meta.model != embedder.name or meta.reindex_to):
            result.check_model()
        if not meta and create:
            result.check_model()
    except Exception:
        result.close()
        raise
    return result
