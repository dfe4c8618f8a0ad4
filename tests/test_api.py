"""The HTTP API on the real app, real model and Qdrant Edge in a temporary folder."""

from pathlib import Path

import pytest
from conftest import ADMIN, ADMIN_KEY, api_corpus
from litestar.testing import TestClient

from index.collection import open_collection
from index.indexer import ingest_paths
from service.app import create_app
from service.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(tmp_path_factory, embedder):
    base = tmp_path_factory.mktemp("api")
    settings = Settings(data_dir=base / "data", admin_key=ADMIN_KEY, max_upload_mb=1)
    with open_collection(data_dir=settings.data_dir, create=True, embedder=embedder) as collection:
        ingest_paths(collection, [api_corpus(base / "docs")], workers=0)
        with TestClient(create_app(settings, collection=collection)) as test_client:
            yield test_client


def test_search_returns_passages_with_highlights_pages_and_their_documents(client):
    body = client.get("/v1/search", params={"q": "clauses sociales insertion nettoyage", "k": 5}).json()
    assert body["mode"] == "hybrid" and body["query"] and body["took_ms"] >= 0
    passage = body["passages"][0]
    assert "<mark>" in passage["highlight"] and passage["page"] >= 1
    documents = {d["id"]: d for d in body["documents"]}
    assert set(documents) == {p["document_id"] for p in body["passages"]}
    for doc in body["documents"]:
        assert doc["url"] == f"/v1/documents/{doc['id']}/file" and doc["passages"]
        assert all(p in {q["id"] for q in body["passages"]} for p in doc["passages"])
    scores = [d["score"] for d in body["documents"]]
    assert scores == sorted(scores, reverse=True)
    pdf = next(d for d in body["documents"] if d["source"].endswith("ccap-nettoyage-2023.pdf"))
    assert pdf["doc_type"] == "tender" and pdf["pages"] == 3 and pdf["year"] == 2023


def test_highlight_is_html_escaped_except_mark(client):
    passage = client.get("/v1/search", params={"q": "<script>clauses</script>"}).json()["passages"][0]
    assert "<script>" not in passage["highlight"]


def test_post_search_accepts_lists_of_filters(client):
    body = client.post("/v1/search", json={"q": "contract award", "type": ["minutes", "guide"], "lang": ["en"]}).json()
    assert body["documents"] and all(d["doc_type"] == "minutes" and d["language"] == "en" for d in body["documents"])
    body = client.get("/v1/search", params=[("q", "contract"), ("year_from", "2018"), ("year_to", "2020")]).json()
    assert {d["year"] for d in body["documents"]} == {2019}


def test_page_two_continues_page_one_without_overlap(client):
    first = client.get("/v1/search", params={"q": "marché", "k": 3}).json()["passages"]
    second = client.get("/v1/search", params={"q": "marché", "k": 3, "offset": 3}).json()["passages"]
    both = client.get("/v1/search", params={"q": "marché", "k": 6}).json()["passages"]
    assert [p["id"] for p in first + second] == [p["id"] for p in both]


def test_overlapping_chunks_are_not_repeated(client):
    passages = client.get("/v1/search", params={"q": "heures d'insertion facilitateur", "k": 20}).json()["passages"]
    texts = [" ".join(p["text"].split())[:200] for p in passages]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "empty"),
        ({"q": "x" * 1001}, "q"),
        ({"q": "x", "k": 0}, "k"),
        ({"q": "x", "k": 101}, "k"),
        ({"q": "x", "offset": -1}, "offset"),
        ({"q": "x", "mode": "magic"}, "mode"),
        ({"q": "x", "lang": "xx"}, "lang"),
        ({"q": "x", "type": "poem"}, "type"),
        ({"q": "x", "year_from": 2024, "year_to": 2020}, "year_from"),
    ],
)
def test_bad_search_requests_get_a_400_with_a_message(client, params, fragment):
    response = client.get("/v1/search", params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"status_code", "detail"} and body["status_code"] == 400 and fragment in body["detail"]


