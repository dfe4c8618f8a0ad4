"""Offline by default, without touching the process's environment: the loads themselves ask for local files."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from conftest import ROOT

from index.embedder import MINILM, Embedder
from index.reranker import Reranker
from ingest.errors import ModelError

pytestmark = pytest.mark.integration

HUB_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS")


@pytest.fixture
def no_network(monkeypatch) -> list[object]:
    """Every connection attempt is recorded and refused."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args[1:] or args)
        raise OSError("this test has no network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_a_model_name_that_is_not_local_fails_at_once_and_leaves_the_environment_alone(monkeypatch, no_network):
    import sentence_transformers  # noqa: F401 - torch sets variables of its own when imported; ours are the point

    for name in HUB_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    before = dict(os.environ)
    for backend in ("torch", "onnx-int8"):
        with pytest.raises(ModelError, match="procsearch-tests/no-such-model"):
            _ = Embedder("procsearch-tests/no-such-model", backend=backend).model
    with pytest.raises(ModelError, match="PROCSEARCH_RERANKER"):
        _ = Reranker("procsearch-tests/no-such-reranker").model
    assert len(Embedder(MINILM, backend="torch").embed_query("marché réservé")) == 384  # the packaged model loads
    assert no_network == [], "a load tried the network although downloads are off"
    assert dict(os.environ) == before, "library code wrote to the environment"


def test_the_cli_says_a_model_that_cannot_load_in_one_line(tmp_path, small_corpus):
    env = {**os.environ, "PROCSEARCH_MODEL": "procsearch-tests/no-such-model", "PYTHONPATH": str(ROOT)}
    env.pop("PROCSEARCH_ALLOW_DOWNLOAD", None)
    out = subprocess.run(
        [sys.executable, "-m", "service.cli", "--data", str(tmp_path / "data"), "ingest", str(small_corpus)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 1, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("procsearch: error: the model 'procsearch-tests/no-such-model'")
    assert "PROCSEARCH_ALLOW_DOWNLOAD=1" in lines[0]
