"""One exception map: every error leaves as {"status_code", "detail"} with a useful message."""

from __future__ import annotations

import logging

from litestar import Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.types import ExceptionHandlersMap

from ingest.errors import IngestError, ModelError, NotFoundError, ProcsearchError, StoreError
from service.schemas import ErrorResponse

log = logging.getLogger(__name__)


class UnsupportedMediaType(HTTPException):
    status_code = 415


class BadRequest(ProcsearchError):
    """A deliberate refusal of what the client sent: 400 with this message (the CLI prints it as one line).

    Only this class (and Litestar's own validation) maps to 400: a ValueError escaping a handler is a bug,
    answered 500 and logged. It is not a ValueError, so that no `except ValueError` can mistake a bug for it.
    """


FORM_PART_LIMIT_DETAIL = "Request Entity Too Large"  # what Litestar's multipart parser says past its part limit


def _response(status: int, detail: str) -> Response:
    return Response({"status_code": status, "detail": detail}, status_code=status)


def _validation(_: Request, exc: ValidationException) -> Response:
    details = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            where = item.get("key") or item.get("source") or ""
            details.append(f"{where}: {item.get('message')}" if where else str(item.get("message")))
    detail = exc.detail + (" — " + "; ".join(details) if details else "")
    return _response(400, detail)


def _http(request: Request, exc: HTTPException) -> Response:
    detail, status = exc.detail, exc.status_code
    if status == 400 and isinstance(exc.__cause__, SerializationException):
        detail = f"malformed JSON body: {exc.__cause__}"
    elif status == 400 and detail == FORM_PART_LIMIT_DETAIL:
        # Litestar answers 400 past `multipart_form_part_limit` (kept so until its 3.0); it is a 413
        limit = request.app.multipart_form_part_limit
        status, detail = 413, f"too many parts in the form: at most {limit} fields and files in one upload"
    return Response({"status_code": status, "detail": detail}, status_code=status, headers=exc.headers)


def _serialization(_: Request, exc: SerializationException) -> Response:
    return _response(400, f"malformed JSON body: {exc}")


def _bad_request(_: Request, exc: BadRequest) -> Response:
    return _response(400, str(exc))


def _not_found(_: Request, exc: NotFoundError) -> Response:
    return _response(404, str(exc))


def _ingest(_: Request, exc: IngestError) -> Response:
    return _response(422, f"the file could not be ingested: {exc}")


def _unavailable(_: Request, exc: StoreError | ModelError) -> Response:
    return _response(503, str(exc))


def _internal(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _response(500, "internal error; the server log has the details")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ValidationException: _validation,
    HTTPException: _http,
    SerializationException: _serialization,
    NotFoundError: _not_found,
    IngestError: _ingest,
    StoreError: _unavailable,
    ModelError: _unavailable,
    BadRequest: _bad_request,
    Exception: _internal,
}

_MEANING = {
    400: "Invalid parameters or body; `detail` says which and why.",
    401: "An API key is required (PROCSEARCH_API_KEYS is set): send `Authorization: Bearer <key>`.",
    403: "The admin key is required (or no admin key is configured).",
    404: "No document with this id.",
    413: "The upload is larger than PROCSEARCH_MAX_UPLOAD_MB, or has too many parts.",
    415: "Unsupported file type (`detail` lists the supported ones), or a JSON body sent without "
    "'Content-Type: application/json'.",
    422: "The file could not be ingested; `detail` gives the reason (encrypted, needs OCR, corrupt…).",
    429: "Too many searches at once: retry after the `Retry-After` header's seconds.",
    503: "The index is unavailable (store locked by another process, or the model cannot load).",
}


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the errors a route can answer, so clients and the fuzz test know them."""
    return {code: ResponseSpec(data_container=ErrorResponse, description=_MEANING[code]) for code in codes}
