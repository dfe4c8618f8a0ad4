"""docker-compose.yml and the Dockerfile keep Qdrant private and the service unprivileged (issue 15, item 6).

Docker does not run here: the files are parsed, and the Qdrant API key is followed from the environment
to the wire, against a loopback stand-in for a Qdrant server that records what it is sent.
"""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml
from conftest import ROOT

from ingest.errors import StoreError
from service.settings import Settings


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.mark.unit
def test_qdrant_needs_a_key_and_publishes_no_port(compose):
    qdrant, service = compose["services"]["qdrant"], compose["services"]["procsearch"]
    assert "ports" not in qdrant, "Qdrant must be reachable only on the compose network"
    key = str(qdrant["environment"]["QDRANT__SERVICE__API_KEY"])
    assert key.startswith("${QDRANT_API_KEY:?"), "an unset key must stop `docker compose up`, not run keyless"
    assert str(service["environment"]["QDRANT_API_KEY"]).startswith("${QDRANT_API_KEY")
    assert set(qdrant["networks"]) & set(service["networks"])
    assert service["environment"]["QDRANT_URL"] == "http://qdrant:6333"
    assert all(str(p).startswith("${PROCSEARCH_BIND:-127.0.0.1}:") for p in service["ports"])


@pytest.mark.unit
def test_the_image_runs_as_a_non_root_user():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()]
    users = [line.split(None, 1)[1] for line in lines if line.upper().startswith("USER ")]
    assert users, "no USER instruction: the image runs as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    last_user = max(i for i, line in enumerate(lines) if line.upper().startswith("USER "))
    assert lines.index(next(line for line in lines if line.startswith("CMD"))) > last_user
    assert re.search(r"useradd .*procsearch", "\n".join(lines)) and "chown procsearch" in "\n".join(lines)


class _RecordingQdrant(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.seen.append({k.lower(): v for k, v in self.headers.items()})
        body = b'{"status": {"error": "Not found"}, "time": 0}'
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = do_GET

    def log_message(self, *args) -> None:
        pass


@pytest.mark.integration
def test_qdrant_api_key_reaches_the_server_from_the_environment(embedder):
    _RecordingQdrant.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _RecordingQdrant)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        settings = Settings.from_env(
            {"QDRANT_URL": f"http://127.0.0.1:{httpd.server_port}", "QDRANT_API_KEY": "a-long-qdrant-key-from-compose"}
        )
        assert settings.qdrant_api_key == "a-long-qdrant-key-from-compose"
        with pytest.raises(StoreError):
            settings.open_collection(embedder=embedder)  # the stand-in has no collection
    finally:
        httpd.shutdown()
    assert _RecordingQdrant.seen, "procsearch never called the Qdrant server"
    assert all(h.get("api-key") == "a-long-qdrant-key-from-compose" for h in _RecordingQdrant.seen)
