"""Who may do what: read keys, the admin key, and the check that runs before a request body is read.

Keys are compared as bytes (UTF-8 for configured keys; a header's raw bytes for what the client sent), so a
key with accents works and a stray non-ASCII byte is a plain 401, never a 500. A member's browser can carry a
read key in the sign-in cookie (see service/signin.py); the cookie grants reads only: writes need the admin
key in an `Authorization: Bearer` header, which no other site can make a browser send.

`authorize` is an app-wide guard. Litestar runs guards before it reads the body, so an unauthenticated
upload is refused from its headers alone: nothing is received, parsed or written to a temporary file.
Every route whose method may carry a body is admin-only unless it says otherwise (`opt={"access": ...}`):
a new write endpoint is protected by default.
"""

from __future__ import annotations

import hmac
from urllib.parse import unquote_to_bytes

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler

from ingest.errors import ProcsearchError
from service.settings import Settings

MIN_ADMIN_KEY_CHARS = 16
COOKIE = "procsearch_key"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ, ADMIN, PUBLIC = "read", "admin", "public"


def _raw(value: str) -> bytes:
    """The bytes a header arrived as (the ASGI server decodes them as latin-1)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:  # not from the wire: a str built in-process
        return value.encode("utf-8")


def bearer(connection: ASGIConnection) -> bytes | None:
    header = connection.headers.get("authorization", "")
    return _raw(header[7:].strip()) if header[:7].lower() == "bearer " else None


def cookie_key(connection: ASGIConnection) -> bytes | None:
    value = connection.cookies.get(COOKIE)
    return unquote_to_bytes(value) if value else None


def key_matches(presented: bytes | None, allowed: tuple[str, ...]) -> bool:
    """Constant-time comparison against every allowed key (bytes, so any character is fine)."""
    if not presented:
        return False
    found = False
    for key in allowed:
        found |= hmac.compare_digest(presented, key.encode("utf-8"))
    return found


def reader_keys(settings: Settings) -> tuple[str, ...]:
    return settings.api_keys + ((settings.admin_key,) if settings.admin_key else ())


def is_reader(connection: ASGIConnection, settings: Settings) -> bool:
    """True when reads are open, or the request carries a read key (header or sign-in cookie)."""
    if not settings.api_keys:
        return True
    allowed = reader_keys(settings)
    return key_matches(bearer(connection), allowed) or key_matches(cookie_key(connection), allowed)


def require_reader(connection: ASGIConnection, settings: Settings) -> None:
    """Read endpoints are open unless PROCSEARCH_API_KEYS is set."""
    if not is_reader(connection, settings):
        raise NotAuthorizedException(
            "an API key is required: send 'Authorization: Bearer <key>' (or sign in at /signin in a browser)"
        )


def require_admin(connection: ASGIConnection, settings: Settings) -> None:
    if not settings.admin_key:
        raise PermissionDeniedException(
            "uploads and deletes are disabled: start the server with PROCSEARCH_ADMIN_KEY set and send "
            "'Authorization: Bearer <that key>'"
        )
    if not key_matches(bearer(connection), (settings.admin_key,)):
        raise NotAuthorizedException("a valid admin key is required: send 'Authorization: Bearer <key>'")


def access_of(connection: ASGIConnection, handler: BaseRouteHandler) -> str:
    declared = handler.opt.get("access")
    if declared in (READ, ADMIN, PUBLIC):
        return declared
    return READ if connection.scope.get("method", "GET") in SAFE_METHODS else ADMIN


def authorize(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """App-wide guard for the routes that may carry a body; GET routes check in their handler.

    GET handlers keep their own check so that a page can answer 401 with its sign-in form rather than JSON.
    """
    if connection.scope["type"] != "http" or connection.scope.get("method") in SAFE_METHODS:
        return
    settings: Settings = connection.app.state.settings
    access = access_of(connection, handler)
    if access == ADMIN:
        require_admin(connection, settings)
    elif access == READ:
        require_reader(connection, settings)


def check_keys(settings: Settings) -> None:
    """Refuse to serve with an admin key short enough to guess: one line that says what to do."""
    if settings.admin_key is not None and len(settings.admin_key) < MIN_ADMIN_KEY_CHARS:
        raise ProcsearchError(
            f"PROCSEARCH_ADMIN_KEY is {len(settings.admin_key)} characters long: use at least "
            f"{MIN_ADMIN_KEY_CHARS} (for example the output of 'openssl rand -hex 24')"
        )
