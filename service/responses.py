"""Index results → API structs; shared by the HTTP handlers and `procsearch search --json`."""

from __future__ import annotations

from typing import Any

from index.cpv import division_label
from index.highlight import highlight
from index.passages import Hit
from index.records import DocumentRecord
from index.search import SearchResult
from ingest.vocabulary import DEFAULT_DOC_TYPE, UNDETERMINED
from service.schemas import DocumentSummary, Facets, Passage, SearchResponse, Version


def document_summary(record: DocumentRecord, **extra: Any) -> DocumentSummary:
    buyer = record.buyer or record.extra.get("buyer")  # an older record names its buyer in `extra` only
    return DocumentSummary(
        id=record.document_id,
        title=record.title,
        doc_type=record.doc_type or DEFAULT_DOC_TYPE,
        language=record.language or UNDETERMINED,
        year=record.year,
        source=record.source,
        pages=record.pages,
        url=f"/v1/documents/{record.document_id}/file",
        extra=dict(record.extra),
        duplicate_of=record.duplicate_of,
        date=record.date[:10] if record.date else None,
        buyer=buyer if isinstance(buyer, str) else None,
        **extra,
    )


def _version(record: DocumentRecord) -> Version:
    return Version(id=record.document_id, title=record.title, source=record.source, year=record.year)


def _passage(hit: Hit, query: str) -> Passage:
    return Passage(
        id=hit.id,
        document_id=hit.document_id,
        text=hit.text,
        highlight=highlight(hit.text, query, language=hit.language),
        page=hit.page,
        page_end=hit.page_end,
        section=hit.section,
        language=hit.language,
        score=round(hit.score, 6),
        ocr=hit.ocr,
    )


def _summaries_by_passage(result: SearchResult, records: dict[str, DocumentRecord]) -> list[DocumentSummary]:
    """unit=passage: each document once, ranked by its best passage; near-duplicates share their first version."""
    grouped: dict[str, list[Hit]] = {}
    for hit in result.hits:
        known = records.get(hit.document_id)
        grouped.setdefault((known and known.duplicate_of) or hit.document_id, []).append(hit)
    documents = []
    for hits in grouped.values():
        doc_id = hits[0].document_id
        record = records.get(doc_id) or DocumentRecord.from_fields(doc_id, hits[0].document)
        others = [records[v] for v in dict.fromkeys(h.document_id for h in hits) if v != doc_id and v in records]
        canonical = record.duplicate_of
        if canonical and canonical in records and canonical not in {o.document_id for o in others}:
            others.insert(0, records[canonical])
        documents.append(
            document_summary(
                record,
                best_page=hits[0].page,
                score=round(hits[0].score, 6),
                passages=[h.id for h in hits],
                versions=[_version(o) for o in others],
            )
        )
    return documents


def _summaries_by_document(result: SearchResult, records: dict[str, DocumentRecord]) -> list[DocumentSummary]:
    documents = []
    for found in result.documents:
        record = records.get(found.document_id) or DocumentRecord.from_fields(found.document_id, found.document)
        others = [records[v] for v in found.versions if v in records]
        best = found.passages[0].page if found.passages else None
        documents.append(
            document_summary(
                record,
                best_page=best,
                score=round(found.score, 6),
                passages=[h.id for h in found.passages],
                versions=[_version(o) for o in others],
            )
        )
    return documents


def search_response(
    result: SearchResult, records: dict[str, DocumentRecord], offset: int = 0, k: int = 10
) -> SearchResponse:
    """The page of documents (or of passages, unit=passage) with the result set's total and facet counts."""
    passages = [_passage(h, result.query) for h in result.hits]
    documents = (
        _summaries_by_passage(result, records) if result.unit == "passage" else _summaries_by_document(result, records)
    )
    return SearchResponse(
        query=result.query,
        mode=result.mode,
        total_documents=result.total_documents,
        took_ms=result.took_ms,
        passages=passages,
        documents=documents,
        query_language=result.query_language,
        unit=result.unit,
        sort=result.sort,
        offset=offset,
        k=k,
        facets=facets(result.facets),
    )


def facets(counts: dict[str, dict[str, int]]) -> Facets:
    """The result set's facet counts, with the official label of each CPV division counted."""
    named = {"cpv_divisions": "cpv_division"}
    divisions = counts.get("cpv_divisions", {})
    labels = {d: {lang: division_label(d, lang) or d for lang in ("en", "fr")} for d in divisions}
    return Facets(**{named.get(k, k): v for k, v in counts.items()}, cpv_division_labels=labels)
