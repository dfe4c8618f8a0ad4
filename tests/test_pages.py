"""The search page, server-rendered, through Litestar's TestClient (real model, real Qdrant Edge, real PDF)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import make_pdf
from litestar.testing import TestClient

from index.collection import open_collection
from index.indexer import ingest_paths
from service.app import create_app
from service.i18n import accept_language, choose_ui
from service.settings import Settings

PAPER_CRITERIA = (
    "Article 4 – Critères d'attribution\nLe critère environnemental pèse 30 % de la note : part de papier "
    "recyclé, écolabel européen, emballages réduits. Le papier de reprographie doit contenir au moins "
    "90 % de fibres recyclées. "
)


def _corpus(root: Path) -> Path:
    (root / "fr").mkdir(parents=True)
    (root / "en").mkdir()
    make_pdf(
        root / "fr" / "cctp-papier-lanvallec-2022.pdf",
        [
            "Cahier des clauses techniques particulières. Fourniture de papier de reprographie pour la Ville de "
            "Lanvallec. " * 5,
            PAPER_CRITERIA * 3,
            "Article 6 – Livraison\n" + "Les livraisons ont lieu chaque mois dans les écoles de la ville. " * 6,
        ],
        header="Ville de Lanvallec — CCTP papier 2022",
        title="CCTP papier de reprographie Lanvallec",
    )
    (root / "fr" / "pv-cao-papier-lanvallec-2022.md").write_text(
        "---\ntitle: Procès-verbal de la CAO — papier de reprographie\ndoc_type: minutes\nyear: 2022\n"
        "buyer: Ville de Lanvallec\n---\n# Procès-verbal\n\n"
        + (
            "La commission d'appel d'offres attribue le marché de "
            "papier de reprographie à Bureau Ouest Fournitures, "
            "classé premier sur le critère environnemental. "
        )
        * 6,
        encoding="utf-8",
    )
    (root / "en" / "rfq-laptops-final.md").write_text(
        "---\ntitle: RFQ Refurbished Laptops (final)\ndoc_type: tender\nyear: 2023\n"
        'versions: ["RFQ Refurbished Laptops (draft, May 2023)"]\n---\n# RFQ Refurbished Laptops\n\n'
        + "Supply of two hundred refurbished laptops with a three-year warranty and certified data wiping. "
        * 8,
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def setup(tmp_path_factory, embedder):
    base = tmp_path_factory.mktemp("pages")
    settings = Settings(data_dir=base / "data")
    with open_collection(data_dir=settings.data_dir, create=True, embedder=embedder) as collection:
        ingest_paths(collection, [_corpus(base / "docs")], workers=0)
        with TestClient(create_app(settings, collection=collection)) as client:
            yield client, collection


@pytest.fixture(scope="module")
def client(setup):
    return setup[0]


class Page(HTMLParser):
    """The few things the tests look at: tags with their attributes, labels, and the text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def links(self) -> list[str]:
        return [a["href"] for t, a in self.tags if t == "a" and "href" in a]


