"""Dependencies: the resources opened once in the lifespan, and the key checks."""

from __future__ import annotations

import hmac

from litestar import Request
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from index.collection import Collection
from index.parsing import ParserPool
from service.settings import Settings


def provide_collection(state: State) -> Collection:
    return state.collection


def provide_settings(state: State) -> Settings:
    return state.settings


def provide_parser(state: State) -> ParserPool:
    return state.parser


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _matches(key: str | None, allowed: tuple[str, ...]) -> bool:
    return key is not None and any(hmac.compare_digest(key, a) for a in allowed)


def require_reader(request: Request, settings: Settings) -> None:
    """Read endpoints are open unless PROCSEARCH_API_KEYS is set."""
    if not settings.api_keys:
        return
    allowed = settings.api_keys + ((settings.admin_key,) if settings.admin_key else ())
    if not _matches(_bearer(request), allowed):
        raise NotAuthorizedException("an API key is required: send 'Authorization: Bearer <key>'")


def require_admin(request: Request, settings: Settings) -> None:
    if not settings.admin_key:
        raise PermissionDeniedException(
            "uploads and deletes are disabled: start the server with PROCSEARCH_ADMIN_KEY set and send "
            "'Authorization: Bearer <that key>'")
    if not _matches(_bearer(request), (settings.admin_key,)):
        raise NotAuthorizedException("a valid admin key is required: send 'Authorization: Bearer <key>'")
