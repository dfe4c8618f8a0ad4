"""Uploads keep every document: identity from the path, per-file answers, originals stored by id and
removed with their document, no temporary file outliving its request, bounded waits, an audit line
per write, and originals served only while they are the files indexed."""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from pathlib import Path

import pytest
from litestar.testing import TestClient

from index.collection import open_collection
from ingest.ids import document_id
from service.app import create_app
from service.settings import Settings

pytestmark = pytest.mark.integration
ADMIN = {"Authorization": "Bearer admin-secret"}


def _text(topic: str) -> bytes:
    return (
        f"Cahier des clauses techniques particulières : {topic}. Le titulaire livre les fournitures "
        f"{topic} dans les délais du marché et selon les normes en vigueur. " * 4
    ).encode()


@pytest.fixture
def app(tmp_path, embedder):
    settings = Settings(data_dir=tmp_path / "data", admin_key="admin-secret", max_upload_mb=20)
    with (
        open_collection(data_dir=settings.data_dir, create=True, embedder=embedder) as collection,
        TestClient(create_app(settings, collection=collection)) as client,
    ):
        yield client, collection, settings.data_dir


def _upload(client, files, **data):
    return client.post("/v1/documents", files=files, data=data, headers=ADMIN)


def _stored_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in (data_dir / "uploads").rglob("*") if p.is_file())


def test_same_file_name_in_two_folders_is_two_documents_and_the_same_path_replaces(app):
    client, collection, data_dir = app
    a = _upload(client, [("files", ("buyerA/cctp.txt", _text("mobilier scolaire"), "text/plain"))])
    b = _upload(client, [("files", ("cctp.txt", _text("véhicules électriques"), "text/plain"))], folder="buyerB")
    assert (a.status_code, b.status_code) == (201, 201), (a.text, b.text)
    first, second = a.json()["files"][0], b.json()["files"][0]
    assert (first["status"], second["status"]) == ("added", "added")
    assert (first["path"], second["path"]) == ("uploads/buyerA/cctp.txt", "uploads/buyerB/cctp.txt")
    assert first["document"]["id"] != second["document"]["id"] and len(collection.documents()) == 2
    for item, topic in ((first, "mobilier scolaire"), (second, "véhicules électriques")):
        served = client.get(f"/v1/documents/{item['document']['id']}/file")
        assert served.status_code == 200 and topic in served.text
    old_files = _stored_files(data_dir)
    again = _upload(client, [("files", ("buyerA/cctp.txt", _text("mobilier de bureau"), "text/plain"))])
    assert again.json()["files"][0]["status"] == "updated"
    assert again.json()["files"][0]["document"]["id"] == first["document"]["id"] and len(collection.documents()) == 2
    assert "mobilier de bureau" in client.get(f"/v1/documents/{first['document']['id']}/file").text
    assert len(_stored_files(data_dir)) == len(old_files), "the replaced version's original is removed"
    put = client.put(
        f"/v1/documents/{second['document']['id']}",
        headers=ADMIN,
        files={"files": ("anything.txt", _text("autobus hydrogène"), "text/plain")},
    )
    assert put.status_code == 200 and put.json()["files"][0]["status"] == "updated", put.text
    assert put.json()["files"][0]["path"] == "uploads/buyerB/cctp.txt"
    assert "autobus hydrogène" in client.get(f"/v1/documents/{second['document']['id']}/file").text
    assert (
        client.put(
            "/v1/documents/0000000000000000", headers=ADMIN, files={"files": ("x.txt", b"x", "text/plain")}
        ).status_code
        == 404
    )
    assert _upload(client, [("files", ("../etc/cctp.txt", b"x", "text/plain"))]).status_code == 400


def test_a_multi_file_upload_answers_per_file_and_never_reports_failure_for_what_was_stored(app):
    client, collection, _ = app
    response = _upload(
        client,
        [
            ("files", ("lot1.txt", _text("papier recyclé"), "text/plain")),
            ("files", ("bad.pdf", b"%PDF-1.4 garbage", "application/pdf")),
            ("files", ("virus.exe", b"MZ", "application/octet-stream")),
            ("files", ("lot2.txt", _text("restauration scolaire"), "text/plain")),
        ],
    )
    assert response.status_code == 207, response.text
    files = response.json()["files"]
    assert [f["status"] for f in files] == ["added", "failed", "failed", "added"]
    assert [f["code"] for f in files] == [None, 422, 415, None]
    assert files[1]["reason"] and ".exe" in files[2]["reason"] and files[1]["document"] is None
    assert {d.source for d in collection.documents()} == {"uploads/lot1.txt", "uploads/lot2.txt"}
    bad_only = _upload(
        client,
        [
            ("files", ("bad.pdf", b"%PDF-1.4 garbage", "application/pdf")),
            ("files", ("worse.pdf", b"%PDF-1.4 junk", "application/pdf")),
        ],
    )
    assert bad_only.status_code == 422 and "bad.pdf" in bad_only.json()["detail"]
    assert len(collection.documents()) == 2
    schema = client.get("/schema/openapi.json").json()["paths"]["/v1/documents"]["post"]["responses"]
    assert "207" in schema and "201" in schema


