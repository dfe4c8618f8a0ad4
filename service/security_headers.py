"""Headers every response carries, set in one place for the whole service.

HTML pages get a Content-Security-Policy that allows no script at all (the pages have none: plain forms and
links), styles and images from this site only, forms posting to this site only, and no framing
(`frame-ancestors 'none'`, plus X-Frame-Options for old browsers). The API documentation under /schema is
rendered by third-party JavaScript, so it gets its own, looser policy: adjust DOCS_POLICY, not the pages'.
Every response says `nosniff` and keeps the URL (which may carry a member's query) out of Referer headers
sent to other sites. A 401 names the scheme it expects (`WWW-Authenticate: Bearer`), as HTTP requires.
Responses that set their own policy (original files: `sandbox`) keep it.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' data: https://fonts.gstatic.com https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://cdn.jsdelivr.net; worker-src 'self' blob:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PREFIX = "/schema"
ALWAYS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
HTML_ONLY = {"X-Frame-Options": "DENY"}
CHALLENGE = 'Bearer realm="procsearch"'


def policy_for(path: str) -> str:
    """The CSP of an HTML response at `path`."""
    return DOCS_POLICY if path == DOCS_PREFIX or path.startswith(DOCS_PREFIX + "/") else PAGE_POLICY


async def add_security_headers(message: Message, scope: Scope) -> None:
    """`before_send` hook: runs on every response the app sends, errors and 404s included."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in ALWAYS.items():
        if name not in headers:
            headers[name] = value
    if headers.get("content-type", "").startswith("text/html"):
        for name, value in HTML_ONLY.items():
            if name not in headers:
                headers[name] = value
        if "content-security-policy" not in headers:
            headers["Content-Security-Policy"] = policy_for(scope.get("path", ""))
    if message["status"] == 401 and "www-authenticate" not in headers:
        headers["WWW-Authenticate"] = CHALLENGE
