"""The search page in a real browser: headless Chromium (Debian's) driven by Playwright, against the real app
served by uvicorn on the bundled corpus.

`make test` installs Chromium (`make browsers`); where it cannot be installed these tests skip.
Set PROCSEARCH_SCREENSHOT=1 to refresh docs/search-page.png from the French results page.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import CHROMIUM_ARGS, link_target, require_browser, serving

pytestmark = pytest.mark.browser

CHROMIUM, sync_api = require_browser()

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "documents"
SCREENSHOT = ROOT / "docs" / "search-page.png"
QUESTION = "marché de papier de reprographie de Lanvallec : règlement de consultation et critères"
LANVALLEC_TENDERS = (
    "fr/tenders/rc-papier-reprographie-lanvallec-2022.pdf",
    "fr/tenders/cctp-papier-reprographie-lanvallec-2022.pdf",
)
LANVALLEC_MINUTES = "fr/minutes/pv-cao-papier-lanvallec-2022.pdf"


@pytest.fixture(scope="module")
def server(tmp_path_factory, bundled_collection):
    """The real app (uvicorn, 127.0.0.1, a free port) over an index of corpus/documents (shared, read only)."""

    from service.app import create_app
    from service.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("browser") / "data")
    with serving(create_app(settings, collection=bundled_collection)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(
        locale="fr-FR",
        extra_http_headers={"Accept-Language": "fr-FR,fr;q=0.9"},
        viewport={"width": 1200, "height": 900},
        base_url=server,
    )
    context.set_default_timeout(20_000)
    tab = context.new_page()
    yield tab
    context.close()


def _sources(page) -> list[str]:
    return page.locator("article.doc").evaluate_all("els => els.map(e => e.dataset.source)")


def _types(page) -> list[str]:
    return page.locator("article.doc").evaluate_all("els => els.map(e => e.dataset.type)")


def test_a_french_question_finds_the_lanvallec_tender_and_opens_it_at_its_page(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    box = page.get_by_label("Votre question ou des mots-clés")
    box.fill(QUESTION)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/\?q="))
    sources = _sources(page)
    assert sources[0].endswith(LANVALLEC_TENDERS), sources
    assert page.get_by_role("heading", level=2, name=re.compile("Résultats pour")).is_visible()
    assert page.locator("article.doc mark").count() > 0

    page.get_by_label("Dossier de consultation").check()
    page.get_by_role("button", name="Rechercher").first.click()
    page.wait_for_url(re.compile(r"type=tender"))
    sources = _sources(page)
    assert sources[0].endswith(LANVALLEC_TENDERS), sources
    assert set(_types(page)) == {"tender"}
    query = dict(re.findall(r"[?&]([^=&]+)=([^&]*)", page.url))
    assert query["type"] == "tender" and "Lanvallec" in query["q"]

    first = page.locator("article.doc").first
    link = first.locator("a.open-link")
    href = link.get_attribute("href")
    assert re.fullmatch(r"/v1/documents/[0-9a-f]+/file#page=\d+", href), href
    assert re.search(r"page \d+", link.inner_text())
    original = page.request.get(href.split("#")[0])
    assert original.ok and original.headers["content-type"] == "application/pdf" and original.body()[:5] == b"%PDF-"
    passage_link = first.locator("a.page-link").first.get_attribute("href")
    assert re.search(r"#page=\d+$", link_target(passage_link)), passage_link

    if os.environ.get("PROCSEARCH_SCREENSHOT"):
        page.goto("/?" + "q=" + QUESTION.replace(" ", "+"))
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), clip={"x": 0, "y": 0, "width": 1200, "height": 1800}, full_page=True)


def test_the_minutes_filter_shows_only_minutes_and_finds_the_award(page):
    page.goto("/?q=" + QUESTION.replace(" ", "+") + "&type=tender")
    page.get_by_label("Dossier de consultation").uncheck()
    page.get_by_label("Compte rendu / délibération").check()
    page.get_by_label("Votre question ou des mots-clés").press("Enter")
    page.wait_for_url(re.compile(r"type=minutes"))
    assert "type=tender" not in page.url
    types = _types(page)
    assert types and set(types) == {"minutes"}
    assert _sources(page)[0].endswith(LANVALLEC_MINUTES)
    assert page.get_by_label("Compte rendu / délibération").is_checked()


def test_similar_documents_lead_from_the_tender_to_the_minutes_that_awarded_it(page):
    page.goto("/?q=papier+reprographie+Lanvallec&type=tender&ui=en")
    card = page.locator("article.doc").first
    assert card.get_attribute("data-source").endswith(LANVALLEC_TENDERS)
    card.get_by_role("link", name=re.compile("^Similar documents")).click()
    page.wait_for_url(re.compile(r"/similar/[0-9a-f]+\?ui=en$"))
    assert page.get_by_role("heading", level=1, name="Similar documents").is_visible()
    minutes = page.locator("section", has=page.get_by_role("heading", name="Minutes and decisions"))
    assert minutes.locator("article.doc").first.get_attribute("data-source").endswith(LANVALLEC_MINUTES)
    others = page.locator("section article.doc").evaluate_all("els => els.map(e => e.dataset.source)")
    assert any(s.endswith(LANVALLEC_TENDERS) for s in others), others  # its sibling tender document


def test_the_interface_switches_to_english_and_keeps_the_search(page):
    page.goto("/?q=clauses+sociales&type=tender")
    assert page.get_by_text("Type de document").is_visible()
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"ui=en"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Document type", exact=True).is_visible()
    assert page.get_by_label("Your question or keywords").input_value() == "clauses sociales"
    assert page.get_by_label(re.compile(r"^Tender \(\d+ documents\)$")).is_checked()  # its facet count beside it
    assert "q=clauses+sociales" in page.url and "type=tender" in page.url
    page.get_by_label("Your question or keywords").fill("nettoyage")
    page.get_by_label("Your question or keywords").press("Enter")
    page.wait_for_url(re.compile(r"q=nettoyage"))
    assert "ui=en" in page.url and page.locator("html").get_attribute("lang") == "en"
    page.get_by_text("Advanced search").click()
    assert page.get_by_label("Search method").is_visible()


def test_empty_results_suggest_removing_the_filters(page):
    page.goto("/?q=papier&type=law&year_from=2099")
    assert page.get_by_text("Aucun résultat pour cette recherche.").is_visible()
    assert page.locator("article.doc").count() == 0
    page.get_by_role("link", name="Relancer sans filtres").click()
    page.wait_for_load_state()
    assert "type=" not in page.url and "year_from" not in page.url
    assert page.locator("article.doc").count() > 0


def test_a_too_long_query_shows_the_api_message(page):
    page.goto("/")
    box = page.get_by_label("Votre question ou des mots-clés")
    box.fill("papier " * 150)
    box.press("Enter")
    alert = page.get_by_role("alert")
    assert alert.is_visible()
    assert "q: Expected `str` of length <= 1000" in alert.inner_text()
    assert "La recherche n'a pas abouti" in alert.inner_text()


def test_keyboard_focus_is_visible_and_the_page_fits_a_phone(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
    assert outline == "3px", outline
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/?q=clauses+sociales+insertion")
    assert page.locator("article.doc").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _count(label_text: str) -> int:
    return int(re.search(r"\((\d+)", label_text).group(1))


def test_facet_counts_sit_beside_each_filter_and_the_buyer_filter_narrows(page):
    page.goto("/?q=clauses+sociales+insertion")
    summary = page.locator("p.summary").inner_text()
    total = int(re.match(r"(\d+)", summary).group(1))
    guide = page.locator("label[for=type-guide]").inner_text()
    counts = [
        _count(page.locator(f"label[for=type-{code}]").inner_text())
        for code in ("guide", "tender", "minutes", "law", "notice", "other")
    ]
    assert guide.startswith("Guide (") and sum(counts) == total and total > 10
    buyers = page.locator("fieldset.buyers label")
    assert buyers.count() >= 3
    label = buyers.first.inner_text()
    name, expected = label.rsplit(" (", 1)[0], _count(label)
    buyers.first.click()
    page.get_by_role("button", name="Rechercher").first.click()
    page.wait_for_url(re.compile(r"buyer="))
    assert int(re.match(r"(\d+)", page.locator("p.summary").inner_text()).group(1)) >= expected
    metas = page.locator("article.doc ul.meta").all_inner_texts()
    assert metas and all(name in meta for meta in metas)
    assert page.locator("fieldset.buyers input:checked").count() == 1
    assert page.locator("ul.year-counts li").count() > 0


def test_nonsense_shows_the_empty_state_and_no_next_page(page):
    page.goto("/?q=xqzzyv+blorf")
    assert page.get_by_text("Aucun résultat pour cette recherche.").is_visible()
    assert page.locator("article.doc").count() == 0 and page.locator("a[rel=next]").count() == 0


def test_sorting_by_date_lists_the_newest_first_with_their_dates(page):
    page.goto("/?q=clauses+sociales")
    relevance = _sources(page)
    page.get_by_label("Trier par").select_option("date")
    page.get_by_role("button", name="Rechercher").first.click()
    page.wait_for_url(re.compile(r"sort=date"))
    dates = page.locator("article.doc time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert len(dates) == page.locator("article.doc").count() == 10
    assert dates == sorted(dates, reverse=True) and _sources(page) != relevance
    assert page.get_by_label("Trier par").input_value() == "date"


def test_ten_documents_a_page_and_the_next_page_repeats_none(page):
    page.goto("/?q=clauses+sociales+nettoyage")
    first = _sources(page)
    assert len(first) == 10
    page.locator("a[rel=next]").click()
    page.wait_for_url(re.compile(r"offset=10"))
    second = _sources(page)
    assert second and not set(first) & set(second)
    assert re.search(r"\b11\b", page.locator("p.summary").inner_text())
