"""The service under hostile clients (issue 15, items 7–10 and 12): keys, bodies, limits, headers.

The app is the real one on a real (empty or small) Qdrant Edge store and the packaged model; the raw-socket
tests run it under uvicorn exactly as `procsearch serve` configures it. Keys are non-ASCII on purpose.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import ROOT
from litestar.testing import TestClient

from eval.bench_http import Server
from index.collection import open_collection
from service.app import create_app
from service.limits import MAX_RESULT_WINDOW, SearchGate
from service.security_headers import DOCS_POLICY, PAGE_POLICY
from service.settings import Settings

ADMIN_KEY = "clé-d'administration-du-réseau"  # non-ASCII, over 16 characters
READ_KEY = "lecteur-été"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}".encode()}
READER = {"Authorization": f"Bearer {READ_KEY}".encode()}

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("hostile") / "data",
        admin_key=ADMIN_KEY,
        api_keys=(READ_KEY,),
        max_upload_mb=50,  # the default: the 40 MB announced below is within it, so only the key can refuse it
        parse_timeout=30,
    )


@pytest.fixture(scope="module")
def collection(settings, embedder):
    with open_collection(data_dir=settings.data_dir, create=True, embedder=embedder) as opened:
        yield opened


@pytest.fixture(scope="module")
def client(settings, collection):
    with TestClient(create_app(settings, collection=collection)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def server(settings, collection):
    with Server(collection, settings, header_timeout=1.0) as running:
        yield running


def _raw_exchange(url: str, request: bytes, timeout: float = 10.0) -> bytes:
    """Send `request` as is and return what the server answers first (b"" if it closed the connection)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(request)
        return sock.recv(65536)


# 7. Authenticate before reading a body


def test_an_unauthenticated_upload_is_refused_from_its_headers_alone(server):
    """40 MB announced, none sent: the 401 comes at once (the old code waited for the body, then parsed it)."""
    for path, expected in (("/v1/documents", b"401"), ("/v1/search", b"401")):
        answer = _raw_exchange(
            server.url,
            f"POST {path} HTTP/1.1\r\nHost: localhost\r\n"
            "Content-Type: multipart/form-data; boundary=xyz\r\n"
            "Content-Length: 40000000\r\n\r\n".encode(),
        )
        assert answer.split(b"\r\n", 1)[0].split(b" ")[1] == expected, answer[:200]
        assert b"www-authenticate: Bearer" in answer.lower().replace(b"bearer", b"Bearer")


