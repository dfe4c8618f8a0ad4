"""GET and POST /v1/search."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import Parameter

from index.collection import Collection
from index.search import SearchFilters, search
from service.query_log import QueryLog, searched_now
from service.errors import BadRequest, error_responses
from service.limits import check_window
from service.responses import search_response
from service.routes.deps import require_reader
from service.schemas import DocType, Language, Mode, SearchRequest, SearchResponse
from service.settings import Settings


def _tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (str(value),)


def run_search(collection: Collection, body: SearchRequest, query_log: QueryLog | None = None,
               source: str = "api") -> SearchResponse:
    if not body.q.strip():
        raise BadRequest("the query is empty: send some words in 'q'")
    if body.year_from and body.year_to and body.year_from > body.year_to:
        raise BadRequest("year_from is after year_to")
    check_window(body.offset, body.k)
    filters = SearchFilters(languages=_tuple(body.lang), doc_types=_tuple(body.type), year_from=body.year_from,
                            year_to=body.year_to)
    result = search(collection, body.q, k=body.k, offset=body.offset, filters=filters, mode=body.mode)
    search_id = None
    if query_log is not None and query_log.enabled and body.offset == 0:  # a question counts once, not per page
        entry = searched_now(query_log, body.q, language=result.query_language, results=result.total_documents,
                             source=source, lang=filters.languages, types=filters.doc_types,
                             year_from=body.year_from, year_to=body.year_to)
        query_log.record_search(entry)
        search_id = entry.id
    records = collection.records([h.document_id for h in result.hits])
    first_versions = {str(r["duplicate_of"]) for r in records.values() if r.get("duplicate_of")} - set(records)
    if first_versions:
        records.update(collection.records(sorted(first_versions)))
    response = search_response(result, records)
    response.search_id = search_id
    return response


class SearchController(Controller):
    path = "/v1/search"
    tags = ["search"]

    @get(sync_to_thread=True, summary="Search passages (query string)",
         responses=error_responses(400, 401, 429, 503))
    def search_get(
        self, request: Request, collection: Collection, settings: Settings, query_log: QueryLog,
        q: Annotated[str, Parameter(description="The question or keywords (1–1000 characters).", max_length=1000)],
        k: Annotated[int, Parameter(ge=1, le=100, description="Passages to return (1–100).")] = 10,
        offset: Annotated[int, Parameter(ge=0, le=10_000, description="Passages to skip, for the next page (0–10,000).")] = 0,
        lang: Annotated[list[Language] | None, Parameter(description="Document language(s); repeatable.")] = None,
        doc_type: Annotated[list[DocType] | None, Parameter(query="type", description="Document type(s); repeatable.")] = None,
        year_from: Annotated[int | None, Parameter(ge=1900, le=2100, description="Earliest document year.")] = None,
        year_to: Annotated[int | None, Parameter(ge=1900, le=2100, description="Latest document year.")] = None,
        mode: Annotated[Mode, Parameter(description="hybrid (default), dense or lexical.")] = "hybrid",
    ) -> SearchResponse:
        require_reader(request, settings)
        return run_search(collection, SearchRequest(q=q, k=k, offset=offset, lang=lang, type=doc_type,
                                                    year_from=year_from, year_to=year_to, mode=mode), query_log)

    @post(sync_to_thread=True, status_code=200, summary="Search passages (JSON body; filters may be lists)",
          responses=error_responses(400, 401, 415, 429, 503), opt={"access": "read"})
    def search_post(self, request: Request, collection: Collection, settings: Settings, query_log: QueryLog,
                    data: SearchRequest) -> SearchResponse:
        require_reader(request, settings)
        return run_search(collection, data, query_log)
