"""How much work one request may cause, and how many searches run at once.

Two bounds. The result window (offset + k) is capped at MAX_RESULT_WINDOW: a search reads about three
candidates per passage up to that depth, so a page at offset 10,000 cost 14 first pages on a 2,000-chunk
store (more on a larger one); at the cap it costs under three. And searches pass a gate: at most
`search_workers` run at once (the machine's cores: more only interleave), deep ones (window above
FIRST_PAGES_WINDOW) never take the last free slot, so a member's first page never waits behind someone's
crawl, and at most `search_queue` wait; past that the answer is 429 with Retry-After at once, instead of a
queue that grows without end while every search slows down (`procsearch bench`, "deep offset").
"""

from __future__ import annotations

import asyncio
from collections import deque
from urllib.parse import parse_qs

from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from index.results import RESULT_WINDOW
from service.errors import BadRequest

MAX_RESULT_WINDOW = RESULT_WINDOW  # offset + k at most: one figure, in index/results.py
FIRST_PAGES_WINDOW = 100
"""A search with offset + k up to this is a first page (k goes up to 100); beyond it is deep paging."""
RETRY_AFTER_S = 1
SEARCH_PATHS = frozenset({"/v1/search", "/", "/similar/{document_id:str}", "/v1/documents/{document_id:str}/similar"})


def check_window(offset: int, k: int) -> None:
    """400 past the result window, saying how to get there instead."""
    if offset + k > MAX_RESULT_WINDOW:
        raise BadRequest(
            f"offset + k is {offset + k}: results are served up to the {MAX_RESULT_WINDOW}th; "
            "narrow the search with more words or filters to reach documents further down"
        )


class SearchGate:
    """At most `workers` searches at once, `deep_workers` of them deep; `queue` may wait, first pages first.

    Runs on the event loop, before a request takes a thread: a waiting search costs a future, not a worker.
    """

    def __init__(self, workers: int, queue: int) -> None:
        self.workers, self.queue = max(1, workers), max(0, queue)
        self.deep_workers = max(1, self.workers - 1)
        self.running = self.running_deep = 0
        self.waiting: dict[bool, deque[asyncio.Future[None]]] = {False: deque(), True: deque()}

    def _can_run(self, deep: bool) -> bool:
        return self.running < self.workers and (not deep or self.running_deep < self.deep_workers)

    def _start(self, deep: bool) -> None:
        self.running += 1
        self.running_deep += deep

    async def enter(self, deep: bool) -> None:
        """Wait for a slot; TooManyRequestsException at once when `queue` searches already wait."""
        if self._can_run(deep) and not self.waiting[False] and not (deep and self.waiting[True]):
            self._start(deep)
            return
        if sum(len(w) for w in self.waiting.values()) >= self.queue:
            raise TooManyRequestsException(
                f"too many searches at once: retry in {RETRY_AFTER_S} s", headers={"Retry-After": str(RETRY_AFTER_S)}
            )
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting[deep].append(future)
        try:
            await future
        except asyncio.CancelledError:  # the client left while waiting
            if future.done() and not future.cancelled():
                self.leave(deep)  # it had been given a slot just before
            else:
                self.waiting[deep].remove(future)
            raise

    def leave(self, deep: bool) -> None:
        self.running -= 1
        self.running_deep -= deep
        self._wake()

    def _wake(self) -> None:
        for deep in (False, True):  # first pages first
            lane = self.waiting[deep]
            while lane and self._can_run(deep):
                future = lane.popleft()
                if not future.done():
                    self._start(deep)
                    future.set_result(None)


def window_of(scope: Scope) -> int | None:
    """offset + k from the query string; None when unknown (a POST body is not read here)."""
    if scope.get("method") != "GET":
        return None
    params = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    try:
        return int((params.get("offset") or ["0"])[0] or 0) + int((params.get("k") or ["10"])[0] or 10)
    except ValueError:
        return 0  # refused by validation anyway, at no cost


class SearchGateMiddleware(ASGIMiddleware):
    """Puts the search routes (API, page, similar documents) through the app's SearchGate."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, gate: SearchGate, admitted) -> None:
        self.gate, self.admitted = gate, admitted

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler = scope.get("route_handler")
        if handler is None or not (handler.paths & SEARCH_PATHS) or not self.admitted(scope):
            await next_app(scope, receive, send)  # not a search, or refused by its own key check
            return
        window = window_of(scope)
        deep = window is None or window > FIRST_PAGES_WINDOW
        await self.gate.enter(deep)
        try:
            await next_app(scope, receive, send)
        finally:
            self.gate.leave(deep)
