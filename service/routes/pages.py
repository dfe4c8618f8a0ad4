"""The search page for members (`/`) and the similar-documents page (`/similar/{id}`).

Server-rendered HTML over the very functions the JSON API calls (`run_search`, `similar_documents`), so a
page and `GET /v1/search` with the same parameters find the same passages. The URL carries the whole search
(`/?q=...&type=tender&ui=fr`), so an answer from the helpdesk can link to it. No JavaScript.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import msgspec
from litestar import Request, get
from litestar.exceptions import NotAuthorizedException
from litestar.response import Template

from index.collection import Collection
from index.search import SearchFilters
from index.similar import find_precedents
from ingest.errors import ModelError, NotFoundError, StoreError
from ingest.vocabulary import DEFAULT_MODE, DOC_TYPES, MAIN_LANGUAGES, MODES
from service.errors import BadRequest
from service.i18n import NATIVE_NAMES, UI_LANGUAGES, choose_ui, translations
from service.limits import MAX_RESULT_WINDOW
from service.query_log import QueryLog
from service.responses import document_summary
from service.routes.deps import require_reader
from service.routes.view import view_url
from service.schemas import DocumentSummary, SearchRequest, SearchResponse
from service.searching import run_search
from service.settings import Settings
from service.signin import render_signin
from service.tender_form import TENDER_KEYS, tender_form, tender_request
from service.tender_view import criteria_side_by_side, tender_view, why_similar

log = logging.getLogger(__name__)

PAGE_K = 10  # documents per page, as the API's default
SIMILAR_POOL = 30  # similar_documents cuts off the weak ones and ranks same-type first; grouped by type
SIMILAR_PER_TYPE = 5
FILTER_KEYS = ("lang", "type", "buyer", "year_from", "year_to", *TENDER_KEYS)
SEARCH_KEYS = ("q", "lang", "type", "buyer", "year_from", "year_to", *TENDER_KEYS, "mode", "k", "sort")
SORT_CHOICES = ("relevance", "date")
TYPE_CHOICES: tuple[str, ...] = DOC_TYPES
LANGUAGE_CHOICES: tuple[str, ...] = MAIN_LANGUAGES  # offered always; another language once it is asked for


def _params(request: Request) -> list[tuple[str, str]]:
    return [(key, value) for key, value in request.query_params.multi_items()]


def _query_lists(request: Request) -> dict[str, list[str]]:
    """Every query key with all its values."""
    out: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        out.setdefault(key, []).append(value)
    return out


def _url(path: str, params: list[tuple[str, str]], **replace: str | None) -> str:
    """`path?params` with some keys replaced (None drops them) and empty values left out."""
    kept = [(k, v) for k, v in params if k not in replace and v != ""]
    kept += [(k, v) for k, v in replace.items() if v is not None]
    return path + ("?" + urlencode(kept) if kept else "")


def _ui(request: Request) -> tuple[str, str | None]:
    explicit = request.query_params.get("ui")
    explicit = explicit if explicit in UI_LANGUAGES else None
    return choose_ui(explicit, request.headers.get("accept-language")), explicit


def _common(request: Request, ui: str, explicit: str | None) -> dict[str, object]:
    params = _params(request)
    switch = [
        {
            "code": code,
            "name": NATIVE_NAMES[code],
            "current": code == ui,
            "url": _url(request.url.path, params, ui=code),
        }
        for code in UI_LANGUAGES
    ]
    return {
        "ui": ui,
        "ui_param": explicit,
        "switch": switch,
        "home_url": _url("/", [], ui=explicit),
        **translations(ui),
    }


def _is_pdf(doc: DocumentSummary) -> bool:
    return doc.source.lower().endswith(".pdf")


def open_url(doc: DocumentSummary, page: int | None, section: str | None = None) -> str:
    """Markdown and text: the rendered page at `section`; others: the original file, at `page` for PDFs."""
    view = view_url(doc.id, doc.source, section)
    if view:
        return view
    return f"{doc.url}#page={page}" if page and _is_pdf(doc) else doc.url


def _versions(doc: DocumentSummary) -> list[dict[str, str | None]]:
    """Near-duplicate versions (`versions`, else `extra.versions`: ids, or dicts with id/title/year/source)."""
    raw = [{"id": v.id, "title": v.title, "year": v.year} for v in doc.versions] or doc.extra.get("versions")
    if not isinstance(raw, list):
        return []
    out = []
    for item in raw:
        if isinstance(item, dict):
            ident = item.get("id") or item.get("document_id")
            label = item.get("title") or item.get("source") or ident or ""
            year = item.get("year")
            out.append(
                {
                    "label": f"{label} ({year})" if year else str(label),
                    "url": f"/v1/documents/{ident}/file" if ident else None,
                }
            )
        elif item:
            out.append({"label": str(item), "url": None})
    return out


def _card(
    doc: DocumentSummary,
    explicit_ui: str | None,
    passages: list[dict[str, object]] | None = None,
    ui: str = "en",
) -> dict[str, object]:
    buyer = doc.buyer or doc.extra.get("buyer")
    return {
        "doc": doc,
        "is_pdf": _is_pdf(doc),
        "open_url": open_url(doc, doc.best_page),
        "best_page": doc.best_page if _is_pdf(doc) else None,
        "buyer": str(buyer) if buyer else None,
        "date": doc.date or (str(doc.year) if doc.year else None),
        "similar_url": _url(f"/similar/{doc.id}", [], ui=explicit_ui),
        "versions": _versions(doc),
        "passages": passages or [],
        "tender": tender_view(doc.extra, ui),
    }


def _error_message(exc: msgspec.ValidationError) -> str:
    """msgspec's 'Expected … - at `$.q`' as the API words it: 'q: Expected …'."""
    text = str(exc)
    if " - at `$." in text:
        message, where = text.rsplit(" - at `$.", 1)
        return f"{where.rstrip('`').split('[')[0]}: {message}"
    return text


