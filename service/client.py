"""`procsearch search` and `stats` with `--server URL`: ask a running server instead of opening the store.

The embedded store has one owner; while a server holds it, the CLI reads through
the API. The answer is decoded into the API's own response types, so the
command prints the same lines whether it read the store or the server.
"""

from __future__ import annotations

import httpx
import msgspec

from ingest.errors import ProcsearchError
from service.schemas import SearchRequest, SearchResponse
from service.settings import Settings

TIMEOUT_S = 120


def _client(server: str, settings: Settings) -> httpx.Client:
    key = settings.api_keys[0] if settings.api_keys else settings.admin_key
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=server.rstrip("/"), headers=headers, timeout=TIMEOUT_S)


def _answer(server: str, call) -> httpx.Response:
    try:
        response = call()
    except httpx.HTTPError as exc:
        raise ProcsearchError(f"cannot reach {server}: {exc}") from exc
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail") or response.text
        except ValueError:
            detail = response.text
        raise ProcsearchError(f"{server} answered {response.status_code}: {detail}")
    return response


def remote_search(server: str, settings: Settings, request: SearchRequest) -> SearchResponse:
    """POST /v1/search on `server`; raises ProcsearchError with the server's message on a refusal."""
    body = msgspec.to_builtins(request)
    with _client(server, settings) as client:
        response = _answer(server, lambda: client.post("/v1/search", json=body))
    return msgspec.json.decode(response.content, type=SearchResponse)


def remote_stats(server: str, settings: Settings) -> dict[str, object]:
    """GET /health on `server`: documents, chunks, model, backend."""
    with _client(server, settings) as client:
        response = _answer(server, lambda: client.get("/health"))
    stats = response.json()
    return {**stats, "location": server} if isinstance(stats, dict) else {"health": stats, "location": server}
