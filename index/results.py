"""What a search returns, and how a result set is filtered, counted by facet and sorted.

The document is the unit of a result page: a result set is the distinct documents behind the
best `POOL` fused chunks (near-duplicate versions folded into their first version), ranked by
their best chunk. Filters are applied to that ranking rather than inside it, so that a filter
never changes the relative order of the documents it keeps (see `index.search`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from index.passages import Hit
from index.store import Where
from index.tender_payload import TENDER_KEYS

UNITS = ("document", "passage")
SORTS = ("relevance", "date")
PASSAGES_PER_DOCUMENT = 3  # best passages shown with each document of a page
RESULT_WINDOW = 200  # offset + k at most: deeper pages cost more than 3 first pages (docs/security.md)
FACETS = ("doc_type", "language", "year", "buyer", "cpv_divisions", "procedure")
# the filter each facet leaves out of its own counts (see facet_counts)
FACET_FILTERS = {"doc_type": "doc_type", "language": "language", "year": "year", "buyer": "buyer"}
FACET_FILTERS |= {"cpv_divisions": "cpv", "procedure": "procedure"}
# Payload keys read for every chunk of the pool: what grouping, filters, facets and sorting need. Not the
# text, title or source, read for a page's chunks only (payload reading is most of a query's cost).
LIGHT_KEYS = ["document_id", "index", "doc_type", "language", "year", "date", "buyer", *TENDER_KEYS]


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

    def admits(self, payload: dict[str, object], skip: str = "") -> bool:
        """Whether a chunk's payload passes every condition (but the facet `skip`), as the store's filter would."""
        year = payload.get("year")
        amounts = payload.get("amounts") or []
        checks = {
            "language": not self.languages or payload.get("language") in self.languages,
            "doc_type": not self.doc_types or payload.get("doc_type") in self.doc_types,
            "buyer": not self.buyers or payload.get("buyer") in self.buyers,
            "year": (self.year_from is None or (isinstance(year, int) and year >= self.year_from))
            and (self.year_to is None or (isinstance(year, int) and year <= self.year_to)),
            "ids": (not self.document_ids or payload.get("document_id") in self.document_ids)
            and payload.get("document_id") not in self.exclude_document_ids,
            "cpv": not self.cpv or bool(set(self.cpv) & set(payload.get("cpv_prefixes") or [])),
            "procedure": not self.procedures or payload.get("procedure") in self.procedures,
            "currency": not self.currencies or bool(set(self.currencies) & set(payload.get("currencies") or [])),
            "value": (self.value_min is None and self.value_max is None)
            or any(_within(a, self.value_min, self.value_max) for a in amounts),  # type: ignore[union-attr]
            "deadline": (self.deadline_from is None and self.deadline_to is None)
            or _within(payload.get("deadline_day"), self.deadline_from, self.deadline_to),
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
    document: dict[str, object]  # title, doc_type, language, year, date, buyer, source (from the chunk payload)
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
    unit: str = "document"
    sort: str = "relevance"


def facet_counts(documents: list[dict[str, object]], filters: SearchFilters) -> dict[str, dict[str, int]]:
    """Documents per value of each facet, over the result set with every filter but that facet's own applied.

    So the counts beside a filter's choices say what ticking one more would add, and a ticked
    choice's count is what the page's total says. `documents` are the result set's documents
    before filtering (their chunk payloads).
    """
    out: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        counts: Counter[str] = Counter()
        for d in documents:
            value = d.get(facet)
            if value in (None, "", []) or not filters.admits(d, skip=FACET_FILTERS[facet]):
                continue
            counts.update(str(v) for v in dict.fromkeys(value if isinstance(value, list) else [value]))
        out[facet] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return out


def date_key(document: dict[str, object]) -> str:
    """A sortable date: the document's own date (ISO), else its year; '' when it carries neither."""
    date = document.get("date")
    if date:
        return str(date)[:10]
    year = document.get("year")
    return f"{year}" if year else ""


def sort_documents(ranked: list[str], payloads: dict[str, dict[str, object]], sort: str) -> list[str]:
    """`ranked` document ids by relevance (as given), or newest first with undated ones last, relevance on ties."""
    if sort == "relevance":
        return ranked
    if sort != "date":
        raise ValueError(f"unknown sort '{sort}': use one of {', '.join(SORTS)}")
    dated = [d for d in ranked if date_key(payloads[d])]
    undated = [d for d in ranked if not date_key(payloads[d])]
    return sorted(dated, key=lambda d: date_key(payloads[d]), reverse=True) + undated
