"""What members ask, for the network's coordinator (admin key): a monthly report, its CSV, and a page.

Also `/open/{document_id}`: the search page's result links pass through it so that the report can
count which documents members open, and at which rank, before the browser is sent on to the file.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.params import Parameter
from litestar.response import Redirect, Response, Template

from service.auth import cookie_key, key_matches, require_admin, require_reader
from service.errors import error_responses
from service.i18n import UI_LANGUAGES, choose_ui, translations
from service.query_log import LoggedOpen, QueryLog, stamp
from service.query_report import MonthReport, month_report, report_csv
from service.settings import Settings

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
LABELS = {
    "fr": {
        "coordinator_title": "Ce que demandent les membres",
        "searches": "recherches",
        "distinct": "questions différentes",
        "unanswered_share": "sans réponse ou faibles",
        "frequent": "Questions les plus fréquentes",
        "unanswered": "Questions sans réponse ou faibles",
        "opened": "Documents les plus ouverts",
        "question": "Question",
        "count": "Fois",
        "results": "Documents trouvés",
        "document": "Document",
        "opens": "Ouvertures",
        "mean_rank": "Rang moyen",
        "csv": "Exporter en CSV",
        "month": "Mois",
        "nothing": "Rien ce mois-ci.",
    },
    "en": {
        "coordinator_title": "What members ask",
        "searches": "searches",
        "distinct": "distinct questions",
        "unanswered_share": "unanswered or weak",
        "frequent": "Most frequent questions",
        "unanswered": "Questions with no or weak results",
        "opened": "Documents most opened",
        "question": "Question",
        "count": "Times",
        "results": "Documents found",
        "document": "Document",
        "opens": "Opens",
        "mean_rank": "Mean rank",
        "csv": "Export as CSV",
        "month": "Month",
        "nothing": "Nothing this month.",
    },
}


def provide_query_log(state: State) -> QueryLog:
    return state.query_log


def require_coordinator(request: Request, settings: Settings) -> None:
    """The admin key, in the Authorization header or, for these read-only pages, in the sign-in cookie."""
    if settings.admin_key and key_matches(cookie_key(request), (settings.admin_key,)):
        return
    require_admin(request, settings)


def _month(month: str | None) -> str:
    return month or datetime.now(UTC).strftime("%Y-%m")


class CoordinatorController(Controller):
    path = "/v1/admin/queries"
    tags = ["coordinator"]

    @get(
        sync_to_thread=True,
        summary="A month of members' questions: frequent, unanswered, documents opened",
        responses=error_responses(400, 401, 403),
    )
    def report(
        self,
        request: Request,
        settings: Settings,
        query_log: QueryLog,
        month: Annotated[str | None, Parameter(pattern=MONTH, description="YYYY-MM; default this month")] = None,
    ) -> MonthReport:
        require_coordinator(request, settings)
        return month_report(query_log, _month(month))

    @get(
        "/csv",
        sync_to_thread=True,
        media_type="text/csv; charset=utf-8",
        summary="The same report as CSV (one row per question or document)",
        responses=error_responses(400, 401, 403),
    )
    def report_as_csv(
        self,
        request: Request,
        settings: Settings,
        query_log: QueryLog,
        month: Annotated[str | None, Parameter(pattern=MONTH, description="YYYY-MM")] = None,
    ) -> Response[str]:
        require_coordinator(request, settings)
        chosen = _month(month)
        return Response(
            report_csv(month_report(query_log, chosen)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="questions-{chosen}.csv"'},
        )


@get("/coordinator", sync_to_thread=True, include_in_schema=False, name="coordinator-page")
def coordinator_page(request: Request, settings: Settings, query_log: QueryLog, month: str | None = None) -> Template:
    explicit = request.query_params.get("ui")
    ui = choose_ui(explicit if explicit in UI_LANGUAGES else None, request.headers.get("accept-language"))
    common = translations(ui)
    t = {**common["t"], **LABELS[ui]}  # type: ignore[dict-item]
    context: dict[str, object] = {
        **common,
        "t": t,
        "ui": ui,
        "switch": [],
        "home_url": "/",
        "title": t["coordinator_title"],
    }
    try:
        require_coordinator(request, settings)
    except (NotAuthorizedException, PermissionDeniedException) as exc:
        return Template(
            template_name="message.html", context={**context, "message": exc.detail}, status_code=exc.status_code
        )
    chosen = month if month and re.fullmatch(MONTH, month) else _month(None)
    return Template(
        template_name="coordinator.html",
        context={**context, "report": month_report(query_log, chosen), "month": chosen},
    )


@get("/open/{document_id:str}", sync_to_thread=True, include_in_schema=False, name="open-result")
def open_result(
    request: Request, settings: Settings, query_log: QueryLog, document_id: str, s: str = "", r: int = 0, to: str = ""
) -> Redirect:
    """Count the opening of a result, then send the browser on; only to a path of this service."""
    require_reader(request, settings)
    target = (
        to
        if to.startswith(f"/v1/documents/{document_id}") and "//" not in to
        else (f"/v1/documents/{document_id}/file")
    )
    if s and re.fullmatch(r"[0-9a-f]{16}", s) and 0 < r <= 10_000:
        query_log.record_open(LoggedOpen(search_id=s, time=stamp(), document_id=document_id, rank=r))
    return Redirect(path=target, status_code=303)