def test_malformed_json_is_a_400(client):
    response = client.post("/v1/search", content=b'{"q": ', headers={"content-type": "application/json"})
    assert response.status_code == 400 and "JSON" in response.json()["detail"]
    assert client.post("/v1/search", json={"q": "x", "bogus": 1}).status_code == 400


def test_documents_listing_detail_file_and_404(client):
    listing = client.get("/v1/documents", params={"type": "tender"}).json()
    assert listing["total"] == 2 and {d["doc_type"] for d in listing["documents"]} == {"tender"}
    page = client.get("/v1/documents", params={"limit": 2, "offset": 2}).json()
    assert page["total"] == 5 and len(page["documents"]) == 2
    pdf = next(d for d in client.get("/v1/documents").json()["documents"] if d["source"].endswith(".pdf"))
    detail = client.get(f"/v1/documents/{pdf['id']}").json()
    assert detail["document"]["pages"] == 3 and {c["page"] for c in detail["chunks"]} <= {1, 2, 3}
    original = client.get(pdf["url"])
    assert original.status_code == 200 and original.headers["content-type"] == "application/pdf"
    assert original.content.startswith(b"%PDF")
    missing = client.get("/v1/documents/0000000000000000")
    assert missing.status_code == 404 and "0000000000000000" in missing.json()["detail"]
    assert client.get("/v1/documents/..%2F..%2Fetc%2Fpasswd/file").status_code == 404


def test_similar_documents(client):
    docs = client.get("/v1/documents").json()["documents"]
    minutes = next(d for d in docs if d["source"].endswith("minutes-2017.txt"))
    similar = client.get(f"/v1/documents/{minutes['id']}/similar", params={"k": 3}).json()["documents"]
    assert similar[0]["source"].endswith("minutes-2019.txt") and minutes["id"] not in {d["id"] for d in similar}


