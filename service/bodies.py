"""What the API accepts as a request body, checked before a byte of it is decoded.

A JSON route reads only `application/json` (or `application/*+json`): a browser can send `text/plain` or a
form to any site without asking, so a JSON route that took them would be open to cross-site posts, and a
client that sent the wrong type learns it at once (415) instead of getting a parse error. A body nested
deeper than the decoder's recursion limit is the client's fault, not the server's: 400, not a 500.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ClientException

from service.errors import UnsupportedMediaType

MAX_FORM_PARTS = 1000
"""Parts (fields and files) one multipart upload may carry; more answer 413."""

JSON_TYPES = ("application/json",)


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in JSON_TYPES or (media.startswith("application/") and media.endswith("+json"))


class ApiRequest(Request):
    """Litestar's request, strict about the type and the depth of a JSON body."""

    async def json(self) -> Any:
        content_type = self.headers.get("content-type", "")
        if not is_json(content_type):
            raise UnsupportedMediaType(
                f"this endpoint reads a JSON body: send it with 'Content-Type: application/json' "
                f"(got {content_type.split(';', 1)[0].strip() or 'no Content-Type'})"
            )
        try:
            return await super().json()
        except RecursionError:
            raise ClientException("malformed JSON body: nested too deeply") from None