def _int_field(raw: str | None, key: str, t: dict[str, str]) -> int | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        return int(raw.strip())
    except ValueError:
        template = t["error_bad_k"] if key == "k" else t["error_bad_year"]
        raise BadRequest(f"{key}: " + template.format(value=raw)) from None


def _render(template: str, context: dict[str, object], status: int = 200) -> Template:
    return Template(
        template_name=template, context=context, status_code=status, headers={"Content-Language": str(context["ui"])}
    )


def _authorised(request: Request, settings: Settings, context: dict[str, object]) -> Template | None:
    try:
        require_reader(request, settings)
    except NotAuthorizedException:
        return render_signin(request, status=401)  # the sign-in form, back to this page once signed in
    return None


def _counted(url: str, doc: DocumentSummary, rank: int, response: SearchResponse) -> str:
    """The link through /open, which counts the opening for the coordinator's report, when the search was logged."""
    if not response.search_id:
        return url
    return f"/open/{doc.id}?" + urlencode({"s": response.search_id, "r": rank, "to": url})


def _results(
    response: SearchResponse,
    body: SearchRequest,
    params: list[tuple[str, str]],
    explicit: str | None,
    t: dict[str, str],
    ui: str = "en",
) -> dict[str, object]:
    """The page's result cards, summary and pager: `k` documents a page, each with its best passages."""
    by_id = {p.id: p for p in response.passages}
    groups = []
    for rank, doc in enumerate(response.documents, start=body.offset + 1):
        passages = []
        for pid in doc.passages:
            p = by_id[pid]
            passages.append(
                {
                    "p": p,
                    "open_url": _counted(open_url(doc, p.page, p.section), doc, rank, response),
                    "page_label": (
                        t["page"].format(n=p.page)
                        if p.page == p.page_end
                        else t["pages_range"].format(n=p.page, m=p.page_end)
                    ),
                }
            )
        groups.append(_card(doc, explicit, passages, ui))
    nav = {}
    if body.offset > 0:
        nav["prev_url"] = _url("/", params, offset=str(max(0, body.offset - body.k)) or None)
    if body.offset + len(groups) < response.total_documents and body.offset + 2 * body.k <= MAX_RESULT_WINDOW:
        nav["next_url"] = _url("/", params, offset=str(body.offset + body.k))
    summary = (t["summary_one_doc"] if response.total_documents == 1 else t["summary"]).format(
        total=response.total_documents,
        first=body.offset + 1,
        last=body.offset + len(groups),
        ms=round(response.took_ms),
    )
    return {
        "response": response,
        "groups": groups,
        "summary": summary,
        "has_filters": any(k in FILTER_KEYS for k, v in params if v),
        "without_filters_url": _url("/", [(k, v) for k, v in params if k not in FILTER_KEYS], offset=None),
        **nav,
    }


