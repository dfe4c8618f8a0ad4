"""The HTTP edge: msgspec structs, documented field by field for the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from index.results import PASSAGES_PER_DOCUMENT, RESULT_WINDOW, Sort, Unit
from ingest.fields.record import Procedure
from ingest.vocabulary import DocType, Language, Mode

Query = Annotated[str, Meta(min_length=1, max_length=1000, description="The question or keywords (1–1000 characters).")]
K = Annotated[
    int, Meta(ge=1, le=100, description="Results per page (1–100): documents, or passages with unit=passage.")
]
Offset = Annotated[
    int,
    Meta(
        ge=0,
        le=RESULT_WINDOW,
        description=f"Results to skip, for the next page "
        f"(0–{RESULT_WINDOW:,}): documents, or passages "
        "with unit=passage.",
    ),
]
UNIT_DESCRIPTION = (
    f"document (default): `k` documents a page, each with its best passages (up to "
    f"{PASSAGES_PER_DOCUMENT}), never repeated across pages; passage: `k` passages ranked across "
    "documents, for tools that want the passage list."
)
SORT_DESCRIPTION = "relevance (default) or date: newest first by the document's date, else its year; undated last."
HIGHLIGHT_DESCRIPTION = (
    "About 40 words of the passage around its densest run of query terms, as HTML: the text is escaped and "
    "the only markup is <mark>…</mark> around whole words that share a stem with a query word in the "
    "passage's language ('cities' marks 'city', not 'cités'; 'use' does not mark 'single-use'). Markdown "
    "syntax (#, **, [text](url), list markers, table rules) is left out; '…' marks a cut. Insert it as is."
)
Year = Annotated[int, Meta(ge=1900, le=2100)]
CpvCode = Annotated[
    str,
    Meta(
        pattern=r"^\d{2,8}(-\d)?$",
        description="A CPV code (39100000 or 39100000-3); it finds its sub-codes (39100000 finds 39110000).",
    ),
]
Currency = Annotated[str, Meta(pattern=r"^[A-Z]{3}$", description="An ISO 4217 code (EUR, GBP, USD).")]
Amount = Annotated[float, Meta(ge=0)]
VALUE_DESCRIPTION = (
    "A document matches when one of its stated values (estimated, maximum or awarded) lies in the range, in that "
    "value's own currency: amounts are not converted, so add `currency` to compare one currency only."
)


class SearchRequest(msgspec.Struct, forbid_unknown_fields=True):
    q: Query
    k: K = 10
    offset: Offset = 0
    lang: Annotated[Language | list[Language] | None, Meta(description="Document language(s).")] = None
    type: Annotated[DocType | list[DocType] | None, Meta(description="Document type(s).")] = None
    buyer: Annotated[str | list[str] | None, Meta(description="Buyer(s), as named in the facet counts.")] = None
    year_from: Annotated[Year | None, Meta(description="Earliest document year.")] = None
    year_to: Annotated[Year | None, Meta(description="Latest document year.")] = None
    cpv: Annotated[CpvCode | list[CpvCode] | None, Meta(description="CPV code(s); each finds its sub-codes.")] = None
    procedure: Annotated[Procedure | list[Procedure] | None, Meta(description="Procedure code(s).")] = None
    currency: Annotated[Currency | list[Currency] | None, Meta(description="Currency of the values.")] = None
    value_min: Annotated[Amount | None, Meta(description="Lowest value. " + VALUE_DESCRIPTION)] = None
    value_max: Annotated[Amount | None, Meta(description="Highest value. " + VALUE_DESCRIPTION)] = None
    deadline_from: Annotated[dt.date | None, Meta(description="Earliest tender deadline (ISO date).")] = None
    deadline_to: Annotated[dt.date | None, Meta(description="Latest tender deadline (ISO date).")] = None
    mode: Annotated[Mode, Meta(description="hybrid (dense + BM25 fused), dense or lexical.")] = "hybrid"
    unit: Annotated[Unit, Meta(description=UNIT_DESCRIPTION)] = "document"
    sort: Annotated[Sort, Meta(description=SORT_DESCRIPTION)] = "relevance"


class Passage(msgspec.Struct):
    id: Annotated[str, Meta(description="Passage id (the first chunk's point id).")]
    document_id: Annotated[str, Meta(description="Id of the source document.")]
    text: Annotated[str, Meta(description="The passage as extracted.")]
    highlight: Annotated[str, Meta(description=HIGHLIGHT_DESCRIPTION)]
    page: Annotated[int, Meta(description="Page (1-based) where the passage starts.")]
    page_end: Annotated[int, Meta(description="Page where it ends.")]
    section: Annotated[str, Meta(description="Heading path, e.g. 'Titre II > Article 14'.")]
    language: Annotated[str, Meta(description="Language of the passage.")]
    score: Annotated[float, Meta(description="Fused score (higher is better; comparable within one response).")]
    ocr: Annotated[
        bool, Meta(description="Its text was read from a scanned page by OCR (may hold misread characters).")
    ] = False


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
    versions: Annotated[
        list[Version],
        Meta(
            description="Near-duplicate versions of this document (draft/final, "
            "PDF/Markdown), collapsed into this entry."
        ),
    ] = []
    duplicate_of: Annotated[str | None, Meta(description="Id of the first version when this is a near-duplicate.")] = (
        None
    )
    date: Annotated[
        str | None,
        Meta(description="The document's own date (ISO, from its catalog entry or front matter), when it carries one."),
    ] = None
    buyer: Annotated[str | None, Meta(description="The buyer its catalog entry or front matter names.")] = None


class Facets(msgspec.Struct):
    """Documents of the whole result set per value, each facet counted with the other facets' filters applied."""

    doc_type: dict[str, int] = {}
    language: dict[str, int] = {}
    year: Annotated[dict[str, int], Meta(description="Keys are years as strings.")] = {}
    buyer: dict[str, int] = {}
    cpv_division: Annotated[
        dict[str, int], Meta(description="CPV divisions (the codes' first two digits) of the documents' tender fields.")
    ] = {}
    procedure: dict[str, int] = {}
    cpv_division_labels: Annotated[
        dict[str, dict[str, str]],
        Meta(description="The official CPV 2008 label of each division counted, by language: {'45': {'en', 'fr'}}."),
    ] = {}


