"""The default model end to end, and the switch of a store from the old default to it (`procsearch reindex`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.collection import open_collection
from index.embedder import DEFAULT_MODEL, MINILM
from index.indexer import ingest_paths
from index.reindex import reindex
from index.search import search
from ingest.errors import StoreError

QUESTION_FR = "Quelle part de produits bio dans les repas des cantines scolaires ?"


def _corpus(root: Path) -> Path:
    """Three short documents; the answer to the French question exists only in English."""
    root.mkdir(parents=True)
    (root / "catering.md").write_text(
        "---\ntitle: RFP School Catering\n---\n# School catering\n\nThe school catering contract is awarded on price "
        "(40%), quality of meals (35%) and sustainability (25%). At least 30% of the fresh produce served in school "
        "canteens must be organic, rising to 40% in the third year of the framework.\n",
        encoding="utf-8",
    )
    (root / "nettoyage.md").write_text(
        "---\ntitle: CCAP nettoyage\n---\n# Clause sociale\n\nLe titulaire du marché de nettoyage réserve 1 800 "
        "heures de travail à des personnes éloignées de l'emploi ; une pénalité de 15 euros s'applique par heure "
        "non réalisée.\n",
        encoding="utf-8",
    )
    (root / "buses.md").write_text(
        "---\ntitle: Electric buses\n---\n# Statement of work\n\nForty battery-electric buses with depot chargers; "
        "the winter range must exceed 280 km and the battery warranty must cover twelve years.\n",
        encoding="utf-8",
    )
    return root


def _top_source(collection, query: str, mode: str = "hybrid") -> str:
    hit = search(collection, query, k=3, mode=mode).hits[0]
    return collection.records([hit.document_id])[hit.document_id].source


@pytest.mark.integration
def test_default_model_answers_a_french_question_with_an_english_document(tmp_path, e5_embedder):
    assert e5_embedder.name == DEFAULT_MODEL and e5_embedder.model.prompts["query"] == "query: "
    with open_collection(data_dir=tmp_path / "data", create=True, embedder=e5_embedder) as collection:
        ingest_paths(collection, [_corpus(tmp_path / "docs")], workers=0)
        assert _top_source(collection, QUESTION_FR, mode="dense").endswith("catering.md")
        assert _top_source(collection, QUESTION_FR).endswith("catering.md")
        # the nothing-found floor is measured per model: e5's cosines sit near 0.8 even for nonsense
        assert search(collection, "xqzzyv blorf", k=3).total_documents == 0


@pytest.mark.integration
def test_reindex_switches_a_minilm_store_to_the_default_model_in_place(tmp_path, embedder, e5_embedder):
    data = tmp_path / "data"
    with open_collection(data_dir=data, create=True, embedder=embedder) as collection:
        ingest_paths(collection, [_corpus(tmp_path / "docs")], workers=0)
        chunks = collection.stats()["chunks"]
    with pytest.raises(StoreError) as refused:
        open_collection(data_dir=data, embedder=e5_embedder)
    message = str(refused.value)
    assert f"built with the model '{MINILM}'" in message and "procsearch reindex" in message
    assert "\n" not in message

    progress: list[tuple[int, int]] = []
    with open_collection(data_dir=data, embedder=e5_embedder, check_model=False) as collection:
        report = reindex(collection, progress=lambda done, total: progress.append((done, total)))
    assert (report.model_before, report.model_after, report.chunks) == (MINILM, DEFAULT_MODEL, chunks)
    assert progress and progress[-1] == (chunks, chunks)
    with open_collection(data_dir=data, embedder=e5_embedder) as collection:  # no longer refused
        assert collection.stats()["chunks"] == chunks
        assert _top_source(collection, QUESTION_FR, mode="dense").endswith("catering.md")
        assert reindex(collection).documents == 0  # already done: nothing to do


@pytest.mark.integration
def test_an_interrupted_reindex_is_named_on_open_and_finished_by_the_next(tmp_path, embedder, e5_embedder, monkeypatch):
    import index.reindex as module

    data = tmp_path / "data"
    with open_collection(data_dir=data, create=True, embedder=embedder) as collection:
        ingest_paths(collection, [_corpus(tmp_path / "docs")], workers=0)
    real, calls = module._reembed, []

    def crash_on_second_group(collection, records, model):
        calls.append(len(records))
        if len(calls) == 2:
            raise KeyboardInterrupt  # the person presses Ctrl-C half way
        return real(collection, records, model)

    monkeypatch.setattr(module, "BATCH_CHUNKS", 1)  # one document per group
    monkeypatch.setattr(module, "_reembed", crash_on_second_group)
    with (
        open_collection(data_dir=data, embedder=e5_embedder, check_model=False) as collection,
        pytest.raises(KeyboardInterrupt),
    ):
        reindex(collection)
    for model in (embedder, e5_embedder):  # neither model may read a half re-embedded store
        with pytest.raises(StoreError, match=f"half re-embedded.*PROCSEARCH_MODEL={DEFAULT_MODEL} procsearch reindex"):
            open_collection(data_dir=data, embedder=model)

    monkeypatch.setattr(module, "_reembed", real)
    with open_collection(data_dir=data, embedder=e5_embedder, check_model=False) as collection:
        report = reindex(collection)
    assert report.resumed and report.documents == 2  # the document finished before the crash is not redone
    with open_collection(data_dir=data, embedder=e5_embedder) as collection:
        assert _top_source(collection, QUESTION_FR, mode="dense").endswith("catering.md")
