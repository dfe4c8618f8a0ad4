"""The server under load and faults: uploads do not block searches, the same file uploaded twice at once
is indexed once, and a server killed mid-upload leaves a store that opens and a re-upload that completes."""

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from conftest import ADMIN, ADMIN_KEY, ROOT, assert_consistent, make_pdf

from eval.bench_http import Server, free_port
from index.collection import open_collection
from index.store import Where
from service.settings import Settings

pytestmark = pytest.mark.integration

PARAGRAPH = (
    "Le titulaire du marché de restauration scolaire s'engage à servir des produits durables et de qualité, "
    "dont au moins la moitié issus de l'agriculture biologique ou sous signe de qualité. "
)


def _pdf(folder, name: str, pages: int) -> bytes:
    path = make_pdf(folder / name, [f"Article {n}. " + PARAGRAPH * 6 for n in range(1, pages + 1)])
    return path.read_bytes()


@pytest.fixture
def server(tmp_path, embedder):
    config = Settings(data_dir=tmp_path / "data", admin_key=ADMIN_KEY, max_upload_mb=20)
    with (
        open_collection(data_dir=config.data_dir, create=True, embedder=embedder) as collection,
        Server(collection, config) as running,
    ):
        yield running, collection


def _upload(url: str, name: str, data: bytes) -> httpx.Response:
    return httpx.post(
        f"{url}/v1/documents", files={"files": (name, data, "application/pdf")}, headers=ADMIN, timeout=300
    )


def test_concurrent_uploads_of_the_same_file_index_it_once(server, tmp_path):
    running, collection = server
    data = _pdf(tmp_path, "ccap.pdf", 6)
    with ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(lambda _: _upload(running.url, "ccap.pdf", data), range(4)))
    assert [r.status_code for r in responses] == [201] * 4
    statuses = sorted(r.json()["files"][0]["status"] for r in responses)
    assert statuses == ["added", "unchanged", "unchanged", "unchanged"]
    assert len(collection.documents()) == 1
    assert assert_consistent(collection) == 1
    assert collection.store.count(Where(kind="chunk")) == collection.documents()[0].chunks


def test_searches_keep_answering_while_an_upload_is_ingested(server, tmp_path):
    running, _ = server
    data = _pdf(tmp_path, "recueil.pdf", 150)
    uploading = threading.Event()
    result: dict[str, object] = {}

    def upload() -> None:
        uploading.set()
        result["response"] = _upload(running.url, "recueil.pdf", data)
        uploading.clear()

    thread = threading.Thread(target=upload)
    thread.start()
    uploading.wait()
    answered, statuses = 0, set()
    with httpx.Client(base_url=running.url, timeout=60) as client:
        while thread.is_alive():
            statuses.add(client.get("/v1/search", params={"q": f"restauration scolaire bio {answered}"}).status_code)
            answered += 1 if uploading.is_set() else 0
    thread.join()
    assert result["response"].status_code == 201, result["response"].text
    assert statuses == {200}
    assert answered >= 3, f"only {answered} searches answered during the upload"


def test_server_killed_mid_upload_leaves_a_store_that_opens_and_a_reupload_completes(tmp_path, embedder):
    data_dir, port = tmp_path / "data", free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PROCSEARCH_ADMIN_KEY": ADMIN_KEY,
        "PROCSEARCH_PORT": str(port),
        "PROCSEARCH_MAX_UPLOAD_MB": "20",
    }
    # the second file is long enough that a kill one second in lands while it is parsed or embedded
    files = {f"tender-{n}.pdf": _pdf(tmp_path, f"tender-{n}.pdf", 240 if n == 1 else 40) for n in range(3)}
    url = f"http://127.0.0.1:{port}"

    def serve() -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "--data", str(data_dir), "serve"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(600):
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    return process
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError(process.stderr.read().decode() if process.poll() is not None else "no /health")

    process = serve()
    assert _upload(url, "tender-0.pdf", files["tender-0.pdf"]).status_code == 201
    killer = threading.Timer(1.0, process.send_signal, args=(signal.SIGKILL,))
    killer.start()  # one second into the second upload: parsing or embedding, before it can finish
    with pytest.raises(httpx.HTTPError):
        _upload(url, "tender-1.pdf", files["tender-1.pdf"])
    process.wait(timeout=30)

    with open_collection(data_dir=data_dir, embedder=embedder) as collection:
        assert assert_consistent(collection) in (1, 2)
    process = serve()
    try:
        statuses = [_upload(url, name, data).json()["files"][0]["status"] for name, data in files.items()]
        assert statuses[0] == "unchanged" and statuses[2] == "added"
        documents = httpx.get(f"{url}/v1/documents", timeout=30).json()
        assert documents["total"] == 3
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    with open_collection(data_dir=data_dir, embedder=embedder) as collection:
        assert assert_consistent(collection) == 3
        assert collection.store.count(Where(kind="chunk", live=False)) == 0