def test_delete_removes_the_original_and_failures_leave_no_temporary_file(app, monkeypatch, tmp_path):
    client, collection, data_dir = app
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))  # where spooled uploads over 1 MB roll to disk
    long_name = "é" * 200 + ".txt"  # 402 bytes: over the 255 a file system accepts
    stored = _upload(client, [("files", (long_name, _text("nettoyage des locaux"), "text/plain"))])
    assert stored.status_code == 201, stored.text
    doc = stored.json()["files"][0]["document"]["id"]
    assert client.get(f"/v1/documents/{doc}/file").status_code == 200
    for name, body in (
        ("big-broken.pdf", b"%PDF-1.4 " + b"x" * 1_500_000),
        (long_name[:-4] + ".pdf", b"%PDF junk"),
        ("x" * 300 + ".exe", b"MZ"),
    ):
        assert _upload(client, [("files", (name, body, "application/pdf"))]).status_code in (415, 422)
    assert not list((data_dir / "uploads" / ".staging").iterdir())
    assert not list(private_tmp.iterdir()), "a spooled upload outlived its request"
    assert client.delete(f"/v1/documents/{doc}", headers=ADMIN).status_code == 204
    assert _stored_files(data_dir) == [] and not (data_dir / "uploads" / doc).exists()


def test_a_write_that_cannot_get_the_lock_in_time_answers_503_and_never_runs_later(app, monkeypatch):
    from service import uploading

    client, collection, _ = app
    lock = client.app.state.write_lock  # the app's own lock: no module-global one
    assert isinstance(lock, uploading.WriteLock)
    monkeypatch.setattr(lock, "wait_s", 0.3)
    with lock.held():
        response = _upload(client, [("files", ("late.txt", _text("énergie"), "text/plain"))])
    assert response.status_code == 503 and response.headers.get("retry-after"), response.text
    assert collection.documents() == []


def test_a_slow_parse_does_not_hold_the_write_lock(app, monkeypatch):
    """A delete goes through while another upload is still being parsed."""
    from service import uploading

    client, collection, _ = app
    kept = _upload(client, [("files", ("keep.txt", _text("voirie"), "text/plain"))]).json()["files"][0]
    parsing, release = threading.Event(), threading.Event()
    prepare = uploading.prepare_file

    def slow_prepare(*args, **kwargs):
        parsing.set()
        assert release.wait(60)
        return prepare(*args, **kwargs)

    monkeypatch.setattr(uploading, "prepare_file", slow_prepare)
    result = {}
    thread = threading.Thread(
        target=lambda: result.update(
            r=_upload(client, [("files", ("slow.txt", _text("éclairage public"), "text/plain"))])
        )
    )
    thread.start()
    assert parsing.wait(60)
    try:
        assert client.delete(f"/v1/documents/{kept['document']['id']}", headers=ADMIN).status_code == 204
    finally:
        release.set()
        thread.join(60)
    assert result["r"].status_code == 201
    assert [d.source for d in collection.documents()] == ["uploads/slow.txt"]


def test_every_write_is_one_audit_line_with_a_key_id_never_the_key(app):
    client, _, data_dir = app
    doc = _upload(client, [("files", ("a/pv.txt", _text("commission"), "text/plain"))]).json()["files"][0]
    _upload(client, [("files", ("a/pv.txt", _text("commission d'appel d'offres"), "text/plain"))])
    _upload(client, [("files", ("bad.pdf", b"%PDF-1.4 junk", "application/pdf"))])
    client.delete(f"/v1/documents/{doc['document']['id']}", headers=ADMIN)
    text = (data_dir / "audit.log").read_text(encoding="utf-8")
    assert "admin-secret" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    key = hashlib.sha256(b"admin-secret").hexdigest()[:12]
    assert [(e["action"], e["result"].split(":")[0]) for e in lines] == [
        ("upload", "added"),
        ("replace", "updated"),
        ("upload", "failed"),
        ("delete", "deleted"),
    ]
    assert all(e["key_id"] == key and e["time"] for e in lines)
    assert lines[0]["document_id"] == document_id("uploads/a/pv.txt") == lines[3]["document_id"]
    assert lines[0]["path"] == "uploads/a/pv.txt"


