"""Index results → API structs; shared by the HTTP handlers and `procsearch search --json`."""

from __future__ import annotations

from index.highlight import highlight
from index.search import SearchResult
from service.schemas import DocumentSummary, Passage, SearchResponse, Version


def document_summary(record: dict[str, object], **extra: object) -> DocumentSummary:
    doc_id = str(record["document_id"])
    return DocumentSummary(
        id=doc_id, title=str(record.get("title") or ""), doc_type=str(record.get("doc_type") or "other"),
        language=str(record.get("language") or "und"), year=record.get("year"), source=str(record.get("source")),
        pages=int(record.get("pages") or 0), url=f"/v1/documents/{doc_id}/file",
        extra=dict(record.get("extra") or {}), duplicate_of=record.get("duplicate_of"), **extra)


def _version(record: dict[str, object]) -> Version:
    return Version(id=str(record["document_id"]), title=str(record.get("title") or ""),
                   source=str(record.get("source")), year=record.get("year"))


def search_response(result: SearchResult, records: dict[str, dict[str, object]]) -> SearchResponse:
    """Passages ranked across documents, and each document once, ranked by its best passage."""
    passages = [Passage(id=h.id, document_id=h.document_id, text=h.text, highlight=highlight(h.text, result.query),
                        page=h.page, page_end=h.page_end, section=h.section, language=h.language,
                        score=round(h.score, 6), ocr=h.ocr) for h in result.hits]
    grouped: dict[str, list] = {}  # near-duplicate versions share one entry, keyed by their first version
    for hit in result.hits:
        record = records.get(hit.document_id) or {}
        grouped.setdefault(str(record.get("duplicate_of") or hit.document_id), []).append(hit)
    documents = []
    for hits in grouped.values():
        doc_id = hits[0].document_id
        record = records.get(doc_id) or {"document_id": doc_id, **hits[0].document}
        others = [records[v] for v in dict.fromkeys(h.document_id for h in hits) if v != doc_id and v in records]
        canonical = record.get("duplicate_of")
        if canonical and canonical in records and canonical not in {str(o["document_id"]) for o in others}:
            others.insert(0, records[canonical])
        documents.append(document_summary(record, best_page=hits[0].page, score=round(hits[0].score, 6),
                                          passages=[h.id for h in hits], versions=[_version(o) for o in others]))
    return SearchResponse(query=result.query, mode=result.mode, total_documents=result.total_documents,
                          took_ms=result.took_ms, passages=passages, documents=documents,
                          query_language=result.query_language)