@get("/", sync_to_thread=True, include_in_schema=False, name="search-page")
def search_page(request: Request, collection: Collection, settings: Settings, query_log: QueryLog) -> Template:
    ui, explicit = _ui(request)
    context = _common(request, ui, explicit)
    if (denied := _authorised(request, settings, context)) is not None:
        return denied
    t: dict[str, str] = context["t"]  # type: ignore[assignment]
    qp = request.query_params
    q = qp.get("q") or ""
    langs = [v for v in qp.getall("lang", []) if v]
    types = [v for v in qp.getall("type", []) if v]
    buyers = [v for v in qp.getall("buyer", []) if v]
    mode = qp.get("mode") or DEFAULT_MODE
    sort = qp.get("sort") or "relevance"
    form: dict[str, object] = {
        "q": q,
        "langs": langs,
        "types": types,
        "buyers": buyers,
        "year_from": qp.get("year_from") or "",
        "year_to": qp.get("year_to") or "",
        "mode": mode,
        "k": qp.get("k") or "",
        "sort": sort,
        "sort_choices": list(SORT_CHOICES),
        "type_choices": list(TYPE_CHOICES),
        "language_choices": list(LANGUAGE_CHOICES) + [v for v in dict.fromkeys(langs) if v not in LANGUAGE_CHOICES],
        "buyer_choices": list(dict.fromkeys(buyers)),
        "facets": {},
        "advanced_open": mode != DEFAULT_MODE or bool(qp.get("k")),
        "mode_choices": list(MODES),
        "tender": tender_form(_query_lists(request), {}, ui),
    }
    context.update(form=form, searched=bool(q.strip()), error=None, groups=[], response=None, title=t["page_title"])
    if not q.strip():
        return _render("search.html", context)

    params = _params(request)
    status = 200
    try:
        k = _int_field(qp.get("k"), "k", t) or PAGE_K
        offset = _int_field(qp.get("offset"), "offset", t) or 0
        body = msgspec.convert(
            {
                "q": q,
                "k": k,
                "offset": offset,
                "lang": langs or None,
                "type": types or None,
                "buyer": buyers or None,
                "year_from": _int_field(qp.get("year_from"), "year_from", t),
                "year_to": _int_field(qp.get("year_to"), "year_to", t),
                **tender_request(_query_lists(request)),
                "mode": mode,
                "sort": sort,
            },
            SearchRequest,
            strict=False,  # the page's dates and amounts arrive as text
        )
        response = run_search(collection, body, query_log, source="page")
    except msgspec.ValidationError as exc:
        context["error"], status = _error_message(exc), 400
    except (BadRequest, NotFoundError) as exc:
        context["error"], status = str(exc), 400
    except (StoreError, ModelError) as exc:
        context["error"], status = str(exc), 503
    except Exception:  # the page says so rather than showing a bare 500
        log.exception("search page failed for %r", q)
        context["error"], status = "internal error; the server log has the details", 500
    else:
        context.update(_results(response, body, params, explicit, t, ui))
        facets = msgspec.structs.asdict(response.facets)
        form["facets"] = facets
        form["tender"] = tender_form(_query_lists(request), facets, ui)
        form["buyer_choices"] = list(dict.fromkeys(buyers + list(response.facets.buyer)))
    context["title"] = t["results_title"].format(q=q if len(q) <= 80 else q[:77] + "…")
    return _render("search.html", context, status)


def _similar_filters(langs: list[str], types: list[str], year_from: int | None, year_to: int | None) -> SearchFilters:
    """The search page's filters for the precedents page; an unknown type is refused, as in search."""
    unknown = [v for v in types if v and v not in TYPE_CHOICES]
    if unknown:
        raise BadRequest(f"type: unknown document type '{unknown[0]}' (one of {', '.join(TYPE_CHOICES)})")
    return SearchFilters(
        languages=tuple(v for v in langs if v),
        doc_types=tuple(v for v in types if v),
        year_from=year_from,
        year_to=year_to,
    )


@get("/similar/{document_id:str}", sync_to_thread=True, include_in_schema=False, name="similar-page")
def similar_page(request: Request, collection: Collection, settings: Settings, document_id: str) -> Template:
    ui, explicit = _ui(request)
    context = _common(request, ui, explicit)
    if (denied := _authorised(request, settings, context)) is not None:
        return denied
    t: dict[str, str] = context["t"]  # type: ignore[assignment]
    qp = request.query_params
    try:
        filters = _similar_filters(
            qp.getall("lang", []),
            qp.getall("type", []),
            _int_field(qp.get("year_from"), "year_from", t),
            _int_field(qp.get("year_to"), "year_to", t),
        )
    except BadRequest as exc:
        return _render("message.html", {**context, "title": t["error_title"], "message": str(exc)}, 400)
    try:
        source = document_summary(collection.document(document_id).record)
        found = find_precedents(collection, document_id, SIMILAR_POOL, filters)
    except NotFoundError as exc:
        return _render("message.html", {**context, "title": t["error_not_found"], "message": str(exc)}, 404)
    except (StoreError, ModelError) as exc:
        return _render("message.html", {**context, "title": t["error_title"], "message": str(exc)}, 503)
    sections: dict[str, list[dict[str, object]]] = {}
    for precedent in found:
        doc = document_summary(precedent.record)
        group = sections.setdefault(doc.doc_type, [])
        if len(group) < SIMILAR_PER_TYPE:
            group.append({**_card(doc, explicit, ui=ui), "why": why_similar(precedent, ui)})
    source_card = _card(source, explicit, ui=ui)
    context.update(
        source=source_card,
        sections=list(sections.items()),
        criteria_table=criteria_side_by_side(source_card, [c for cards in sections.values() for c in cards]),
        title=t["similar_title"].format(title=source.title),
    )
    return _render("similar.html", context)


PAGE_ROUTES = [search_page, similar_page]
