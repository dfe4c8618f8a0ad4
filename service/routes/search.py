"""GET and POST /v1/search."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import Parameter

from index.collection import Collection
from index.results import RESULT_WINDOW
from service.errors import error_responses
from service.query_log import QueryLog
from service.routes.deps import require_reader
from service.schemas import (
    SORT_DESCRIPTION,
    UNIT_DESCRIPTION,
    VALUE_DESCRIPTION,
    CpvCode,
    Currency,
    DocType,
    Language,
    Mode,
    Procedure,
    SearchRequest,
    SearchResponse,
    Sort,
    Unit,
)
from service.searching import run_search
from service.settings import Settings


class SearchController(Controller):
    path = "/v1/search"
    tags = ["search"]

    @get(
        sync_to_thread=True,
        summary="Search documents, or passages (query string)",
        responses=error_responses(400, 401, 429, 503),
    )
    def search_get(
        self,
        request: Request,
        collection: Collection,
        settings: Settings,
        query_log: QueryLog,
        q: Annotated[str, Parameter(description="The question or keywords (1–1000 characters).", max_length=1000)],
        k: Annotated[
            int,
            Parameter(ge=1, le=100, description="Results per page (1–100): documents, or passages with unit=passage."),
        ] = 10,
        offset: Annotated[
            int,
            Parameter(ge=0, le=RESULT_WINDOW, description=f"Results to skip, for the next page (0–{RESULT_WINDOW:,})."),
        ] = 0,
        lang: Annotated[list[Language] | None, Parameter(description="Document language(s); repeatable.")] = None,
        doc_type: Annotated[
            list[DocType] | None, Parameter(query="type", description="Document type(s); repeatable.")
        ] = None,
        year_from: Annotated[int | None, Parameter(ge=1900, le=2100, description="Earliest document year.")] = None,
        year_to: Annotated[int | None, Parameter(ge=1900, le=2100, description="Latest document year.")] = None,
        buyer: Annotated[
            list[str] | None, Parameter(description="Buyer(s), as named in the facet counts; repeatable.")
        ] = None,
        cpv: Annotated[
            list[CpvCode] | None, Parameter(description="CPV code(s), each finding its sub-codes; repeatable.")
        ] = None,
        procedure: Annotated[list[Procedure] | None, Parameter(description="Procedure code(s); repeatable.")] = None,
        currency: Annotated[list[Currency] | None, Parameter(description="Currency of the values; repeatable.")] = None,
        value_min: Annotated[float | None, Parameter(ge=0, description="Lowest value. " + VALUE_DESCRIPTION)] = None,
        value_max: Annotated[float | None, Parameter(ge=0, description="Highest value. " + VALUE_DESCRIPTION)] = None,
        deadline_from: Annotated[dt.date | None, Parameter(description="Earliest tender deadline (ISO date).")] = None,
        deadline_to: Annotated[dt.date | None, Parameter(description="Latest tender deadline (ISO date).")] = None,
        mode: Annotated[Mode, Parameter(description="hybrid (default), dense or lexical.")] = "hybrid",
        unit: Annotated[Unit, Parameter(description=UNIT_DESCRIPTION)] = "document",
        sort: Annotated[Sort, Parameter(description=SORT_DESCRIPTION)] = "relevance",
    ) -> SearchResponse:
        require_reader(request, settings)
        return run_search(
            collection,
            SearchRequest(
                q=q,
                k=k,
                offset=offset,
                lang=lang,
                type=doc_type,
                buyer=buyer,
                year_from=year_from,
                year_to=year_to,
                cpv=cpv,
                procedure=procedure,
                currency=currency,
                value_min=value_min,
                value_max=value_max,
                deadline_from=deadline_from,
                deadline_to=deadline_to,
                mode=mode,
                unit=unit,
                sort=sort,
            ),
            query_log,
        )

    @post(
        sync_to_thread=True,
        status_code=200,
        summary="Search documents, or passages (JSON body; filters may be lists)",
        responses=error_responses(400, 401, 415, 429, 503),
        opt={"access": "read"},
    )
    def search_post(
        self, request: Request, collection: Collection, settings: Settings, query_log: QueryLog, data: SearchRequest
    ) -> SearchResponse:
        require_reader(request, settings)
        return run_search(collection, data, query_log)
