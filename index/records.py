"""The records the index stores: a chunk (one passage), a document, and the store's meta record.

They are written here (`chunk_payload`, `document_payload`, built by `index.writes`) and read back through
`from_payload`, so every reader reads typed fields and the stored format is written in one place. The stored
format is unchanged from the untyped payloads it replaces: the same keys and the same values, so existing
stores keep working.

Reading an older or newer store:
- a key this version does not know is ignored (a store written by a newer version still reads);
- a missing key takes the value the readers always assumed for it (no section: "", no OCR flag: False, no
  `page_end`: the chunk's `page`, no `chunk_language`: its document's language, no buyer or date: None);
- a missing identity key (`document_id`; for a chunk also `index`, `text`, `page`, `char_start`, `char_end`) or a
  value of the wrong type makes the point unreadable: `StoreError` names it and says to re-ingest.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from ingest.errors import StoreError
from ingest.vocabulary import DEFAULT_DOC_TYPE, UNDETERMINED

SCHEMA_VERSION = 1

_R = TypeVar("_R", bound=msgspec.Struct)


def decode(payload: dict[str, Any], kind: type[_R], point_id: str = "") -> _R:
    """`payload` as a `kind` record (lax: 3.0 reads as 3); StoreError when it lacks an identity key."""
    try:
        return msgspec.convert(payload, kind, strict=False)
    except msgspec.ValidationError as exc:
        raise StoreError(
            f"the index holds a point ({point_id or 'unknown id'}) this version cannot read as a "
            f"{kind.__name__}: {exc}. Re-ingest its document (or the folder) to rewrite it."
        ) from exc


class TenderKeys(msgspec.Struct, frozen=True, kw_only=True):
    """A tender's filterable fields, flat on the document record and on each of its chunks (index.tender_payload)."""

    cpv_prefixes: list[str] = []
    cpv_divisions: list[str] = []
    procedure: str | None = None
    amounts: list[float] = []
    currencies: list[str] = []
    deadline_day: int | None = None


class DocumentFields(TenderKeys, frozen=True, kw_only=True):
    """A document's fields that each of its chunks carries too, so a result shows them without its record."""

    title: str = ""
    doc_type: str = DEFAULT_DOC_TYPE
    language: str = UNDETERMINED
    year: int | None = None
    date: str | None = None  # ISO date from the catalog or front matter
    buyer: str | None = None  # one facet value (`index.writes.buyer_of`)
    source: str = ""


class ChunkKeys(TenderKeys, frozen=True, kw_only=True):
    """The keys of a chunk read for every candidate of a search: grouping, filters, facets and sorting.

    Not the text, title or source, read for a page's chunks only (payload reading is most of a query's cost).
    """

    document_id: str
    index: int
    doc_type: str = DEFAULT_DOC_TYPE
    language: str = UNDETERMINED
    year: int | None = None
    date: str | None = None
    buyer: str | None = None


LIGHT_KEYS = list(ChunkKeys.__struct_fields__)  # what the store returns for the search's candidates


class ChunkRecord(ChunkKeys, frozen=True, kw_only=True):
    """One passage as stored: its text and place in the document, and the document fields filters need.

    `state` and `switched` belong to the write protocol (`index.writes`): a chunk is searchable when it is
    `live` and not switched, or `hidden` and switched. `generation` is unique to one write of the document.
    """

    kind: str = "chunk"
    state: str = "live"
    switched: str = "0"  # a keyword, not a bool: the backends filter booleans unreliably
    version: str = ""
    generation: str = ""
    text: str
    page: int
    page_end: int = 0  # 0 when the store lacks it: read as `page`
    section: str = ""  # heading path, "Titre II > Article 14"
    char_start: int
    char_end: int
    chunk_language: str = ""  # "" when the store lacks it: read as the document's language
    ocr: bool = False
    title: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if not self.page_end:
            msgspec.structs.force_setattr(self, "page_end", self.page)
        if not self.chunk_language:
            msgspec.structs.force_setattr(self, "chunk_language", self.language)

    @property
    def fields(self) -> DocumentFields:
        return DocumentFields(
            title=self.title,
            doc_type=self.doc_type,
            language=self.language,
            year=self.year,
            date=self.date,
            buyer=self.buyer,
            source=self.source,
        )


class DocumentRecord(DocumentFields, frozen=True, kw_only=True):
    """A document as stored: one point per document, beside its chunks, with their mean vector.

    `version` says what the file was when ingested (`index.indexer.file_version`; "" marks a record to redo),
    `chunks` how many live passages it must have, `duplicate_of` the first version of a near-duplicate group.
    """

    document_id: str
    kind: str = "document"
    state: str = "live"
    path: str = ""  # absolute path of the original on disk
    pages: int = 0
    size: int = 0
    content_type: str = ""
    sha256: str = ""
    version: str = ""
    generation: str = ""
    chunks: int = 0
    extra: dict[str, Any] = {}  # catalog and front-matter metadata, tender fields under "fields"
    ingested_at: float = 0.0
    minhash: list[int] = []
    duplicate_of: str | None = None
    embedded_with: str | None = None  # written by `procsearch reindex` only (index.reindex)

    @classmethod
    def from_fields(cls, document_id: str, fields: DocumentFields) -> DocumentRecord:
        """A record from what a chunk knows of its document, for a document whose record is gone."""
        return cls(document_id=document_id, **msgspec.structs.asdict(fields))


class MetaRecord(msgspec.Struct, frozen=True, kw_only=True):
    """The store's own record: the model its vectors come from, and a re-embedding in progress."""

    kind: str = "meta"
    model: str | None = None
    dimension: int | None = None
    schema: int = SCHEMA_VERSION
    reindex_to: str | None = None  # set while `procsearch reindex` runs (index.reindex)


def chunk_payload(chunk: ChunkRecord) -> dict[str, object]:
    return msgspec.structs.asdict(chunk)


def document_payload(record: DocumentRecord) -> dict[str, object]:
    """The stored document record; `embedded_with` only once a reindex has set it."""
    payload = msgspec.structs.asdict(record)
    if record.embedded_with is None:
        del payload["embedded_with"]
    return payload


def meta_payload(meta: MetaRecord) -> dict[str, object]:
    payload = msgspec.structs.asdict(meta)
    if meta.reindex_to is None:
        del payload["reindex_to"]
    return payload
