"""A killed ingest leaves a store that opens, no half-indexed document, and a re-run that completes."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, assert_consistent

from index.collection import open_collection
from index.indexer import ingest_paths
from index.store import Where

pytestmark = pytest.mark.integration

TOPICS = [
    "nettoyage des locaux",
    "restauration scolaire",
    "papier recyclé",
    "véhicules électriques",
    "mobilier de bureau",
    "marchés réservés",
    "clauses sociales",
    "énergie renouvelable",
]


def _write_corpus(root: Path, files: int = 12) -> Path:
    root.mkdir()
    for n in range(files):
        topic = TOPICS[n % len(TOPICS)]
        body = "\n\n".join(
            f"## Article {a}\n\n" + f"Le marché n° {n}-{a} porte sur {topic}. Le titulaire respecte le cahier "
            f"des charges et les critères d'attribution, article {a}, document {n}. " * 12
            for a in range(1, 5)
        )
        (root / f"doc-{n:02}.md").write_text(f"# Document {n} : {topic}\n\n{body}\n", encoding="utf-8")
    return root


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    found = []
    for task in tasks.iterdir() if tasks.exists() else []:
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        found.extend(int(c) for c in children)
    return found


@pytest.mark.parametrize("after_files", [1, 6])
def test_sigkill_mid_ingest_then_rerun(tmp_path, embedder, after_files):
    corpus = _write_corpus(tmp_path / "docs")
    data = tmp_path / "data"
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "--data", str(data), "ingest", "-v", str(corpus)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    for _ in range(after_files + 1):  # the progress line of file N prints once file N-1 is in the index
        line = process.stdout.readline().decode()
        assert line.startswith("["), process.stderr.read().decode()
    children = _children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    for _ in range(50):
        if not any(Path(f"/proc/{pid}").exists() for pid in children):
            break
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in children), "extraction workers outlived the ingest"

    with open_collection(data_dir=data, embedder=embedder) as collection:
        before = assert_consistent(collection)
        report = ingest_paths(collection, [corpus], workers=0)
        assert not report.failed
        assert len(report.added) + len(report.unchanged) + len(report.updated) == 12
        assert len(report.unchanged) == before, "documents complete before the kill are not redone"
        assert assert_consistent(collection) == 12
        assert collection.store.count(Where(kind="chunk", live=False)) == 0