def test_an_unauthenticated_upload_never_reaches_the_multipart_parser(client, monkeypatch):
    """Nothing of it is parsed, so nothing is spooled to a temporary file; the same upload with the key is."""
    import litestar._kwargs.extractors as extractors

    calls = []
    real = extractors.parse_multipart_form

    async def spy(*args, **kwargs):
        calls.append(1)
        return await real(*args, **kwargs)

    monkeypatch.setattr(extractors, "parse_multipart_form", spy)
    body = {"files": ("avis.txt", b"Avis de marche pour le nettoyage des locaux. " * 2000, "text/plain")}
    assert client.post("/v1/documents", files=body).status_code == 401
    assert client.post("/v1/documents", files=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/v1/documents", files=body, headers=READER).status_code == 401  # a read key cannot write
    assert calls == []
    assert client.post("/v1/documents", files={"files": ("x.exe", b"MZ")}, headers=ADMIN).status_code == 415
    assert calls == [1]


# 8. Keys


def test_keys_are_compared_as_bytes_and_a_401_names_its_scheme(client):
    odd = client.get("/v1/search", params={"q": "marché"}, headers={"Authorization": "Bearer clé-inconnue".encode()})
    assert odd.status_code == 401 and odd.headers["www-authenticate"].startswith("Bearer")
    latin1 = client.get("/v1/search", params={"q": "marché"}, headers={"Authorization": b"Bearer \xe9\xff"})
    assert latin1.status_code == 401
    assert client.get("/v1/search", params={"q": "marché"}, headers=READER).status_code == 200
    assert client.get("/v1/search", params={"q": "marché"}, headers=ADMIN).status_code == 200


def test_a_non_ascii_admin_key_uploads_and_deletes(client):
    text = "Procès-verbal de la commission : le lot de papier recyclé est attribué aux Papeteries de l'Aulne. " * 4
    response = client.post(
        "/v1/documents", files={"files": ("pv-papier.txt", text.encode(), "text/plain")}, headers=ADMIN
    )
    assert response.status_code == 201, response.text
    document_id = response.json()["files"][0]["document"]["id"]
    assert client.delete(f"/v1/documents/{document_id}", headers=READER).status_code == 401
    assert client.delete(f"/v1/documents/{document_id}", headers=ADMIN).status_code == 204


@pytest.mark.parametrize("key", ["short-key", "quinze-caractèr"])
def test_serve_refuses_an_admin_key_under_16_characters(tmp_path, key):
    env = {
        "PATH": "/usr/bin:/bin",
        "PROCSEARCH_ADMIN_KEY": key,
        "PROCSEARCH_DATA": str(tmp_path / "data"),
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", "--port", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert "PROCSEARCH_ADMIN_KEY" in lines[0] and "16" in lines[0] and key not in lines[0]


def test_health_tells_anonymous_callers_only_that_the_service_is_up(client):
    assert client.get("/health").json() == {"status": "ok"}
    full = client.get("/health", headers=READER).json()
    assert full["status"] == "ok" and {"documents", "chunks", "model", "backend", "query_cache"} <= set(full)


def test_members_sign_in_with_a_cookie_that_only_reads(client):
    client.cookies.clear()
    page = client.get("/", params={"q": "nettoyage"})
    assert (
        page.status_code == 401 and 'action="/signin' in page.text and 'name="next" value="/?q=nettoyage"' in page.text
    )
    wrong = client.post("/signin", data={"key": "nope", "next": "/"}, follow_redirects=False)
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    signed = client.post("/signin", data={"key": READ_KEY, "next": "/?q=nettoyage"}, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/?q=nettoyage"
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert client.get("/", params={"q": "nettoyage"}).status_code == 200
    assert client.get("/v1/search", params={"q": "nettoyage"}).status_code == 200  # the page's own links
    upload = client.post("/v1/documents", files={"files": ("a.txt", b"texte", "text/plain")})
    assert upload.status_code == 401  # the cookie never writes, even an admin's
    away = client.post("/signin", data={"key": READ_KEY, "next": "//evil.example/x"}, follow_redirects=False)
    assert away.headers["location"] == "/"
    out = client.post("/signout", follow_redirects=False)
    assert out.status_code == 303 and "max-age=0" in out.headers["set-cookie"].lower()
    client.cookies.clear()
    assert client.get("/", params={"q": "nettoyage"}).status_code == 401


# 9. Bounded work per request


def test_the_result_window_is_capped_with_a_message(client):
    assert (
        client.get(
            "/v1/search", params={"q": "marché", "k": 10, "offset": MAX_RESULT_WINDOW - 10}, headers=READER
        ).status_code
        == 200
    )
    deep = client.get("/v1/search", params={"q": "marché", "k": 100, "offset": 10_000}, headers=READER)
    assert deep.status_code == 400 and str(MAX_RESULT_WINDOW) in deep.json()["detail"]
    posted = client.post("/v1/search", json={"q": "marché", "k": 10, "offset": MAX_RESULT_WINDOW}, headers=READER)
    assert posted.status_code == 400 and "offset + k" in posted.json()["detail"]


def test_a_saturated_search_pool_answers_429_with_retry_after(settings, collection, monkeypatch):
    import service.searching as search_route

    entered, release = threading.Event(), threading.Event()
    real = search_route.search

    def held_search(*args, **kwargs):
        entered.set()
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(search_route, "search", held_search)
    narrow = Settings(**{**settings.__dict__, "search_workers": 1, "search_queue": 0})
    with Server(collection, narrow) as running, httpx.Client(base_url=running.url, headers=READER, timeout=60) as http:
        first: list[httpx.Response] = []
        worker = threading.Thread(target=lambda: first.append(http.get("/v1/search", params={"q": "marché"})))
        worker.start()
        assert entered.wait(30)
        busy = http.get("/v1/search", params={"q": "nettoyage"})
        assert busy.status_code == 429 and busy.headers["retry-after"] == "1" and "retry" in busy.json()["detail"]
        assert http.get("/health").status_code == 200  # only searches queue
        release.set()
        worker.join(30)
        assert first[0].status_code == 200
        assert http.get("/v1/search", params={"q": "nettoyage"}).status_code == 200  # the slot came back


@pytest.mark.unit
def test_the_gate_serves_first_pages_before_deep_ones_and_keeps_them_a_slot():
    async def scenario() -> list[str]:
        gate, order = SearchGate(workers=2, queue=4), []
        await gate.enter(deep=True)
        assert gate.running == 1
        deep_waiter = asyncio.ensure_future(gate.enter(deep=True))  # the last slot is not for deep paging
        await asyncio.sleep(0)
        assert not deep_waiter.done()
        await gate.enter(deep=False)  # a first page still gets it
        first_waiter = asyncio.ensure_future(gate.enter(deep=False))
        await asyncio.sleep(0)
        for name, task in (("deep", deep_waiter), ("first", first_waiter)):
            task.add_done_callback(lambda _, name=name: order.append(name))
        gate.leave(deep=False)  # a first page ends: the waiting first page goes, not the older deep one
        await asyncio.sleep(0)
        gate.leave(deep=True)
        await asyncio.sleep(0)
        gate.leave(deep=False)
        await asyncio.sleep(0)
        return order

    assert asyncio.run(scenario()) == ["first", "deep"]

    async def overflow() -> None:
        gate = SearchGate(workers=1, queue=1)
        await gate.enter(deep=False)
        waiter = asyncio.ensure_future(gate.enter(deep=False))
        await asyncio.sleep(0)
        with pytest.raises(Exception) as refused:
            await gate.enter(deep=False)
        assert refused.value.status_code == 429 and refused.value.headers == {"Retry-After": "1"}
        waiter.cancel()
        await asyncio.sleep(0)
        assert not gate.waiting[False]

    asyncio.run(overflow())


def test_a_client_that_never_finishes_its_headers_is_disconnected(server):
    started = time.monotonic()
    answer = _raw_exchange(server.url, b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ", timeout=15)
    assert answer == b"" and time.monotonic() - started < 10  # closed after the 1 s header timeout
    too_big = _raw_exchange(server.url, b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 40_000)
    assert too_big.startswith(b"HTTP/1.1 400")  # headers past MAX_HEADER_BYTES, still unfinished
    assert httpx.get(f"{server.url}/health", timeout=10).status_code == 200  # a prompt client is unaffected


# 10. Bad bodies


def test_bad_bodies_get_4xx_with_a_message(client):
    deep = b'{"q": "x", "lang": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    nested = client.post("/v1/search", content=deep, headers={**READER, "content-type": "application/json"})
    assert nested.status_code == 400 and "nested too deeply" in nested.json()["detail"]
    plain = client.post("/v1/search", content=b'{"q": "x"}', headers={**READER, "content-type": "text/plain"})
    assert plain.status_code == 415 and "application/json" in plain.json()["detail"]
    assert client.post("/v1/search", json={"q": "marché"}, headers=READER).status_code == 200
    fields = {f"field{n}": "x" for n in range(1_001)}
    parts = client.post("/v1/documents", data=fields, files={"files": ("a.txt", b"texte", "text/plain")}, headers=ADMIN)
    assert parts.status_code == 413 and "too many parts" in parts.json()["detail"]


def test_only_deliberate_errors_are_400s_a_bug_is_a_logged_500(client, monkeypatch, caplog):
    import service.searching as search_route

    def broken(*args, **kwargs):
        raise ValueError("an index bug")

    monkeypatch.setattr(search_route, "search", broken)
    with caplog.at_level(logging.ERROR, logger="service.errors"):
        response = client.get("/v1/search", params={"q": "marché"}, headers=READER)
    assert response.status_code == 500 and "an index bug" not in response.text
    assert any("unhandled error" in r.getMessage() for r in caplog.records)
    empty = client.get("/v1/search", params={"q": "  "}, headers=READER)
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]


def test_a_bug_under_the_search_page_is_a_logged_500_not_a_bad_request(client, monkeypatch, caplog):
    import service.searching as searching

    def broken(*args, **kwargs):
        raise ValueError("an index bug")

    monkeypatch.setattr(searching, "search", broken)
    with caplog.at_level(logging.ERROR, logger="service.routes.pages"):
        page = client.get("/", params={"q": "marché"}, headers=READER)
    assert page.status_code == 500 and "an index bug" not in page.text
    assert any("search page failed" in r.getMessage() for r in caplog.records)
    bad = client.get("/", params={"q": "marché", "year_from": "soon"}, headers=READER)
    assert bad.status_code == 400 and "year_from" in bad.text  # a deliberate refusal stays a 400


def test_a_model_that_cannot_load_is_a_503_with_its_reason(client, monkeypatch):
    import service.searching as searching
    from ingest.errors import ModelError

    def unloadable(*args, **kwargs):
        raise ModelError("cannot load embedding model 'x': gone")

    monkeypatch.setattr(searching, "search", unloadable)
    api = client.get("/v1/search", params={"q": "marché"}, headers=READER)
    assert api.status_code == 503 and "cannot load embedding model" in api.json()["detail"]
    page = client.get("/", params={"q": "marché"}, headers=READER)
    assert page.status_code == 503 and "cannot load embedding model" in page.text


# 12. HTML pages' headers


def test_pages_carry_a_strict_content_security_policy(client):
    for response in (client.get("/signin"), client.get("/", headers=READER), client.get("/", params={"q": "x"})):
        headers = response.headers
        assert headers["content-security-policy"] == PAGE_POLICY, response.url
        assert "frame-ancestors 'none'" in PAGE_POLICY and "script-src" not in PAGE_POLICY  # default-src 'none'
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"
    docs = client.get("/schema/swagger")
    assert docs.headers["content-security-policy"] == DOCS_POLICY
    api = client.get("/v1/search", params={"q": "x"}, headers=READER)
    assert api.headers["x-content-type-options"] == "nosniff" and "content-security-policy" not in api.headers


@pytest.mark.unit
def test_templates_have_no_inline_script_or_style():
    import re

    for template in (ROOT / "service" / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=|javascript:", text, re.I), template.name


def test_the_openapi_schema_documents_the_new_answers(client):
    schema = client.get("/schema/openapi.json").json()
    post = schema["paths"]["/v1/search"]["post"]["responses"]
    assert {"415", "429"} <= set(post)
    health = schema["components"]["schemas"]["Health"]
    assert health["required"] == ["status"]
    assert json.dumps(schema)
