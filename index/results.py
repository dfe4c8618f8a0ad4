"""What a search returns, and how a result set is filtered, counted by facet and sorted.

The document is the unit of a result page: a result set is the distinct documents behind the
best `POOL` fused chunks (near-duplicate versions folded into their first version), ranked by
their best chunk. Filters are applied to that ranking rather than inside it, so that a filter
never changes the relative order of the documents it keeps (see `index.search`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal, get_args

from index.passages import Hit
from index.records import ChunkKeys, DocumentFields
from index.store import Where

Unit = Literal["document", "passage"]
UNITS: tuple[Unit, ...] = get_args(Unit)
Sort = Literal["relevance", "date"]
SORTS: tuple[Sort, ...] = get_args(Sort)
PASSAGES_PER_DOCUMENT = 3  # best passages shown with each document of a page
RESULT_WINDOW = 200  # offset + k at most: deeper pages cost more than 3 first pages (docs/security.md)
FACETS = ("doc_type", "language", "year", "buyer", "cpv_divisions", "procedure")
# the filter each facet leaves out of its own counts (see facet_counts)
FACET_FILTERS = {"doc_type": "doc_type", "language": "language", "year": "year", "buyer": "buyer"}
FACET_FILTERS |= {"cpv_divisions": "cpv", "procedure": "procedure"}


@dataclass(frozen=True)
class SearchFilters:
    languages: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    buyers: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    document_ids: tuple[str, ...] = ()
    exclude_document_ids: tuple[str, ...] = ()
    cpv: tuple[str, ...] = ()  # significant prefixes (index.cpv.significant_prefix): a code finds its sub-codes
    procedures: tuple[str, ...] = ()
    currencies: tuple[str, ...] = ()
    value_min: float | None = None  # some amount of the document within, in its own currency (tender_payload)
    value_max: float | None = None
    deadline_from: int | None = None  # YYYYMMDD
    deadline_to: int | None = None

    def where(self, kind: str = "chunk") -> Where:
        return Where(
            kind=kind,
            live=True,
            languages=self.languages,
            doc_types=self.doc_types,
            buyers=self.buyers,
            year_from=self.year_from,
            year_to=self.year_to,
            document_ids=self.document_ids,
            exclude_document_ids=self.exclude_document_ids,
            cpv_prefixes=self.cpv,
            procedures=self.procedures,
            currencies=self.currencies,
            value_min=self.value_min,
            value_max=self.value_max,
            deadline_from=self.deadline_from,
            deadline_to=self.deadline_to,
        )

    @property
    def active(self) -> bool:
        return self != SearchFilters()

    def admits(self, chunk: ChunkKeys, skip: str = "") -> bool:
        """Whether a chunk passes every condition (but the facet `skip`), as the store's filter would."""
        year = chunk.year
        checks = {
            "language": not self.languages or chunk.language in self.languages,
            "doc_type": not self.doc_types or chunk.doc_type in self.doc_types,
            "buyer": not self.buyers or chunk.buyer in self.buyers,
            "year": (self.year_from is None or (year is not None and year >= self.year_from))
            and (self.year_to is None or (year is not None and year <= self.year_to)),
            "ids": (not self.document_ids or chunk.document_id in self.document_ids)
            and chunk.document_id not in self.exclude_document_ids,
            "cpv": not self.cpv or bool(set(self.cpv) & set(chunk.cpv_prefixes)),
            "procedure": not self.procedures or chunk.procedure in self.procedures,
            "currency": not self.currencies or bool(set(self.currencies) & set(chunk.currencies)),
            "value": (self.value_min is None and self.value_max is None)
            or any(_within(a, self.value_min, self.value_max) for a in chunk.amounts),
            "deadline": (self.deadline_from is None and self.deadline_to is None)
            or _within(chunk.deadline_day, self.deadline_from, self.deadline_to),
        }
        return all(ok for key, ok in checks.items() if key != skip)


def _within(value: object, low: float | None, high: float | None) -> bool:
    """Whether a number lies in [low, high] (an open end is no bound), as Qdrant's range condition decides."""
    if not isinstance(value, int | float):
        return False
    return (low is None or value >= low) and (high is None or value <= high)


@dataclass(frozen=True)
class DocumentHit:
    """One document of a result page: its best passages, and the versions folded into it."""

    document_id: str
    score: float  # its best chunk's fused score
    passages: list[Hit]
    document: DocumentFields  # from its best chunk
    versions: tuple[str, ...] = ()  # ids of near-duplicate versions of this document in the result set


@dataclass(frozen=True)
class SearchResult:
    query: str
    mode: str
    hits: list[Hit]  # the page's passages: `k` of them (unit=passage), or the documents' passages in order
    total_documents: int  # documents in the whole result set (after filters): the same on every page
    took_ms: float
    query_language: str | None
    documents: list[DocumentHit] = field(default_factory=list)  # the page's documents, in order
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # facet → value → documents
    unit: Unit = "document"
    sort: Sort = "relevance"


def facet_values(chunk: ChunkKeys) -> dict[str, object]:
    """A chunk's value for each facet of FACETS."""
    return {
        "doc_type": chunk.doc_type,
        "language": chunk.language,
        "year": chunk.year,
        "buyer": chunk.buyer,
        "cpv_divisions": chunk.cpv_divisions,
        "procedure": chunk.procedure,
    }


def facet_counts(documents: list[ChunkKeys], filters: SearchFilters) -> dict[str, dict[str, int]]:
    """Documents per value of each facet, over the result set with every filter but that facet's own applied.

    So the counts beside a filter's choices say what ticking one more would add, and a ticked
    choice's count is what the page's total says. `documents` are the result set's documents
    before filtering (their best chunks).
    """
    out: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        counts: Counter[str] = Counter()
        for d in documents:
            value = facet_values(d)[facet]
            if value in (None, "", []) or not filters.admits(d, skip=FACET_FILTERS[facet]):
                continue
            counts.update(str(v) for v in dict.fromkeys(value if isinstance(value, list) else [value]))
        out[facet] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return out


def date_key(document: ChunkKeys | DocumentFields) -> str:
    """A sortable date: the document's own date (ISO), else its year; '' when it carries neither."""
    if document.date:
        return document.date[:10]
    return f"{document.year}" if document.year else ""


def sort_documents(ranked: list[str], payloads: dict[str, ChunkKeys], sort: str) -> list[str]:
    """`ranked` document ids by relevance (as given), or newest first with undated ones last, relevance on ties."""
    if sort == "relevance":
        return ranked
    if sort != "date":
        raise ValueError(f"unknown sort '{sort}': use one of {', '.join(SORTS)}")
    dated = [d for d in ranked if date_key(payloads[d])]
    undated = [d for d in ranked if not date_key(payloads[d])]
    return sorted(dated, key=lambda d: date_key(payloads[d]), reverse=True) + undated