def _articles(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<article class="doc"[^>]*data-source="([^"]*)" data-type="([^"]*)"', html)


@pytest.mark.integration
def test_home_page_has_a_labelled_form_landmarks_and_the_browser_language(client):
    response = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = Page(response.text)
    assert page.find("html")[0]["lang"] == "fr" and response.headers["content-language"] == "fr"
    assert "Votre question ou des mots-clés" in response.text and "Recherche avancée" in response.text
    for landmark in ("header", "main", "footer", "nav"):
        assert page.find(landmark), landmark
    assert page.find("form", role="search") and page.find("details")
    labelled = {a["for"] for a in page.find("label")}
    controls = [a for t, a in page.tags if t in ("input", "select", "textarea") and a.get("type") != "hidden"]
    assert controls and all(c["id"] in labelled for c in controls), "every control has a <label for>"
    assert page.find("a", class_="skip", href="#content") and page.find("main", id="content")
    assert "results" not in response.text.split("</form>")[1]  # no search yet, no results section
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert Page(english.text).find("html")[0]["lang"] == "en" and "Your question or keywords" in english.text


@pytest.mark.unit
def test_accept_language_picks_the_preferred_ui_language():
    assert accept_language("de-DE,de;q=0.9,fr;q=0.8,en;q=0.5") == "fr"
    assert accept_language("en-US,en;q=0.9,fr;q=0.8") == "en"
    assert accept_language("fr;q=0.2, en;q=0.7") == "en"
    assert accept_language("de, es") is None and accept_language(None) is None
    assert choose_ui("en", "fr-FR") == "en" and choose_ui("xx", "fr-FR") == "fr" and choose_ui(None, None) == "en"


@pytest.mark.integration
def test_results_are_grouped_by_document_with_highlights_pages_and_file_links(client, setup):
    response = client.get(
        "/", params={"q": "critère environnemental papier recyclé Lanvallec"}, headers={"Accept-Language": "fr"}
    )
    assert response.status_code == 200
    articles = _articles(response.text)
    sources = [s for s, _ in articles]
    assert sources[0].endswith("cctp-papier-lanvallec-2022.pdf") and any(
        s.endswith("pv-cao-papier-lanvallec-2022.md") for s in sources
    )
    assert len(sources) == len(set(sources)), "one card per document"
    assert "<mark>" in response.text and "Dossier de consultation" in response.text and "2022" in response.text
    doc_id = next(d.document_id for d in setup[1].documents() if d.source.endswith("cctp-papier-lanvallec-2022.pdf"))
    links = Page(response.text).links()
    assert f"/v1/documents/{doc_id}/file#page=2" in links  # the criteria are on page 2
    assert f"/similar/{doc_id}" in links
    pdf = client.get(f"/v1/documents/{doc_id}/file")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    minutes = next(a for a in Page(response.text).links() if a.startswith("/view/"))
    assert client.get(minutes.split("#")[0]).status_code == 200  # a Markdown file opens as a rendered page


@pytest.mark.integration
def test_the_query_is_escaped_and_only_highlights_are_raw_html(client):
    response = client.get("/", params={"q": '<script>alert("x")</script> papier "recyclé"'})
    assert response.status_code == 200
    assert "<script>" not in response.text and "&lt;script&gt;alert(" in response.text
    assert re.search(r"<mark>[^<]*</mark>", response.text)
    assert "<img" not in client.get("/", params={"q": "<img src=x onerror=alert(1)>"}).text


@pytest.mark.integration
def test_filters_are_kept_in_the_form_and_in_every_link(client):
    response = client.get("/", params=[("q", "papier"), ("type", "minutes"), ("year_from", "2020"), ("ui", "en")])
    assert response.status_code == 200
    types = {t for _, t in _articles(response.text)}
    assert types == {"minutes"}
    page = Page(response.text)
    assert page.find("input", id="type-minutes")[0].get("checked") is not None
    assert page.find("input", id="type-tender")[0].get("checked") is None
    assert page.find("input", id="year_from")[0]["value"] == "2020"
    assert page.find("input", type="hidden", name="ui")[0]["value"] == "en"
    switch = next(a for a in page.find("a") if a.get("hreflang") == "fr")
    query = parse_qs(urlsplit(switch["href"]).query)
    assert query == {"q": ["papier"], "type": ["minutes"], "year_from": ["2020"], "ui": ["fr"]}


@pytest.mark.integration
def test_the_interface_switches_language_and_remembers_it_in_links(client):
    response = client.get("/", params={"q": "papier", "ui": "en"}, headers={"Accept-Language": "fr-FR,fr"})
    page = Page(response.text)
    assert page.find("html")[0]["lang"] == "en"
    for label in ("Document type", "Document language", "Advanced search", "Search method", "Similar documents"):
        assert label in response.text, label
    assert "Type de document" not in response.text
    similar = [h for h in page.links() if h.startswith("/similar/")]
    assert similar and all(h.endswith("?ui=en") for h in similar)
    assert page.find("span", **{"aria-current": "true"})[0]["lang"] == "en"
    french = client.get("/", params={"q": "papier", "ui": "fr"}, headers={"Accept-Language": "en"})
    assert "Type de document" in french.text and Page(french.text).find("html")[0]["lang"] == "fr"
    unset = Page(client.get("/", params={"q": "papier"}).text)
    assert not unset.find("input", type="hidden", name="ui"), "without ?ui= the browser language decides"


@pytest.mark.integration
def test_empty_results_say_so_and_offer_to_remove_the_filters(client):
    response = client.get("/", params=[("q", "papier"), ("type", "law"), ("year_from", "2099"), ("ui", "fr")])
    assert response.status_code == 200 and not _articles(response.text)
    assert "Aucun résultat pour cette recherche." in response.text
    retry = next(
        a["href"]
        for a in Page(response.text).find("a")
        if "type=" not in a.get("href", "") and "q=papier" in a.get("href", "")
    )
    assert parse_qs(urlsplit(retry).query) == {"q": ["papier"], "ui": ["fr"]}
    assert _articles(client.get(retry).text)


@pytest.mark.integration
def test_api_errors_show_the_api_message(client):
    long = "papier " * 150
    response = client.get("/", params={"q": long, "ui": "en"})
    api = client.get("/v1/search", params={"q": long}).json()["detail"]
    assert response.status_code == 400 and "The search failed" in response.text
    message = "q: Expected `str` of length &lt;= 1000"
    assert message in response.text and api.endswith("q: Expected `str` of length <= 1000")
    assert 'role="alert"' in response.text and Page(response.text).find("input", id="q")[0]["value"] == long
    swapped = client.get("/", params={"q": "papier", "year_from": "2023", "year_to": "2020"})
    assert swapped.status_code == 400 and "year_from is after year_to" in swapped.text
    assert (
        client.get("/v1/search", params={"q": "papier", "year_from": "2023", "year_to": "2020"}).json()["detail"]
        == "year_from is after year_to"
    )
    bad = client.get("/", params={"q": "papier", "year_from": "deux mille", "ui": "fr"})
    assert bad.status_code == 400 and "entre 1900 et 2100" in bad.text


@pytest.mark.integration
def test_similar_page_lists_precedents_by_type(client, setup):
    records = {d.source.rsplit("/", 1)[-1]: d for d in setup[1].documents()}
    tender = records["cctp-papier-lanvallec-2022.pdf"].document_id
    response = client.get(f"/similar/{tender}", params={"ui": "en"})
    assert response.status_code == 200 and "Similar documents" in response.text
    sources = [s for s, _ in _articles(response.text)]
    assert any(s.endswith("pv-cao-papier-lanvallec-2022.md") for s in sources)
    assert "Minutes and decisions" in response.text and not any(
        s.endswith("cctp-papier-lanvallec-2022.pdf") for s in sources
    )
    missing = client.get("/similar/0000000000000000", params={"ui": "en"})
    assert missing.status_code == 404 and "Document not found." in missing.text


@pytest.mark.integration
def test_other_versions_are_noted(client):
    response = client.get("/", params={"q": "refurbished laptops warranty", "ui": "en"})
    assert "Other versions of this document:" in response.text
    assert "RFQ Refurbished Laptops (draft, May 2023)" in response.text


@pytest.mark.integration
def test_pages_do_not_change_the_api(client):
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert not [p for p in paths if not p.startswith(("/v1/", "/health"))]
    css = client.get("/static/search.css")
    assert (
        css.status_code == 200 and css.headers["content-type"].startswith("text/css") and ":focus-visible" in css.text
    )
    assert client.get("/v1/search", params={"q": "papier"}).headers["content-type"].startswith("application/json")


@pytest.mark.integration
def test_pages_need_a_key_when_the_api_does(setup, tmp_path):
    _, collection = setup
    with TestClient(create_app(Settings(data_dir=tmp_path, api_keys=("reader",)), collection=collection)) as locked:
        assert locked.get("/", params={"q": "papier"}).status_code == 401
        assert locked.get("/", params={"q": "papier"}, headers={"Authorization": "Bearer reader"}).status_code == 200
