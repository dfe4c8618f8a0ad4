"""The search use case: one request checked, searched, logged and answered the same way everywhere.

`GET`/`POST /v1/search`, the search page and `procsearch search` all call `run_search`, so a question asked
through any of them finds the same documents and is refused with the same message.
"""

from __future__ import annotations

from index.collection import Collection
from index.search import search
from service.errors import BadRequest
from service.limits import check_window
from service.query_log import QueryLog, searched_now
from service.responses import search_response
from service.schemas import SearchRequest, SearchResponse
from service.search_filters import search_filters


def run_search(
    collection: Collection, body: SearchRequest, query_log: QueryLog | None = None, source: str = "api"
) -> SearchResponse:
    """The answer to `body`; BadRequest for a request no search can answer (empty, years reversed, too deep).

    The first page of a question is written to `query_log` (when given and on) with `source` saying who asked.
    """
    if not body.q.strip():
        raise BadRequest("the query is empty: send some words in 'q'")
    filters = search_filters(body)
    check_window(body.offset, body.k)
    result = search(
        collection,
        body.q,
        k=body.k,
        offset=body.offset,
        filters=filters,
        mode=body.mode,
        unit=body.unit,
        sort=body.sort,
    )
    search_id = None
    if query_log is not None and query_log.enabled and body.offset == 0:  # a question counts once, not per page
        entry = searched_now(
            query_log,
            body.q,
            language=result.query_language,
            results=result.total_documents,
            source=source,
            lang=filters.languages,
            types=filters.doc_types,
            year_from=body.year_from,
            year_to=body.year_to,
            buyers=filters.buyers,
            cpv=filters.cpv,
            procedures=filters.procedures,
        )
        query_log.record_search(entry)
        search_id = entry.id
    records = collection.records(
        [h.document_id for h in result.hits] + [v for d in result.documents for v in (d.document_id, *d.versions)]
    )
    first_versions = {r.duplicate_of for r in records.values() if r.duplicate_of} - set(records)
    if first_versions:
        records.update(collection.records(sorted(first_versions)))
    response = search_response(result, records, offset=body.offset, k=body.k)
    response.search_id = search_id
    return response
