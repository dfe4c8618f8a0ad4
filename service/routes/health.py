"""GET /health: is the index open, and what does it hold.

Always open, so that a load balancer or Docker can poll it without a key. When read keys are set, an
anonymous caller learns only that the service is up; the counts, model and cache figures need a read key.
"""

from __future__ import annotations

from litestar import Request, get

from index.collection import Collection
from service.auth import PUBLIC, is_reader
from service.errors import error_responses
from service.schemas import Health
from service.settings import Settings


@get(
    "/health",
    sync_to_thread=True,
    tags=["health"],
    summary="Status; with a read key, counts, model and backend",
    responses=error_responses(503),
    opt={"access": PUBLIC},
)
def health(request: Request, collection: Collection, settings: Settings) -> Health:
    if not is_reader(request, settings):
        return Health(status="ok")
    stats = collection.stats()
    embedder = collection.embedder
    return Health(
        status="ok",
        documents=int(stats["documents"]),
        chunks=int(stats["chunks"]),
        model=embedder.name,
        backend=collection.backend,
        query_cache={
            "size": embedder.cached_queries,
            "capacity": embedder.cache_size,
            "hits": embedder.cache_hits,
            "misses": embedder.cache_misses,
        },
    )
