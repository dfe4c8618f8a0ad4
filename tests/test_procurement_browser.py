"""The procurement filters, facets, card fields and precedents panel in a real browser (headless Chromium).

Served over the small tender corpus of conftest.TENDERS, whose stated fields are known; skipped without Chromium.
"""

from __future__ import annotations

import re

import pytest
from conftest import CHROMIUM_ARGS, require_browser, serving, tender_corpus

CHROMIUM, sync_api = require_browser()

pytestmark = pytest.mark.browser
QUERY = "/?q=mobilier+de+bureau+si%C3%A8ges+et+bureaux&k=20&ui=fr"
FURNITURE_FR = "Meubles (y compris les meubles de bureau)"


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    from index.collection import open_collection
    from index.indexer import ingest_paths
    from service.app import create_app
    from service.settings import Settings

    base = tmp_path_factory.mktemp("procurement-browser")
    with open_collection(data_dir=base / "data", create=True, embedder=embedder) as collection:
        ingest_paths(collection, [tender_corpus(base / "docs")], workers=0)
        with serving(create_app(Settings(data_dir=base / "data"), collection=collection)) as url:
            yield url


@pytest.fixture
def page(server):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="fr-FR", viewport={"width": 1200, "height": 900}, base_url=server)
        context.set_default_timeout(20_000)
        yield context.new_page()
        browser.close()


def _sources(page) -> set[str]:
    found = page.locator("article.doc").evaluate_all("els => els.map(e => e.dataset.source)")
    return {s.removeprefix("docs/") for s in found}


def test_the_cpv_division_facet_shows_official_labels_and_filters_with_sub_codes(page):
    page.goto(QUERY)
    divisions = page.locator("fieldset.cpv-divisions")
    assert re.search(r"39\s+" + re.escape(FURNITURE_FR) + r".*\(3", divisions.inner_text())
    assert re.search(r"45\s+Travaux de construction\s*\(1", divisions.inner_text())
    assert "Procédure adaptée (MAPA) (2" in page.locator("fieldset.procedures").inner_text()

    divisions.get_by_label(re.compile("^39")).check()
    page.get_by_role("button", name="Rechercher").first.click()
    page.wait_for_url(re.compile(r"cpv=39"))
    assert _sources(page) == {
        "fr/rc-mobilier-bureau-2024.md",
        "fr/rc-mobilier-scolaire-2022.md",
        "en/itt-office-chairs-2023.md",
    }
    assert page.locator("fieldset.cpv-divisions").get_by_label(re.compile("^39")).is_checked()


def test_a_typed_cpv_code_and_a_value_range_are_kept_in_the_url(page):
    page.goto(QUERY)
    page.locator("details.procurement summary").click()
    page.get_by_label("Code CPV").fill("39110000")
    page.get_by_label("Montant maximum").fill("100 000")
    page.get_by_role("button", name="Rechercher").first.click()
    page.wait_for_url(re.compile(r"cpv=39110000"))
    assert "value_max=100" in page.url
    assert _sources(page) == {"fr/rc-mobilier-bureau-2024.md"}  # 39112000 under 3911; the chairs cost £150,000
    assert page.get_by_label("Code CPV").input_value() == "39110000"


def test_the_card_shows_the_tender_fields(page):
    page.goto(QUERY)
    card = page.locator('article.doc[data-source$="rc-mobilier-bureau-2024.md"]')
    fields = card.locator("dl.tender-fields")
    text = fields.inner_text()
    assert "39130000" in text and FURNITURE_FR in text
    assert "Procédure adaptée (MAPA)" in text
    assert re.search(r"60\s000 € \(maximum\)", text)
    assert "2024-03-15 12:00" in text
    assert "Prix (40)" in text and "Performance environnementale (25)" in text


def test_the_precedents_panel_says_why_and_sets_the_criteria_side_by_side(page):
    page.goto(QUERY)
    card = page.locator('article.doc[data-source$="rc-mobilier-bureau-2024.md"]')
    card.locator("a.similar-link").click()
    page.wait_for_url(re.compile(r"/similar/"))
    first = page.locator("ol.docs article.doc").first
    assert first.get_attribute("data-source").removeprefix("docs/") in {
        "en/itt-office-chairs-2023.md",
        "fr/rc-mobilier-scolaire-2022.md",
    }
    why = first.locator("p.why").inner_text()
    assert "même catégorie d'achat (CPV) 391" in why and FURNITURE_FR in why
    table = page.locator("table.criteria-table")
    assert table.is_visible()
    headers = table.locator("th").all_inner_texts()
    assert headers[0] == "Ce document" and len(headers) >= 3
    assert "Prix (40)" in table.locator("td").first.inner_text()
    assert "Prix (50)" in table.inner_text()  # the school furniture tender's weights, beside
