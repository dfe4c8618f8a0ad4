"""The `procsearch` command as a user runs it (subprocesses, real model, real store)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from service.settings import Settings


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(cwd),
            "PYTHONPATH": str(ROOT),
            "PROCSEARCH_MODEL": os.environ["PROCSEARCH_MODEL"],
        },
    )


@pytest.mark.integration
def test_ingest_search_stats_delete(tmp_path, small_corpus):
    data = str(tmp_path / "data")
    first = _run("--data", data, "ingest", str(small_corpus), cwd=tmp_path)
    assert first.returncode == 2, first.stderr
    assert "added 3, updated 0, unchanged 0, removed 0, skipped 1, failed 1" in first.stdout
    assert "failed  docs/broken.pdf" in first.stdout and "chunks/s" in first.stdout

    found = _run("--data", data, "search", "heures d'insertion nettoyage", "--k", "3", "--json", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    body = json.loads(found.stdout)
    assert body["passages"][0]["page"] == 3 and body["documents"][0]["source"] == "docs/fr/ccap-nettoyage.pdf"
    assert "<mark>" in body["passages"][0]["highlight"]

    (small_corpus / "broken.pdf").unlink()
    again = _run("--data", data, "ingest", str(small_corpus), cwd=tmp_path)
    assert again.returncode == 0 and "unchanged 3" in again.stdout

    stats = json.loads(_run("--data", data, "stats", cwd=tmp_path).stdout)
    assert stats["documents"] == 3 and stats["backend"] == "qdrant-edge"
    doc_id = body["documents"][0]["id"]
    assert _run("--data", data, "delete", doc_id, cwd=tmp_path).returncode == 0
    missing = _run("--data", data, "delete", doc_id, cwd=tmp_path)
    assert missing.returncode == 1 and missing.stderr.strip() == f"procsearch: error: no document with id '{doc_id}'"


@pytest.mark.integration
def test_errors_are_one_line_and_non_zero(tmp_path):
    result = _run("--data", str(tmp_path / "none"), "search", "marché", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"procsearch: error: no index in {tmp_path / 'none'} yet: run `procsearch ingest PATH` first"
    ]


@pytest.mark.unit
def test_compose_and_dockerfile_match_the_settings():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    qdrant, service = compose["services"]["qdrant"], compose["services"]["procsearch"]
    assert qdrant["image"].startswith("qdrant/qdrant:v") and "healthcheck" in qdrant
    assert any(v.endswith(":/qdrant/storage") for v in qdrant["volumes"])
    env = service["environment"]
    assert env["QDRANT_URL"] == "http://qdrant:6333"
    settings = Settings.from_env({k: str(v) for k, v in env.items() if v})
    assert settings.qdrant_url == "http://qdrant:6333" and settings.port == 8000 and settings.host == "0.0.0.0"
    documented = set(Settings.__dataclass_fields__)
    readme = (ROOT / "README.md").read_text()
    for variable in (
        "PROCSEARCH_DATA",
        "QDRANT_URL",
        "PROCSEARCH_MODEL",
        "PROCSEARCH_ADMIN_KEY",
        "PROCSEARCH_API_KEYS",
        "PROCSEARCH_MAX_UPLOAD_MB",
    ):
        assert variable in readme, f"{variable} is not documented in the README"
    assert {"data_dir", "qdrant_url", "model", "admin_key", "api_keys", "max_upload_mb"} <= documented
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "torch==2.13.0" in dockerfile and "procsearch serve" in dockerfile
