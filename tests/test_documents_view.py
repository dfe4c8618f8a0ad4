"""Precedents (same procurement first, cut-off, filters), the rendered Markdown/text view, the API schema.

Real model, real Qdrant Edge, real files, through Litestar's TestClient.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import link_target
from litestar.testing import TestClient

from index.collection import open_collection
from index.indexer import ingest_paths
from index.search import SearchFilters
from index.similar import find_precedents, procurement_references, same_procurement
from service.app import create_app
from service.routes.view import render_markdown, section_anchor, view_url
from service.settings import Settings

LAPTOPS = (
    "Supply of two hundred refurbished laptops with a three-year warranty, certified data wiping and "
    "a take-back service at end of life. "
)
CATERING = (
    "School catering services: daily hot meals for primary schools, organic and local produce, "
    "menus approved by a dietitian, and reduction of food waste. "
)
HARDWARE = (
    "Guidance on buying IT hardware: desktop computers, monitors and printers, energy labels, "
    "repairability index and extended warranties for public buyers. "
)


def _corpus(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "northvale-rfq-nv-2023-07-laptops-draft.md").write_text(
        "---\ntitle: RFQ NV-2023-07 Refurbished Laptops (draft)\ndoc_type: tender\nyear: 2023\n---\n"
        "# RFQ NV-2023-07 Refurbished Laptops\n\n" + LAPTOPS * 6,
        encoding="utf-8",
    )
    (root / "northvale-board-2023-07-18-award.md").write_text(
        "---\ntitle: Procurement Board, 18 July 2023\ndoc_type: minutes\nyear: 2023\n---\n# Minutes\n\n"
        "## Item 4: award of RFQ NV-2023-07\n\nThe board awarded the contract for refurbished laptops to "
        "Second Life IT. " * 4,
        encoding="utf-8",
    )
    (root / "rfp-school-catering-2024.md").write_text(
        "---\ntitle: RFP School Catering 2024\ndoc_type: tender\nyear: 2024\n---\n# RFP School Catering\n\n"
        + CATERING * 6,
        encoding="utf-8",
    )
    (root / "guide-it-hardware.md").write_text(
        "---\ntitle: Buying IT hardware\ndoc_type: guide\nyear: 2021\n---\n# Buying IT hardware\n\n" + HARDWARE * 6,
        encoding="utf-8",
    )
    (root / "notes-with-script.md").write_text(
        "---\ntitle: Notes <b>bold</b>\ndoc_type: other\nyear: 2022\nbuyer: Ville de Lanvallec\n---\n"
        "# Section 1 : Objet du marché\n\nLe marché porte sur le <script>alert('x')</script> papier recyclé. "
        "[click](javascript:alert(1))\n\n## Article 4 – Critères\n\n" + "Le critère environnemental compte. " * 30,
        encoding="utf-8",
    )
    (root / "plain.txt").write_text(
        "Article 1\n\nLe texte <img src=x onerror=alert(1)> du marché. " * 3, encoding="utf-8"
    )
    return root


@pytest.fixture(scope="module")
def setup(tmp_path_factory, embedder):
    base = tmp_path_factory.mktemp("precedents")
    settings = Settings(data_dir=base / "data")
    with open_collection(data_dir=settings.data_dir, create=True, embedder=embedder) as collection:
        ingest_paths(collection, [_corpus(base / "docs")], workers=0)
        ids = {r.source.rsplit("/", 1)[-1]: r.document_id for r in collection.documents()}
        with TestClient(create_app(settings, collection=collection)) as client:
            yield client, collection, ids


@pytest.mark.unit
def test_procurement_references_link_versions_and_awards():
    draft = (procurement_references("RFQ NV-2023-07", "docs/northvale-rfq-nv-2023-07-draft.md", ""), set())
    award = (procurement_references("Board", "docs/board.md", "award of RFQ NV-2023-07 to Second Life IT"), set())
    assert draft[0] == award[0] == {"NV202307"} and same_procurement(draft, award)
    cctp = ({"x"}, {"nettoyage", "pays", "rance", "2023"})
    pv_cao = (set(), {"nettoyage", "pays", "rance", "2023"})
    other_year = (set(), {"nettoyage", "pays", "rance", "2019"})
    assert same_procurement(cctp, pv_cao) and not same_procurement(cctp, other_year)


@pytest.mark.integration
def test_the_same_procurement_comes_first_and_weak_documents_are_cut(setup):
    _, collection, ids = setup
    found = find_precedents(collection, ids["northvale-rfq-nv-2023-07-laptops-draft.md"], k=10)
    assert found[0].record.document_id == ids["northvale-board-2023-07-18-award.md"] and found[0].same_procurement
    assert len(found) < len(ids) - 1, "every document was listed: no cut-off"


@pytest.mark.integration
def test_precedents_take_the_search_filters(setup):
    client, collection, ids = setup
    draft = ids["northvale-rfq-nv-2023-07-laptops-draft.md"]
    only_guides = find_precedents(collection, draft, k=10, filters=SearchFilters(doc_types=("guide",)))
    assert all(p.record.doc_type == "guide" for p in only_guides)
    response = client.get(f"/v1/documents/{draft}/similar", params={"type": "minutes"})
    assert response.status_code == 200
    assert {d["doc_type"] for d in response.json()["documents"]} <= {"minutes"}
    bad = client.get(f"/v1/documents/{draft}/similar", params={"type": "leaflet"})
    assert bad.status_code == 400 and "type" in bad.json()["detail"]
    page = client.get(f"/similar/{draft}", params={"type": "leaflet", "ui": "en"})
    assert page.status_code == 400 and "leaflet" in page.text
    assert client.get(f"/v1/documents/{draft}/similar", params={"year_from": 2030}).json()["documents"] == []


@pytest.mark.unit
def test_markdown_renders_escaped_with_anchored_headings():
    html = render_markdown(
        "# Titre II\n\n## Article 14 – Prix\n\nTexte <script>alert(1)</script> [x](javascript:alert(1))\n"
    )
    assert "<script>" not in html and "&lt;script&gt;" in html and 'href="javascript' not in html
    assert f'id="{section_anchor("Titre II > Article 14 – Prix")}"' in html
    assert section_anchor("Titre II > Article 14 – Prix") == "s-article-14-prix"
    assert view_url("abc", "docs/a.md", "Titre II > Article 14 – Prix") == "/view/abc#s-article-14-prix"
    assert view_url("abc", "docs/a.pdf", "x") is None


@pytest.mark.integration
def test_the_view_page_shows_front_matter_as_metadata_and_escapes_everything(setup):
    client, collection, ids = setup
    doc = ids["notes-with-script.md"]
    response = client.get(f"/view/{doc}", params={"ui": "en"})
    assert response.status_code == 200
    page = response.text
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "<b>bold</b>" not in page
    front, body = page.split('class="front-matter"', 1)[1].split("</dl>", 1)
    assert "Ville de Lanvallec" in front and "buyer" in front
    assert "doc_type:" not in body and "Ville de Lanvallec" not in body.split("document-body", 1)[1]
    sections = {c.section for c in collection.chunks(doc)}
    anchors = set(re.findall(r'<h\d id="([^"]+)"', page))
    assert {section_anchor(s) for s in sections if s} <= anchors
    text = client.get(f"/view/{ids['plain.txt']}").text
    assert "<img src=x" not in text and "&lt;img src=x" in text
    assert client.get(f"/view/{ids['guide-it-hardware.md']}").status_code == 200
    assert client.get("/view/0000000000000000").status_code == 404


@pytest.mark.integration
def test_search_results_open_markdown_at_the_passage_section(setup):
    client, _, ids = setup
    page = client.get("/", params={"q": "critère environnemental papier recyclé", "ui": "en"}).text
    links = [link_target(h) for h in re.findall(r'href="([^"]+)"', page)]
    assert any(link.startswith(f"/view/{ids['notes-with-script.md']}#s-") for link in links)


@pytest.mark.integration
def test_the_schema_describes_the_upload_form_keys_and_every_parameter(setup):
    client, _, _ = setup
    schema = client.get("/schema/openapi.json").json()
    upload = schema["paths"]["/v1/documents"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["properties"]["files"]["items"]["format"] == "binary"
    assert set(form["properties"]["doc_type"]["enum"]) >= {"guide", "tender", "law"}
    assert upload["security"] == [{"admin_key": []}]
    schemes = schema["components"]["securitySchemes"]
    assert schemes["admin_key"]["scheme"] == schemes["read_key"]["scheme"] == "bearer"
    undescribed = [
        (path, method, p["name"])
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        for p in op.get("parameters", [])
        if not p.get("description")
    ]
    assert undescribed == []


@pytest.mark.integration
def test_the_api_docs_load_nothing_from_another_site(setup):
    client, _, _ = setup
    for path in ("/schema", "/schema/swagger"):
        page = client.get(path).text
        assets = re.findall(r"""(?:src|href)=['"]([^'"]+)""", page)
        assert assets and all(a.startswith("/api-docs-assets/") for a in assets), assets
        for asset in assets:
            assert client.get(asset).status_code == 200
    assert "cdn" not in client.get("/", params={"ui": "en"}).text.lower()
