"""Writes as a switch: a fault at EVERY step of add, replace and delete, on both store backends, leaves
(after the next run's repair) the old version or the new one fully searchable, never neither, never
both, and a record that agrees with the live passages."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.collection import open_collection
from index.indexer import ingest_file, ingest_paths
from index.search import search
from index.store import Where
from index.writes import ADD_STEPS, DELETE_STEPS
from ingest.ids import document_id, path_sha256

pytestmark = pytest.mark.integration

SOURCE = "buyerA/cctp.txt"


def _text(word: str, articles: int) -> str:
    return "\n\n".join(
        f"Article {n}. Le titulaire du lot {word} livre le mobilier de bureau {word} dans les "
        f"délais, article {n} du cahier des charges {word}. " * 5
        for n in range(1, articles + 1)
    )


class Fault(Exception):
    pass


def _fault_at(step: str):
    def hook(name: str) -> None:
        if name == step:
            raise Fault(step)

    return hook


@pytest.fixture(params=["edge", "server"])
def backend(request, tmp_path, embedder):
    """(open, reopen): reopening the Edge store is what a restarted process does; :memory: cannot restart."""
    state: dict[str, object] = {}

    def reopen():
        if request.param == "server":
            if "c" not in state:
                state["c"] = open_collection(url=":memory:", create=True, embedder=embedder)
            return state["c"]
        if "c" in state:
            state["c"].close()
        state["c"] = open_collection(data_dir=tmp_path / "data", create=True, embedder=embedder)
        return state["c"]

    yield reopen
    if "c" in state:
        state["c"].close()


def _live_version(collection, files: dict[str, Path]) -> str | None:
    """Which version is searchable ('v1', 'v2' or None), asserting it is whole and the record agrees."""
    doc = document_id(SOURCE)
    live = collection.store.scroll(Where(kind="chunk", live=True, document_ids=(doc,)))
    records = collection.store.scroll(Where(kind="document", document_ids=(doc,)))
    if not live:
        assert not records, "a record with no live passage"
        return None
    words = {("alphaword" in f.chunk.text, "betaword" in f.chunk.text) for f in live}
    assert words in ({(True, False)}, {(False, True)}), "passages of both versions are live"
    version = "v1" if words == {(True, False)} else "v2"
    assert len(records) == 1, "live passages without their record"
    record = records[0].record
    assert record.sha256 == path_sha256(files[version]), "the record describes the other version"
    assert record.chunks == len(live), f"record says {record.chunks} passages, {len(live)} live"
    assert {f.chunk.generation for f in live} == {record.generation}
    hits = search(collection, f"{'alphaword' if version == 'v1' else 'betaword'} mobilier", mode="lexical").hits
    assert hits and hits[0].document_id == doc
    assert collection.versions()[doc][0] != "", "a consistent record is not flagged for re-ingestion"
    return version


def _files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "files"
    folder.mkdir(exist_ok=True)
    v1, v2 = folder / "v1.txt", folder / "v2.txt"
    v1.write_text(_text("alphaword", 3), encoding="utf-8")
    v2.write_text(_text("betaword", 3), encoding="utf-8")  # as many passages: counting them proves nothing
    return {"v1": v1, "v2": v2}


@pytest.mark.parametrize("step", ADD_STEPS)
def test_a_fault_at_any_step_of_a_replacement_leaves_one_whole_version(backend, tmp_path, step):
    files = _files(tmp_path)
    collection = backend()
    assert ingest_file(collection, files["v1"], SOURCE)[0] == "added"
    assert _live_version(collection, files) == "v1"
    collection.fault = _fault_at(step)
    with pytest.raises(Fault):
        ingest_file(collection, files["v2"], SOURCE)
    collection = backend()  # the process stops there; the next one opens the store and repairs it
    collection.fault = None
    collection.repair()
    assert _live_version(collection, files) in ("v1", "v2")
    assert ingest_file(collection, files["v2"], SOURCE)[0] in ("updated", "unchanged")
    assert _live_version(collection, files) == "v2"
    assert collection.store.count(Where(kind="chunk", live=False)) == 0


@pytest.mark.parametrize("step", ADD_STEPS)
def test_a_fault_at_any_step_of_a_first_add_leaves_nothing_or_the_whole_document(backend, tmp_path, step):
    files = _files(tmp_path)
    collection = backend()
    collection.fault = _fault_at(step)
    with pytest.raises(Fault):
        ingest_file(collection, files["v2"], SOURCE)
    collection = backend()
    collection.fault = None
    collection.repair()
    assert _live_version(collection, files) in (None, "v2")
    assert ingest_file(collection, files["v2"], SOURCE)[0] in ("added", "unchanged")
    assert _live_version(collection, files) == "v2"


@pytest.mark.parametrize("step", DELETE_STEPS)
def test_a_fault_during_a_delete_leaves_the_document_whole_or_gone(backend, tmp_path, step):
    files = _files(tmp_path)
    collection = backend()
    ingest_file(collection, files["v1"], SOURCE)
    collection.fault = _fault_at(step)
    with pytest.raises(Fault):
        collection.delete(document_id(SOURCE))
    collection = backend()
    collection.fault = None
    collection.repair()
    assert _live_version(collection, files) in (None, "v1")
    collection.delete(document_id(SOURCE))
    assert _live_version(collection, files) is None
    assert collection.store.count(Where(document_ids=(document_id(SOURCE),))) == 0


def test_a_record_whose_passages_are_gone_is_redone_not_unchanged_forever(edge_collection, small_corpus):
    """The state the old write order left after a crash: the record says N passages, none is live."""
    assert len(ingest_paths(edge_collection, [small_corpus], workers=0).added) == 3
    doc = document_id("docs/en/buses.txt")
    edge_collection.store.delete(Where(kind="chunk", document_ids=(doc,)))
    report = ingest_paths(edge_collection, [small_corpus], workers=0)
    assert report.updated == ["docs/en/buses.txt"] and len(report.unchanged) == 2
    live = edge_collection.store.count(Where(kind="chunk", live=True, document_ids=(doc,)))
    assert live == edge_collection.document(doc).record.chunks >= 1


def test_live_passages_without_a_record_are_removed(server_collection, small_corpus):
    ingest_paths(server_collection, [small_corpus], workers=0)
    doc = document_id("docs/en/buses.txt")
    server_collection.store.delete(Where(kind="document", document_ids=(doc,)))
    assert server_collection.repair().orphans >= 1
    assert server_collection.store.count(Where(document_ids=(doc,))) == 0
