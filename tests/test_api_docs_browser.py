"""The API docs (/schema, /schema/swagger) in headless Chromium with every other host blocked: they must work
offline, from the service's own files, and build an upload form from the schema."""

from __future__ import annotations

import pytest
from conftest import CHROMIUM_ARGS, require_browser, serving

CHROMIUM, sync_api = require_browser()

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    """The real app under uvicorn on a free port, over an empty store (the docs need no documents)."""

    from index.collection import open_collection
    from service.app import create_app
    from service.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("api-docs") / "data")
    with (
        open_collection(data_dir=settings.data_dir, create=True, embedder=embedder) as collection,
        serving(create_app(settings, collection=collection)) as url,
    ):
        yield url


@pytest.fixture
def offline_page(server):
    """A page whose requests to any host but the service are aborted and recorded."""
    blocked: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=server)
        context.set_default_timeout(20_000)

        def route(r) -> None:
            if r.request.url.startswith(server):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        yield context.new_page(), blocked
        context.close()
        browser.close()


def test_the_api_docs_render_offline_with_an_upload_form(offline_page):
    page, blocked = offline_page
    for path in ("/schema/swagger", "/schema"):
        page.goto(path)
        page.locator(".swagger-ui .info .title").filter(has_text="procsearch").wait_for()
        assert page.locator(".swagger-ui .btn.authorize").count() == 1, "no Authorize button: no security schemes"
    upload = page.locator(".opblock-post").filter(has_text="/v1/documents").first
    upload.locator(".opblock-summary").click()
    upload.locator("text=Try it out").click()
    assert upload.locator("input[type=file]").count() >= 1
    assert upload.locator("select").filter(has_text="guide").count() >= 1
    assert blocked == []
