"""`procsearch serve`: uvicorn with limits on what a client may hold open.

uvicorn waits for a request's headers without end: a client that sends them a byte at a time keeps a
connection, and a thousand such clients keep a thousand. HeaderTimeoutH11Protocol closes a connection whose
headers are not complete HEADER_TIMEOUT_S after it opened (or after its previous response). Headers are
capped at MAX_HEADER_BYTES (400 beyond), idle keep-alive connections close after KEEP_ALIVE_S, and past
MAX_CONNECTIONS open connections or tasks a request is answered 503 at once. The searches themselves are
bounded by service/limits.py, the keys checked by service/auth.py before the service starts.
"""

from __future__ import annotations

import asyncio

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.auth import check_keys
from service.settings import Settings

HEADER_TIMEOUT_S = 10.0
MAX_HEADER_BYTES = 16 * 1024
KEEP_ALIVE_S = 5
MAX_CONNECTIONS = 1000


class HeaderTimeoutH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request headers take longer than `header_timeout`."""

    header_timeout = HEADER_TIMEOUT_S

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm_header_timer()

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # a request line and all its headers arrived
            self._cancel_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_timer()  # the next request on this connection gets as long

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self.transport.close()


def uvicorn_config(app, host: str, port: int, header_timeout: float = HEADER_TIMEOUT_S, **overrides) -> uvicorn.Config:
    """The one uvicorn configuration, for `serve`, the benchmark and the tests."""
    protocol = type("HeaderTimeoutH11", (HeaderTimeoutH11Protocol,), {"header_timeout": header_timeout})
    options = {
        "log_level": "info",
        "http": protocol,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "timeout_keep_alive": KEEP_ALIVE_S,
        "limit_concurrency": MAX_CONNECTIONS,
        **overrides,
    }
    return uvicorn.Config(app, host=host, port=port, **options)


def serve(settings: Settings, host: str, port: int, embedder=None) -> None:
    """Check the keys, then serve until interrupted; a bad key stops here, before the model loads."""
    check_keys(settings)
    from service.app import create_app

    uvicorn.Server(uvicorn_config(create_app(settings, embedder=embedder), host, port)).run()
