"""A full disk, a read-only data folder and a second process: one line saying what to do, a non-zero
exit, and the store intact. Low space is simulated with PROCSEARCH_MIN_FREE_MB (the disk is not filled)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT

from index.collection import open_collection
from index.indexer import ingest_paths
from index.store import Where

pytestmark = pytest.mark.integration
HUGE = str(10**9)  # MB: more than any disk has


def _cli(*args: str, data: Path, env: dict[str, str] | None = None, user: list[str] | None = None):
    command = [*(user or []), sys.executable, "-m", "service.cli", "--data", str(data), *args]
    return subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def _one_line(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode not in (0, 135), (result.returncode, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("procsearch: error:") and all(w in lines[0] for w in words), lines[0]


def _consistent(collection) -> int:
    for record in collection.documents():
        live = collection.store.count(Where(kind="chunk", live=True, document_ids=(record.document_id,)))
        assert live == record.chunks, record.source
    assert collection.store.count(Where(kind="chunk", live=False)) == 0
    return len(collection.documents())


def test_low_disk_space_is_one_line_and_leaves_the_store_intact(tmp_path, embedder, small_corpus):
    data = tmp_path / "data"
    with open_collection(data_dir=data, create=True, embedder=embedder) as collection:
        ingest_paths(collection, [small_corpus], workers=0)
    for command in (["stats"], ["ingest", str(small_corpus)], ["serve", "--port", "1"]):
        _one_line(_cli(*command, data=data, env={"PROCSEARCH_MIN_FREE_MB": HUGE}), "MB free", "free some space")
    with open_collection(data_dir=data, embedder=embedder) as collection:
        assert _consistent(collection) == 3


def test_a_batch_stops_cleanly_when_the_disk_runs_short(tmp_path, embedder, small_corpus):
    with open_collection(data_dir=tmp_path / "data", create=True, embedder=embedder) as collection:
        real_add = collection.add
        calls = []

        def add_then_fill(*args, **kwargs):  # the disk fills up after the first document is written
            calls.append(1)
            if len(calls) == 2:
                collection.store.min_free_mb = int(HUGE)
            return real_add(*args, **kwargs)

        collection.add = add_then_fill
        report = ingest_paths(collection, [small_corpus], workers=0)
        assert "MB free" in report.stopped and len(report.added) == 1
        assert sum("not ingested" in reason for _, reason in report.failed) == 2
        collection.store.min_free_mb = None
        assert _consistent(collection) == 1
        from index.disk import DiskFullError

        with pytest.raises(DiskFullError):
            collection.store.min_free_mb = int(HUGE)
            collection.delete(collection.documents()[0].document_id)
        collection.store.min_free_mb = None
        collection.add = real_add
        again = ingest_paths(collection, [small_corpus], workers=0)
        assert len(again.added) == 2 and len(again.unchanged) == 1 and _consistent(collection) == 3


def test_a_second_process_on_the_same_data_is_one_line(tmp_path, embedder, small_corpus):
    data = tmp_path / "data"
    with open_collection(data_dir=data, create=True, embedder=embedder) as collection:
        ingest_paths(collection, [small_corpus], workers=0)
        for command in (["serve", "--port", "1"], ["ingest", str(small_corpus)], ["stats"]):
            _one_line(_cli(*command, data=data), "in use by process", "--server")
        assert _consistent(collection) == 3


@pytest.mark.skipif(
    not shutil.which("setpriv") and os.geteuid() == 0,
    reason="root ignores file modes and setpriv (to run as another user) is missing",
)
def test_a_read_only_data_folder_is_one_line(embedder, small_corpus):
    """As root, chmod stops nothing: the command runs as `nobody` (setpriv) on a folder only root may write."""
    base = Path(tempfile.mkdtemp(prefix="procsearch-ro-"))
    try:
        base.chmod(0o755)
        data = base / "data"
        with open_collection(data_dir=data, create=True, embedder=embedder) as collection:
            ingest_paths(collection, [small_corpus], workers=0)
        for path in [data, *data.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
        if user:
            probe = subprocess.run(
                [*user, sys.executable, "-c", "import service.cli"],
                cwd=ROOT,
                capture_output=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                timeout=60,
            )
            if probe.returncode != 0:  # a checkout under a private folder (mktemp -d is 0700): nobody cannot run it
                pytest.skip(f"user nobody cannot run this checkout's Python at {ROOT}: the read-only check needs it")
        else:
            data.chmod(0o555)
        for command in (["stats"], ["serve", "--port", "1"]):
            _one_line(_cli(*command, data=data, env={"HOME": str(base)}, user=user), "not writable", "--data")
        data.chmod(0o755)
        with open_collection(data_dir=data, embedder=embedder) as collection:
            assert _consistent(collection) == 3
    finally:
        shutil.rmtree(base, ignore_errors=True)