def test_the_file_endpoint_serves_only_the_file_indexed(app, tmp_path):
    client, _, data_dir = app
    doc = _upload(client, [("files", ("rc.txt", _text("règlement"), "text/plain"))]).json()["files"][0]
    url = f"/v1/documents/{doc['document']['id']}/file"
    assert client.get(url).status_code == 200
    original = _stored_files(data_dir)[0]
    secret = tmp_path / "secret.txt"
    secret.write_bytes(original.read_bytes())  # even the same bytes, behind a link, are not served
    original.unlink()
    original.symlink_to(secret)
    assert client.get(url).status_code == 404
    original.unlink()
    original.write_bytes(_text("autre chose"))
    assert client.get(url).status_code == 404


def test_ingest_does_not_follow_links_out_of_the_folder(tmp_path, edge_collection):
    from index.indexer import ingest_paths

    secret = tmp_path / "outside" / "passwords.txt"
    secret.parent.mkdir()
    secret.write_text("root password: hunter2 " * 20, encoding="utf-8")
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / "note.txt").write_text(_text("mobilier").decode(), encoding="utf-8")
    (root / "leak.txt").symlink_to(secret)
    (root / "folder-link").symlink_to(secret.parent, target_is_directory=True)
    (root / "sub" / "again.txt").symlink_to(root / "note.txt")
    report = ingest_paths(edge_collection, [root], workers=0)
    assert report.added == ["docs/note.txt"]
    skipped = dict(report.skipped)
    assert "outside the ingested folder" in skipped["docs/leak.txt"]
    assert "outside the ingested folder" in skipped["docs/folder-link"]
    assert "not followed" in skipped["docs/sub/again.txt"]
    assert all(
        "hunter2" not in str(c) for d in edge_collection.documents() for c in edge_collection.chunks(d.document_id)
    )


def test_ingest_through_the_server_keeps_each_files_path(tmp_path, embedder, capsys):
    """`procsearch ingest --server URL DIR`: three index.md in three folders stay three documents."""
    from eval.bench_http import Server
    from service.upload import upload_paths

    root = tmp_path / "site"
    for name in ("achats", "travaux", "services"):
        (root / name).mkdir(parents=True)
        (root / name / "index.md").write_text(f"# {name}\n\n" + _text(name).decode(), encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", admin_key="admin-secret")
    with (
        open_collection(data_dir=settings.data_dir, create=True, embedder=embedder) as collection,
        Server(collection, settings) as running,
    ):
        assert upload_paths(running.url, [root], settings.admin_key) == 0
        assert sorted(d.source for d in collection.documents()) == [
            "uploads/site/achats/index.md",
            "uploads/site/services/index.md",
            "uploads/site/travaux/index.md",
        ]
        capsys.readouterr()
        assert upload_paths(running.url, [root], settings.admin_key) == 0
        assert capsys.readouterr().out.count("unchanged") == 3 and len(collection.documents()) == 3


def test_startup_removes_staged_leftovers_and_originals_no_record_points_to(tmp_path, embedder):
    settings = Settings(data_dir=tmp_path / "data", admin_key="admin-secret")
    with (
        open_collection(data_dir=settings.data_dir, create=True, embedder=embedder) as collection,
        TestClient(create_app(settings, collection=collection)) as client,
    ):
        kept = _upload(client, [("files", ("rc.txt", _text("règlement"), "text/plain"))]).json()["files"][0]
    uploads = settings.data_dir / "uploads"
    (uploads / ".staging" / "crashed.pdf").write_bytes(b"half")
    (uploads / kept["document"]["id"] / "0123456789abcdef").mkdir()  # a version the crash never switched to
    (uploads / kept["document"]["id"] / "0123456789abcdef" / "rc.txt").write_bytes(b"new")
    (uploads / "fedcba9876543210" / "0123456789abcdef").mkdir(parents=True)  # a document deleted mid-way
    with TestClient(create_app(settings, embedder=embedder)) as client:  # owns the store: repairs at startup
        assert client.get(f"/v1/documents/{kept['document']['id']}/file").status_code == 200
    assert [p.relative_to(uploads).parts[0] for p in _stored_files(settings.data_dir)] == [kept["document"]["id"]]
    assert not (uploads / "fedcba9876543210").exists()
