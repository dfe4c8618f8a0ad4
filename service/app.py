"""The Litestar application factory.

The index (store and model) is opened once in the lifespan and shared by
every request through `Provide`; the model is loaded before the service answers,
and the query path's other caches in a thread just after, so the first searches
are as fast as the next.
"""

from __future__ import annotations

import importlib.resources
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from index.parsing import ParserPool
from service.auth import authorize, is_reader
from service.bodies import MAX_FORM_PARTS, ApiRequest
from service.errors import EXCEPTION_HANDLERS
from service.limits import SearchGate, SearchGateMiddleware
from service.openapi import READ_SECURITY, SECURITY_COMPONENTS
from service.query_log import QueryLog
from service.routes.coordinator import CoordinatorController, coordinator_page, open_result, provide_query_log
from service.routes.deps import provide_collection, provide_parser, provide_settings, provide_write_lock
from service.routes.documents import DocumentController
from service.routes.health import health
from service.routes.pages import PAGE_ROUTES
from service.routes.search import SearchController
from service.routes.view import view_page
from service.security_headers import add_security_headers
from service.settings import Settings
from service.signin import SIGNIN_ROUTES
from service.uploading import WriteLock, prune_originals

HERE = Path(__file__).resolve().parent
SWAGGER_UI_VERSION = "5.24.2"  # the Swagger UI distribution that the pinned swagger-ui-py package ships
_SWAGGER = "/api-docs-assets"


def swagger_assets() -> Path:
    """Swagger UI's files as the swagger-ui-py package installs them: served by this service, never a CDN."""
    return Path(str(importlib.resources.files("swagger_ui") / "static"))


def api_docs_plugin() -> SwaggerRenderPlugin:
    """Swagger UI at /schema and /schema/swagger, from the service's own files: API docs that work offline."""
    return SwaggerRenderPlugin(
        version=SWAGGER_UI_VERSION,
        path=["/", "/swagger"],
        js_url=f"{_SWAGGER}/swagger-ui-bundle.js",
        css_url=f"{_SWAGGER}/swagger-ui.css",
        standalone_preset_js_url=f"{_SWAGGER}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{_SWAGGER}/favicon-32x32.png'>",
    )


def warm_up(collection) -> None:
    """Load the model and encode once before the service answers: a model that cannot run fails startup."""
    collection.embedder.encode_uncached(["Peut-on réserver un lot à un ESAT ?"], "query")


def warm_caches() -> None:
    """Load what only some questions need, in a thread once the service answers.

    langdetect's profiles (a question with no clear stopword vote; 0.4 to 0.7 s of loading) used
    to land on the first member who asked such a question, and the English side of the glossary
    on the first English question. Loaded before /health answers, they would delay every start
    for questions that may not come soon; a question that needs one meanwhile waits for it.
    """
    from index.glossary import translate_terms
    from index.highlight import highlight
    from index.sparse import embed_query
    from ingest.language import load_profiles

    load_profiles()
    for text, language in (("reserved contracts for sheltered workshops", "en"), ("marché réservé", "fr")):
        translate_terms(text, language)
        embed_query(text, language)
        highlight(text, text)


class _Litestar(Litestar):
    """Litestar without its pydantic plugins: the API's types are msgspec structs.

    Litestar adds them whenever pydantic is importable, and qdrant-client installs it;
    importing them took about 0.2 s of every start of `procsearch serve`.
    """

    @staticmethod
    def _get_default_plugins(plugins: list) -> list:
        from litestar.plugins.core import MsgspecDIPlugin

        return [*plugins, MsgspecDIPlugin()]


def create_app(settings: Settings | None = None, collection=None, embedder=None) -> Litestar:
    """Build the app; `collection` lets a caller (tests, bench) hand in an already open index.

    `embedder`, when the app opens the index itself, is the model to use (`serve` starts loading it first).
    """
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        owned = collection is None
        app.state.collection = collection or settings.open_collection(create=True, embedder=embedder)
        if owned and app.state.collection.store.sole_writer:
            app.state.collection.repair()  # finish or flag what a crash cut short (index.writes): sole owner here
            prune_originals(app.state.collection, settings.data_dir)  # staged bytes, unreferenced originals
        warm_up(app.state.collection)
        threading.Thread(target=warm_caches, name="procsearch-warm-caches", daemon=True).start()
        app.state.settings = settings
        app.state.query_log = QueryLog(settings.data_dir / "query-log", settings.query_log_days)
        if app.state.query_log.enabled:
            app.state.query_log.prune()
        # uploads are parsed in a worker process (started on the first upload) under a time limit
        app.state.parser = ParserPool(workers=1, timeout=settings.parse_timeout)
        app.state.write_lock = WriteLock()  # this app's writes, one at a time (service.uploading)
        try:
            yield
        finally:
            app.state.parser.close()
            if owned:
                app.state.collection.close()

    gate = SearchGate(settings.search_workers, settings.search_queue)
    gate_middleware = SearchGateMiddleware(gate, lambda scope: is_reader(ASGIConnection(scope), settings))

    return _Litestar(
        route_handlers=[
            SearchController,
            DocumentController,
            CoordinatorController,
            coordinator_page,
            open_result,
            health,
            *PAGE_ROUTES,
            *SIGNIN_ROUTES,
            view_page,
            create_static_files_router(path="/static", directories=[HERE / "static"], include_in_schema=False),
            create_static_files_router(path=_SWAGGER, directories=[swagger_assets()], include_in_schema=False),
        ],
        template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine),
        dependencies={
            "collection": Provide(provide_collection, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "parser": Provide(provide_parser, sync_to_thread=False),
            "write_lock": Provide(provide_write_lock, sync_to_thread=False),
            "query_log": Provide(provide_query_log, sync_to_thread=False),
        },
        lifespan=[lifespan],
        exception_handlers=EXCEPTION_HANDLERS,
        guards=[authorize],  # before any body is read (service/auth.py)
        request_class=ApiRequest,
        before_send=[add_security_headers],
        middleware=[gate_middleware],
        multipart_form_part_limit=MAX_FORM_PARTS,
        request_max_body_size=settings.max_upload_mb * 1024 * 1024 + 64 * 1024,
        openapi_config=OpenAPIConfig(
            title="procsearch",
            version="0.1.0",
            path="/schema",
            description="Semantic search over public-procurement documents (French and English): passages with "
            "their source document and page.",
            components=SECURITY_COMPONENTS,
            security=READ_SECURITY,
            render_plugins=[api_docs_plugin()],
        ),
    )
