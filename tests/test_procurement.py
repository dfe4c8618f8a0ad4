"""Tender fields as filters, facets and precedents, through the API on both backends (Edge and qdrant-client).

The corpus (conftest.TENDERS) is four small tenders whose stated fields are known and a guide with none:
each filter is checked to keep exactly the documents whose fields say so.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import tender_corpus
from litestar.testing import TestClient

from index.cpv import divisions, reached_prefixes, significant_prefix
from index.indexer import ingest_paths
from service.app import create_app
from service.settings import Settings

pytestmark = pytest.mark.integration
QUERY = "mobilier de bureau sièges et bureaux"
ALL_TENDERS = {
    "fr/rc-mobilier-bureau-2024.md",
    "fr/rc-mobilier-scolaire-2022.md",
    "en/itt-office-chairs-2023.md",
    "fr/cctp-travaux-ecole-2024.md",
}


@pytest.fixture(scope="module", params=["qdrant-edge", "qdrant-server"])
def client(request, tmp_path_factory, embedder):
    from index.collection import open_collection

    base = tmp_path_factory.mktemp("procurement")
    settings = Settings(data_dir=base / "data")
    where = {"data_dir": base / "data"} if request.param == "qdrant-edge" else {"url": ":memory:"}
    with open_collection(create=True, embedder=embedder, **where) as collection:
        ingest_paths(collection, [tender_corpus(base / "docs")], workers=0)
        assert collection.backend == request.param
        with TestClient(create_app(settings, collection=collection)) as test_client:
            yield test_client


def _found(client, **params) -> set[str]:
    response = client.get("/v1/search", params={"q": QUERY, "k": 20, **params})
    assert response.status_code == 200, response.text
    return {_source(d) for d in response.json()["documents"]}


def _source(document: dict) -> str:
    """The document's path under the ingested folder (`docs/`)."""
    return document["source"].removeprefix("docs/")


def test_every_document_is_found_without_filters(client):
    assert _found(client) >= ALL_TENDERS


def test_a_cpv_code_finds_its_sub_codes_and_nothing_else(client):
    assert _found(client, cpv="39100000") == {
        "fr/rc-mobilier-bureau-2024.md",  # 39130000 and 39112000
        "fr/rc-mobilier-scolaire-2022.md",  # 39160000
        "en/itt-office-chairs-2023.md",  # 39110000
    }
    assert _found(client, cpv="39110000") == {"fr/rc-mobilier-bureau-2024.md", "en/itt-office-chairs-2023.md"}
    assert _found(client, cpv="45000000-7") == {"fr/cctp-travaux-ecole-2024.md"}
    assert _found(client, cpv=["39160000", "45214200"]) == {
        "fr/rc-mobilier-scolaire-2022.md",
        "fr/cctp-travaux-ecole-2024.md",
    }


def test_procedure_value_currency_and_deadline_filters(client):
    assert _found(client, procedure="adapted") == {"fr/rc-mobilier-bureau-2024.md", "fr/rc-mobilier-scolaire-2022.md"}
    assert _found(client, value_min=100000) == {"en/itt-office-chairs-2023.md", "fr/cctp-travaux-ecole-2024.md"}
    assert _found(client, value_min=100000, currency="EUR") == {"fr/cctp-travaux-ecole-2024.md"}
    assert _found(client, value_min=50000, value_max=100000) == {"fr/rc-mobilier-bureau-2024.md"}
    assert _found(client, deadline_from="2024-01-01") == {
        "fr/rc-mobilier-bureau-2024.md",
        "fr/cctp-travaux-ecole-2024.md",
    }
    assert _found(client, deadline_from="2023-06-02", deadline_to="2024-03-15") == {
        "en/itt-office-chairs-2023.md",
        "fr/rc-mobilier-bureau-2024.md",
    }


def test_post_takes_the_same_filters(client):
    body = {"q": QUERY, "k": 20, "cpv": ["39100000"], "procedure": "open", "deadline_to": "2023-12-31"}
    response = client.post("/v1/search", json=body)
    assert response.status_code == 200, response.text
    assert {_source(d) for d in response.json()["documents"]} == {"en/itt-office-chairs-2023.md"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"cpv": "chairs"}, "cpv"),
        ({"cpv": "3"}, "cpv"),
        ({"procedure": "auction"}, "procedure"),
        ({"value_min": "-5"}, "value_min"),
        ({"value_min": 200, "value_max": 100}, "value_min (200) is above value_max (100)"),
        ({"deadline_from": "2024-02-30"}, "deadline_from"),
        ({"deadline_from": "2024-05-01", "deadline_to": "2024-01-01"}, "deadline_from (2024-05-01) is after"),
        ({"currency": "euro"}, "currency"),
    ],
)
def test_bad_filter_values_are_400_with_the_reason(client, params, message):
    response = client.get("/v1/search", params={"q": QUERY, **params})
    assert response.status_code == 400, response.text
    assert message in response.json()["detail"]