def test_write_endpoints_need_the_admin_key(client):
    files = {"files": ("note.txt", b"Compte rendu de la commission.", "text/plain")}
    assert client.post("/v1/documents", files=files).status_code == 401
    assert client.post("/v1/documents", files=files, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.delete("/v1/documents/abc").status_code == 401


def test_write_endpoints_are_403_with_a_hint_when_no_admin_key_is_configured(tmp_path, embedder):
    with (
        open_collection(data_dir=tmp_path / "d", create=True, embedder=embedder) as collection,
        TestClient(create_app(Settings(data_dir=tmp_path / "d"), collection=collection)) as c,
    ):
        response = c.post("/v1/documents", files={"files": ("a.txt", b"x", "text/plain")})
        assert response.status_code == 403 and "PROCSEARCH_ADMIN_KEY" in response.json()["detail"]


def test_api_keys_protect_read_endpoints(tmp_path, embedder):
    settings = Settings(data_dir=tmp_path / "k", api_keys=("reader",))
    with (
        open_collection(data_dir=settings.data_dir, create=True, embedder=embedder) as collection,
        TestClient(create_app(settings, collection=collection)) as c,
    ):
        assert c.get("/v1/search", params={"q": "x"}).status_code == 401
        assert c.get("/v1/search", params={"q": "x"}, headers={"Authorization": "Bearer reader"}).status_code == 200


def test_upload_is_searchable_on_return_then_delete(client):
    text = (
        "Procès-verbal de la commission d'appel d'offres de Lanvallec : le lot papier recyclé est attribué "
        "aux Papeteries de l'Aulne avec une note environnementale de 28 sur 30. "
    ) * 4
    response = client.post(
        "/v1/documents",
        files={"files": ("pv-cao-papier.txt", text.encode(), "text/plain")},
        data={"doc_type": "minutes"},
        headers=ADMIN,
    )
    assert response.status_code == 201, response.text
    uploaded = response.json()["files"][0]
    assert uploaded["status"] == "added" and uploaded["document"]["doc_type"] == "minutes"
    hits = client.get("/v1/search", params={"q": "Papeteries de l'Aulne papier recyclé"}).json()["documents"]
    assert hits[0]["id"] == uploaded["document"]["id"]
    again = client.post(
        "/v1/documents",
        files={"files": ("pv-cao-papier.txt", text.encode(), "text/plain")},
        data={"doc_type": "minutes"},
        headers=ADMIN,
    )
    assert again.json()["files"][0]["status"] == "unchanged"
    assert client.delete(f"/v1/documents/{uploaded['document']['id']}", headers=ADMIN).status_code == 204
    assert client.get(f"/v1/documents/{uploaded['document']['id']}").status_code == 404


def test_upload_errors(client):
    before = client.get("/health").json()
    unsupported = client.post(
        "/v1/documents", files={"files": ("x.exe", b"MZ", "application/octet-stream")}, headers=ADMIN
    )
    assert unsupported.status_code == 415 and ".exe" in unsupported.json()["detail"]
    broken = client.post(
        "/v1/documents", files={"files": ("bad.pdf", b"%PDF-1.4 garbage", "application/pdf")}, headers=ADMIN
    )
    assert broken.status_code == 422 and "bad.pdf" in broken.json()["detail"]
    too_big = client.post("/v1/documents", files={"files": ("big.txt", b"a " * 700_000, "text/plain")}, headers=ADMIN)
    assert too_big.status_code == 413
    after = client.get("/health").json()
    assert (after["documents"], after["chunks"]) == (before["documents"], before["chunks"])


def test_health_and_openapi(client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["documents"] >= 5 and health["backend"] == "qdrant-edge"
    assert health["model"] == "all-MiniLM-L6-v2" and "hits" in health["query_cache"]
    schema = client.get("/schema/openapi.json").json()
    params = {p["name"]: p for p in schema["paths"]["/v1/search"]["get"]["parameters"]}
    assert set(params) >= {"q", "k", "offset", "lang", "type", "year_from", "year_to", "mode"}
    assert all(p.get("description") for p in params.values())


def test_near_duplicate_versions_collapse_into_one_entry(client):
    text = " ".join(
        f"Requirement {n}: refurbished laptops of batch {n} carry EPEAT registration, battery health "
        f"above {70 + n} percent and certified data erasure of the {n * 10} returned devices."
        for n in range(20)
    )
    for name, body in (("rfq-laptops-draft.txt", text), ("rfq-laptops-final.txt", text + " Deadline: 9 June.")):
        assert (
            client.post(
                "/v1/documents", files={"files": (name, body.encode(), "text/plain")}, headers=ADMIN
            ).status_code
            == 201
        )
    documents = client.get("/v1/search", params={"q": "refurbished laptops EPEAT data erasure"}).json()["documents"]
    laptops = [d for d in documents if "rfq-laptops" in d["source"]]
    assert len(laptops) == 1, "two versions, one entry"
    assert [v["source"] for v in laptops[0]["versions"]] and "rfq-laptops" in laptops[0]["versions"][0]["source"]


def test_the_service_loads_langdetect_and_the_glossary_in_the_background_once_it_answers(
    monkeypatch, edge_collection, tmp_path
):
    import time

    import langdetect.detector_factory as factory

    import ingest.language as language
    from index import glossary

    monkeypatch.setattr(factory, "_factory", None)
    monkeypatch.setattr(language, "_profiles_loaded", False)
    glossary._index.cache_clear()
    glossary._longest.cache_clear()  # computed from the index, one entry per language
    with TestClient(create_app(Settings(data_dir=tmp_path / "data"), collection=edge_collection)) as test_client:
        assert test_client.get("/health").status_code == 200
        deadline = time.monotonic() + 60
        while not (language._profiles_loaded and glossary._longest.cache_info().currsize == 2):
            assert time.monotonic() < deadline, "the background warm-up did not finish"
            time.sleep(0.05)
    assert len(factory._factory.langlist) == 55


def test_the_app_starts_without_importing_litestars_pydantic_plugins(tmp_path):
    """They cost about 0.2 s of every start and serve nothing: the API speaks msgspec."""
    import subprocess
    import sys

    code = (
        "import sys; from service.app import create_app; from service.settings import Settings; "
        f"create_app(Settings(data_dir={str(tmp_path)!r})); "
        "print(sorted(m for m in sys.modules if m.startswith('litestar.plugins.pydantic')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert out.stdout.strip() == "[]"
