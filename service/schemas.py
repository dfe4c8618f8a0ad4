"""The HTTP edge: msgspec structs, documented field by field for the OpenAPI schema."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

Mode = Literal["hybrid", "dense", "lexical"]
Language = Literal["fr", "en", "de", "es", "it", "nl", "pl", "pt"]
DocType = Literal["guide", "tender", "minutes", "law", "notice", "other"]
Query = Annotated[str, Meta(min_length=1, max_length=1000, description="The question or keywords (1–1000 characters).")]
K = Annotated[int, Meta(ge=1, le=100, description="Number of passages to return (1–100).")]
Offset = Annotated[int, Meta(ge=0, le=10_000, description="Passages to skip, for the next page (0–10,000).")]
Year = Annotated[int, Meta(ge=1900, le=2100)]


class SearchRequest(msgspec.Struct, forbid_unknown_fields=True):
    q: Query
    k: K = 10
    offset: Offset = 0
    lang: Annotated[Language | list[Language] | None, Meta(description="Document language(s).")] = None
    type: Annotated[DocType | list[DocType] | None, Meta(description="Document type(s).")] = None
    year_from: Annotated[Year | None, Meta(description="Earliest document year.")] = None
    year_to: Annotated[Year | None, Meta(description="Latest document year.")] = None
    mode: Annotated[Mode, Meta(description="hybrid (dense + BM25 fused), dense or lexical.")] = "hybrid"


class Passage(msgspec.Struct):
    id: Annotated[str, Meta(description="Passage id (the first chunk's point id).")]
    document_id: Annotated[str, Meta(description="Id of the source document.")]
    text: Annotated[str, Meta(description="The passage as extracted.")]
    highlight: Annotated[str, Meta(description="A short window with query terms in <mark>; HTML-escaped otherwise.")]
    page: Annotated[int, Meta(description="Page (1-based) where the passage starts.")]
    page_end: Annotated[int, Meta(description="Page where it ends.")]
    section: Annotated[str, Meta(description="Heading path, e.g. 'Titre II > Article 14'.")]
    language: Annotated[str, Meta(description="Language of the passage.")]
    score: Annotated[float, Meta(description="Fused score (higher is better; comparable within one response).")]
    ocr: Annotated[bool, Meta(description="Its text was read from a scanned page by OCR (may hold misread "
                                          "characters).")] = False


class Version(msgspec.Struct):
    id: str
    title: str
    source: str
    year: int | None = None


class DocumentSummary(msgspec.Struct):
    id: Annotated[str, Meta(description="Stable document id.")]
    title: str
    doc_type: Annotated[str, Meta(description="guide, tender, minutes, law, notice or other.")]
    language: str
    year: int | None
    source: Annotated[str, Meta(description="Path relative to the ingested folder.")]
    pages: int
    url: Annotated[str, Meta(description="Where to fetch the original file.")]
    best_page: Annotated[int | None, Meta(description="Page of the best passage (open PDFs at url#page=N).")] = None
    score: float | None = None
    passages: Annotated[list[str], Meta(description="Ids of this document's passages in the response.")] = []
    extra: Annotated[dict[str, object], Meta(description="Other metadata (buyer, themes, …).")] = {}
    versions: Annotated[list[Version], Meta(description="Near-duplicate versions of this document (draft/final, "
                                                        "PDF/Markdown), collapsed into this entry.")] = []
    duplicate_of: Annotated[str | None, Meta(description="Id of the first version when this is a near-duplicate.")] = None


class SearchResponse(msgspec.Struct):
    query: str
    mode: str
    total_documents: Annotated[int, Meta(description="Distinct documents among the candidates read for this page "
                                                     "(at least those of the passages returned).")]
    took_ms: float
    passages: list[Passage]
    documents: list[DocumentSummary]
    query_language: Annotated[str | None, Meta(description="Language detected for the query.")] = None


class ChunkInfo(msgspec.Struct):
    index: int
    page: int
    page_end: int
    section: str


class DocumentDetail(msgspec.Struct):
    document: DocumentSummary
    sha256: str
    content_type: str
    chunks: list[ChunkInfo]


class DocumentList(msgspec.Struct):
    total: int
    offset: int
    limit: int
    documents: list[DocumentSummary]


class SimilarResponse(msgspec.Struct):
    document_id: str
    documents: list[DocumentSummary]


class UploadedFile(msgspec.Struct):
    filename: str
    status: Annotated[str, Meta(description="added, updated or unchanged.")]
    document: DocumentSummary


class UploadResponse(msgspec.Struct):
    files: list[UploadedFile]


class Health(msgspec.Struct):
    status: str
    documents: int
    chunks: int
    model: str
    backend: str
    query_cache: Annotated[dict[str, int], Meta(description="LRU cache of query embeddings: size, hits, misses.")]


class ErrorResponse(msgspec.Struct):
    status_code: int
    detail: str
