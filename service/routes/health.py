"""GET /health: is the index open, and what does it hold."""

from __future__ import annotations

from litestar import get

from index.collection import Collection
from service.errors import error_responses
from service.schemas import Health


@get("/health", sync_to_thread=True, tags=["health"], summary="Status, counts, model and backend",
     responses=error_responses(503))
def health(collection: Collection) -> Health:
    stats = collection.stats()
    embedder = collection.embedder
    return Health(status="ok", documents=int(stats["documents"]), chunks=int(stats["chunks"]), model=embedder.name,
                  backend=collection.backend,
                  query_cache={"size": len(embedder._cache), "capacity": embedder.cache_size,
                               "hits": embedder.cache_hits, "misses": embedder.cache_misses})