class SearchResponse(msgspec.Struct):
    query: str
    mode: str
    total_documents: Annotated[
        int,
        Meta(
            description="Documents in the whole result set, after filters (near-"
            "duplicate versions counted once): the same on every page. "
            "0 when nothing is relevant: the query's terms match no "
            "passage and no passage is near it in meaning."
        ),
    ]
    took_ms: float
    passages: Annotated[
        list[Passage],
        Meta(
            description="unit=document: the page's documents' best passages, in "
            "document order; unit=passage: the page of passages."
        ),
    ]
    documents: Annotated[
        list[DocumentSummary],
        Meta(
            description="unit=document: the page of documents; "
            "unit=passage: the passages' documents, each "
            "once, ranked by its best passage."
        ),
    ]
    query_language: Annotated[str | None, Meta(description="Language detected for the query.")] = None
    unit: Unit = "document"
    sort: Sort = "relevance"
    offset: int = 0
    k: int = 10
    facets: Facets = msgspec.field(default_factory=Facets)
    search_id: Annotated[
        str | None,
        Meta(
            description="Identifies this search in the query log (first pages only), "
            "so that a client can report which result was opened."
        ),
    ] = None


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


class AwardCriterion(msgspec.Struct, omit_defaults=True):
    name: Annotated[str, Meta(description="As the document writes it.")]
    category: Annotated[str, Meta(description="price, cost, quality, technical, environment, social, delivery, other.")]
    weight: Annotated[float | None, Meta(description="Its weight, in percent or points as the document gives it.")] = (
        None
    )


class SharedCpv(msgspec.Struct):
    code: Annotated[str, Meta(description="The deepest CPV prefix both documents reach ('4523': a class of both).")]
    division: str
    label_en: Annotated[str, Meta(description="Official CPV 2008 label of the division, English.")]
    label_fr: Annotated[str, Meta(description="Official CPV 2008 label of the division, French.")]


class PrecedentNote(msgspec.Struct):
    """Why a document is a precedent, and its award criteria to set beside the source's."""

    id: Annotated[str, Meta(description="The precedent's id (the same order as `documents`).")]
    same_procurement: Annotated[bool, Meta(description="Another document of the same purchase (draft, award…).")]
    shared_cpv: Annotated[list[SharedCpv], Meta(description="CPV prefixes both reach, deepest only.")] = []
    same_buyer: bool = False
    shared_criteria: Annotated[list[str], Meta(description="Award-criterion categories both use.")] = []
    criteria: Annotated[list[AwardCriterion], Meta(description="The precedent's award criteria.")] = []


class SimilarResponse(msgspec.Struct):
    document_id: str
    documents: list[DocumentSummary]
    criteria: Annotated[list[AwardCriterion], Meta(description="The source document's award criteria.")] = []
    precedents: Annotated[
        list[PrecedentNote], Meta(description="Why each of `documents` is similar, in the same order.")
    ] = []


class UploadedFile(msgspec.Struct):
    filename: str
    status: Annotated[
        Literal["added", "updated", "unchanged", "failed"],
        Meta(
            description="What happened to this file: added, updated (the same path replaced), unchanged, or failed "
            "(then `reason` says why and nothing of this file was kept)."
        ),
    ]
    path: Annotated[
        str,
        Meta(
            description="The document's path: uploads/, the folder field, the file's own "
            "relative path. The same path replaces; another path never does."
        ),
    ] = ""
    document: DocumentSummary | None = None
    reason: str | None = None
    code: Annotated[int | None, Meta(description="For a failed file: the HTTP status it would get alone.")] = None


class UploadResponse(msgspec.Struct):
    files: Annotated[list[UploadedFile], Meta(description="One entry per file, in the order sent.")]


class Health(msgspec.Struct, omit_defaults=True):
    """Only `status` for an anonymous caller when read keys are required (PROCSEARCH_API_KEYS)."""

    status: str
    documents: int | None = None
    chunks: int | None = None
    model: str | None = None
    backend: str | None = None
    query_cache: Annotated[
        dict[str, int] | None, Meta(description="LRU cache of query embeddings: size, hits, misses.")
    ] = None


class ErrorResponse(msgspec.Struct):
    status_code: int
    detail: str
