"""One exception map: every error leaves as {"status_code", "detail"} with a useful message."""

from __future__ import annotations

import logging

from litestar import Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.openapi.datastructures import ResponseSpec

from ingest.errors import IngestError, NotFoundError, StoreError
from service.schemas import ErrorResponse

log = logging.getLogger("procsearch.service")


class UnsupportedMediaType(HTTPException):
    status_code = 415


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


def _http(_: Request, exc: HTTPException) -> Response:
    detail = exc.detail
    if exc.status_code == 400 and isinstance(exc.__cause__, SerializationException):
        detail = f"malformed JSON body: {exc.__cause__}"
    return _response(exc.status_code, detail)


def _serialization(_: Request, exc: SerializationException) -> Response:
    return _response(400, f"malformed JSON body: {exc}")


def _value(_: Request, exc: ValueError) -> Response:
    return _response(400, str(exc))


def _not_found(_: Request, exc: NotFoundError) -> Response:
    return _response(404, str(exc))


def _ingest(_: Request, exc: IngestError) -> Response:
    return _response(422, f"the file could not be ingested: {exc}")


def _store(_: Request, exc: StoreError) -> Response:
    return _response(503, str(exc))


def _internal(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _response(500, "internal error; the server log has the details")


EXCEPTION_HANDLERS = {
    ValidationException: _validation,
    HTTPException: _http,
    SerializationException: _serialization,
    NotFoundError: _not_found,
    IngestError: _ingest,
    StoreError: _store,
    ValueError: _value,
    Exception: _internal,
}

_MEANING = {
    400: "Invalid parameters or body; `detail` says which and why.",
    401: "An API key is required (PROCSEARCH_API_KEYS is set): send `Authorization: Bearer <key>`.",
    403: "The admin key is required (or no admin key is configured).",
    404: "No document with this id.",
    413: "The upload is larger than PROCSEARCH_MAX_UPLOAD_MB.",
    415: "Unsupported file type; `detail` lists the supported ones.",
    422: "The file could not be ingested; `detail` gives the reason (encrypted, needs OCR, corrupt…).",
    503: "The index is unavailable (store locked by another process, or the model cannot load).",
}


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the errors a route can answer, so clients and the fuzz test know them."""
    return {code: ResponseSpec(data_container=ErrorResponse, description=_MEANING[code]) for code in codes}