def test_facets_count_cpv_divisions_with_their_official_labels_and_procedures(client):
    facets = client.get("/v1/search", params={"q": QUERY, "k": 20}).json()["facets"]
    assert facets["cpv_division"] == {"39": 3, "45": 1}
    assert facets["cpv_division_labels"]["45"] == {"en": "Construction work", "fr": "Travaux de construction"}
    assert facets["cpv_division_labels"]["39"]["fr"].startswith("Meubles (y compris les meubles de bureau)")
    assert facets["procedure"] == {"adapted": 2, "open": 2}
    filtered = client.get("/v1/search", params={"q": QUERY, "k": 20, "cpv": "39"}).json()
    assert filtered["total_documents"] == 3
    assert filtered["facets"]["cpv_division"] == {"39": 3, "45": 1}  # a facet's counts leave its own filter out
    assert filtered["facets"]["procedure"] == {"adapted": 2, "open": 1}


def test_the_buyer_facet_and_filter_read_the_tender_fields_buyer(client):
    facets = client.get("/v1/search", params={"q": QUERY, "k": 20}).json()["facets"]
    assert facets["buyer"]["Ville de Kerbourg"] == 2
    assert _found(client, buyer="Northvale County Council") == {"en/itt-office-chairs-2023.md"}


def test_precedents_of_a_tender_share_its_cpv_and_say_why(client):
    documents = client.get("/v1/documents", params={"limit": 50}).json()["documents"]
    ids = {_source(d): d["id"] for d in documents}
    response = client.get(f"/v1/documents/{ids['fr/rc-mobilier-bureau-2024.md']}/similar", params={"k": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    sources = [_source(d) for d in body["documents"]]
    # the two tenders that share a CPV group (391) come before the works tender and the guide
    assert set(sources[:2]) == {"en/itt-office-chairs-2023.md", "fr/rc-mobilier-scolaire-2022.md"}
    notes = {note["id"]: note for note in body["precedents"]}
    assert [n["id"] for n in body["precedents"]] == [d["id"] for d in body["documents"]]
    chairs = notes[ids["en/itt-office-chairs-2023.md"]]
    assert chairs["shared_cpv"] == [
        {"code": "3911", "division": "39", "label_en": divisions()["39"].en, "label_fr": divisions()["39"].fr}
    ]
    assert chairs["same_buyer"] is False and "price" in chairs["shared_criteria"]
    school = notes[ids["fr/rc-mobilier-scolaire-2022.md"]]
    assert [s["code"] for s in school["shared_cpv"]] == ["391"]
    assert school["shared_criteria"] == ["environment", "price", "technical"]
    assert [c["weight"] for c in school["criteria"]] == [50, 30, 20]
    assert [(c["category"], c["weight"]) for c in body["criteria"]] == [
        ("price", 40),
        ("technical", 35),
        ("environment", 25),
    ]


@pytest.mark.unit
def test_cpv_prefixes_follow_the_hierarchy():
    assert significant_prefix("39100000") == "391"
    assert significant_prefix("39100000-3") == "391"
    assert significant_prefix("03000000") == "03"
    assert significant_prefix("45") == "45"
    assert reached_prefixes(["39112000"]) == ["39", "391", "3911", "39112"]
    with pytest.raises(ValueError, match="not a CPV code"):
        significant_prefix("391000001")
    assert len(divisions()) == 45 and divisions()["45"].code == "45000000-7"


def test_a_store_written_before_the_tender_keys_matches_nothing_until_reingested(tmp_path: Path, embedder, monkeypatch):
    import index.indexer
    import index.writes
    from index.collection import open_collection
    from index.results import SearchFilters
    from index.search import search

    docs = tender_corpus(tmp_path / "docs")
    with open_collection(data_dir=tmp_path / "data", create=True, embedder=embedder) as collection:
        with monkeypatch.context() as old:
            old.setattr(index.writes, "tender_payload", lambda extra: {})  # the payload of PIPELINE_VERSION 5
            ingest_paths(collection, [docs], workers=0)
        furniture = SearchFilters(cpv=("391",))
        assert search(collection, QUERY, k=20).total_documents >= 4
        assert search(collection, QUERY, k=20, filters=furniture).total_documents == 0
        monkeypatch.setattr(index.indexer, "PIPELINE_VERSION", index.indexer.PIPELINE_VERSION + "-next")
        report = ingest_paths(collection, [docs], workers=0)
        assert report.updated or report.added
        assert search(collection, QUERY, k=20, filters=furniture).total_documents == 3
