"""The Litestar application factory.

The index (store and model) is opened once in the lifespan and shared by
every request through `Provide`; the model is loaded at startup so the first
search is as fast as the next.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from service.errors import EXCEPTION_HANDLERS
from index.parsing import ParserPool
from service.routes.deps import provide_collection, provide_parser, provide_settings
from service.routes.documents import DocumentController
from service.routes.health import health
from service.routes.pages import PAGE_ROUTES
from service.routes.search import SearchController
from service.settings import Settings

HERE = Path(__file__).resolve().parent


def warm_up(collection) -> None:
    """Load the model, language profiles, glossary and stemmers now, not on a member's first search."""
    from index.search import search
    from ingest.language import detect_language

    search(collection, "Peut-on réserver un lot à un ESAT pour les marchés publics ?", k=1)
    collection.embedder.clear_cache()
    # queries with a clear stopword vote skip langdetect; load its profiles for the others
    detect_language("Reserved contracts for sheltered workshops and social enterprises in public procurement")


def create_app(settings: Settings | None = None, collection=None) -> Litestar:
    """Build the app; `collection` lets a caller (tests, bench) hand in an already open index."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        owned = collection is None
        app.state.collection = collection or settings.open_collection(create=True)
        if owned and app.state.collection.backend == "qdrant-edge":
            app.state.collection.remove_hidden()  # leftovers of an upload cut short by a crash: sole owner here
        warm_up(app.state.collection)
        app.state.settings = settings
        # uploads are parsed in a worker process (started on the first upload) under a time limit
        app.state.parser = ParserPool(workers=1, timeout=settings.parse_timeout)
        try:
            yield
        finally:
            app.state.parser.close()
            if owned:
                app.state.collection.close()

    return Litestar(
        route_handlers=[SearchController, DocumentController, health, *PAGE_ROUTES,
                        create_static_files_router(path="/static", directories=[HERE / "static"],
                                                   include_in_schema=False)],
        template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine),
        dependencies={"collection": Provide(provide_collection, sync_to_thread=False),
                      "settings": Provide(provide_settings, sync_to_thread=False),
                      "parser": Provide(provide_parser, sync_to_thread=False)},
        lifespan=[lifespan],
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.max_upload_mb * 1024 * 1024 + 64 * 1024,
        openapi_config=OpenAPIConfig(
            title="procsearch", version="0.1.0", path="/schema",
            description="Semantic search over public-procurement documents (French and English): passages with "
                        "their source document and page.",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")]),
    )
