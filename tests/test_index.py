"""Ingest and search against the real stores (Qdrant Edge on disk, qdrant-client :memory:) and the real model."""

from pathlib import Path

import pytest
from conftest import make_pdf

from index.collection import open_collection
from index.indexer import ingest_paths
from index.search import SearchFilters, search
from index.similar import similar_documents
from index.store import Where
from ingest.errors import NotFoundError, StoreError
from ingest.ids import document_id

pytestmark = pytest.mark.integration


def _ingest(collection, root: Path):
    return ingest_paths(collection, [root], workers=0)


def test_a_batch_with_a_broken_file_ingests_the_rest_and_reports_it(edge_collection, small_corpus):
    report = _ingest(edge_collection, small_corpus)
    assert sorted(report.added) == ["docs/en/buses.txt", "docs/en/catering-rfp.md", "docs/fr/ccap-nettoyage.pdf"]
    assert [s for s, _ in report.failed] == ["docs/broken.pdf"] and "PDF" in report.failed[0][1]
    assert report.skipped == [("docs/notes.xyz", "unsupported file type '.xyz'")]
    assert edge_collection.stats()["documents"] == 3


@pytest.mark.parametrize("backend", ["edge_collection", "server_collection"])
def test_french_question_finds_the_french_social_clause_with_its_page(backend, small_corpus, request):
    collection = request.getfixturevalue(backend)
    _ingest(collection, small_corpus)
    result = search(collection, "clauses sociales d'insertion dans le marché de nettoyage", k=3)
    top = result.hits[0]
    assert top.document.source == "docs/fr/ccap-nettoyage.pdf"
    assert top.page == 3 and "heures" in top.text and top.section.startswith("Article 5")
    assert result.query_language == "fr"


def test_english_question_finds_the_english_tender(edge_collection, small_corpus):
    _ingest(edge_collection, small_corpus)
    for mode in ("hybrid", "dense", "lexical"):
        hits = search(edge_collection, "what award criteria for school meals", k=2, mode=mode).hits
        assert hits[0].document.source == "docs/en/catering-rfp.md", mode


def test_filters_restrict_results(edge_collection, small_corpus):
    _ingest(edge_collection, small_corpus)
    only_en = search(edge_collection, "nettoyage", k=10, filters=SearchFilters(languages=("en",))).hits
    assert only_en and all(h.document.language == "en" for h in only_en)
    tenders_2024 = search(
        edge_collection, "contract", filters=SearchFilters(doc_types=("tender",), year_from=2024)
    ).hits
    assert {h.document.source for h in tenders_2024} == {"docs/en/catering-rfp.md"}


def test_reingest_of_unchanged_files_does_nothing(edge_collection, small_corpus):
    _ingest(edge_collection, small_corpus)
    points = edge_collection.store.count(Where())
    again = _ingest(edge_collection, small_corpus)
    assert again.added == [] and again.updated == [] and len(again.unchanged) == 3
    assert edge_collection.store.count(Where()) == points


def test_changed_file_replaces_all_its_chunks(edge_collection, small_corpus):
    _ingest(edge_collection, small_corpus)
    target = small_corpus / "en" / "buses.txt"
    target.write_text(
        "Replacement text: the council buys refurbished laptops with a three-year warranty.", encoding="utf-8"
    )
    report = _ingest(edge_collection, small_corpus)
    assert report.updated == ["docs/en/buses.txt"]
    chunks = edge_collection.chunks(document_id("docs/en/buses.txt"))
    assert chunks and all("laptops" in c.text for c in chunks)
    assert edge_collection.store.count(Where(kind="chunk", document_ids=(document_id("docs/en/buses.txt"),))) == len(
        chunks
    )
    assert not any("battery" in h.text for h in search(edge_collection, "battery-electric buses winter range").hits)


def test_delete_and_prune(edge_collection, small_corpus):
    _ingest(edge_collection, small_corpus)
    edge_collection.delete(document_id("docs/en/catering-rfp.md"))
    assert edge_collection.stats()["documents"] == 2
    with pytest.raises(NotFoundError):
        edge_collection.delete("nope")
    (small_corpus / "en" / "buses.txt").unlink()
    report = ingest_paths(edge_collection, [small_corpus], prune=True, workers=0)
    assert report.removed == ["docs/en/buses.txt"] and report.added == ["docs/en/catering-rfp.md"]
    assert edge_collection.store.count(Where(document_ids=(document_id("docs/en/buses.txt"),))) == 0


def test_hidden_chunks_of_an_interrupted_ingest_are_invisible_and_cleaned(edge_collection, small_corpus):
    _ingest(edge_collection, small_corpus)
    doc = document_id("docs/en/buses.txt")
    edge_collection.store.set_payload(Where(kind="chunk", document_ids=(doc,)), {"state": "hidden"})
    assert all(h.document_id != doc for h in search(edge_collection, "battery-electric buses").hits)
    assert edge_collection.remove_hidden() >= 1
    assert edge_collection.store.count(Where(kind="chunk", document_ids=(doc,))) == 0


def test_worker_process_ingest_gives_the_same_chunks(tmp_path, embedder, small_corpus):
    with open_collection(data_dir=tmp_path / "w", create=True, embedder=embedder) as collection:
        report = ingest_paths(collection, [small_corpus], workers=1)
        assert len(report.added) == 3 and collection.stats()["chunks"] >= 3


def test_a_second_process_is_told_who_holds_the_store(edge_collection, embedder):
    with pytest.raises(StoreError, match="in use by process .*--server"):
        open_collection(data_dir=Path(edge_collection.location), embedder=embedder)


def test_another_model_is_refused_with_a_clear_message(tmp_path, embedder, small_corpus):
    with open_collection(data_dir=tmp_path / "m", create=True, embedder=embedder) as collection:
        _ingest(collection, small_corpus)
    with pytest.raises(StoreError, match="built with the model 'all-MiniLM-L6-v2'"):
        open_collection(data_dir=tmp_path / "m", model="intfloat/multilingual-e5-small")


def test_opening_a_missing_store_says_to_ingest_first(tmp_path, embedder):
    with pytest.raises(StoreError, match="procsearch ingest"):
        open_collection(data_dir=tmp_path / "none", embedder=embedder)


def test_both_backends_return_the_same_top_results(tmp_path, embedder, small_corpus):
    queries = ["clause sociale heures d'insertion", "school catering award criteria", "electric buses", "prix"]
    tops = {}
    with (
        open_collection(data_dir=tmp_path / "e", create=True, embedder=embedder) as edge,
        open_collection(url=":memory:", create=True, embedder=embedder) as server,
    ):
        for name, collection in (("edge", edge), ("server", server)):
            _ingest(collection, small_corpus)
            # equal fused scores may come in either order: compare (score, passage) sorted; a point id carries
            # the write's random generation (index.writes), so the passage is named by document and index
            tops[name] = [
                sorted((-round(h.score, 5), h.document_id, h.index) for h in search(collection, q, k=5, mode=m).hits)[
                    :3
                ]
                for q in queries
                for m in ("hybrid", "dense", "lexical")
            ]
    assert tops["edge"] == tops["server"]


def test_similar_documents_excludes_itself_and_ranks_same_type_first(edge_collection, small_corpus):
    make_pdf(
        small_corpus / "en" / "catering-2020.pdf",
        [
            "Invitation to tender for school catering 2020. Award criteria: price 50%, quality 30%, "
            "sustainability 20%. Organic fruit and vegetables are required for primary schools."
        ],
    )
    _ingest(edge_collection, small_corpus)
    found = similar_documents(edge_collection, document_id("docs/en/catering-rfp.md"), k=3)
    sources = [r.source for r, _ in found]
    assert "docs/en/catering-rfp.md" not in sources
    assert "docs/en/catering-2020.pdf" in sources[:2]
    types = [r.doc_type for r, _ in found]
    assert types == sorted(types, key=lambda t: t != "tender"), "tenders before other types"


def test_near_duplicate_versions_are_recorded(edge_collection, tmp_path):
    root = tmp_path / "versions"
    root.mkdir()
    text = " ".join(
        f"Clause {n}: the supplier delivers refurbished laptops batch {n} with data erasure." for n in range(60)
    )
    (root / "rfq-draft.md").write_text("# RFQ draft\n\n" + text, encoding="utf-8")
    (root / "rfq-final.md").write_text("# RFQ final\n\n" + text.replace("batch 3 ", "batch three "), encoding="utf-8")
    (root / "other.md").write_text(
        "# Other\n\n" + "Le marché porte sur la restauration scolaire bio. " * 40, encoding="utf-8"
    )
    _ingest(edge_collection, root)
    records = {r.source: r for r in edge_collection.documents()}
    assert records["versions/rfq-final.md"].duplicate_of == records["versions/rfq-draft.md"].document_id
    assert records["versions/rfq-draft.md"].duplicate_of is None
    assert records["versions/other.md"].duplicate_of is None


def test_document_records_follow_every_change_through_the_collection(tmp_path, embedder):
    """records() keeps a copy for searches; an update or a delete must never serve the old record."""
    from index.collection import open_collection
    from index.indexer import ingest_paths

    folder = tmp_path / "docs"
    folder.mkdir()
    note = folder / "note.md"
    note.write_text("---\ntitle: Première version\n---\n# Marché réservé\nUn lot réservé aux ESAT est possible.\n")
    with open_collection(data_dir=tmp_path / "data", create=True, embedder=embedder) as collection:
        ingest_paths(collection, [folder], workers=0)
        doc_id = next(iter(collection.versions()))
        assert collection.records([doc_id])[doc_id].title == "Première version"
        note.write_text("---\ntitle: Seconde version\n---\n# Marché réservé\nUn lot réservé aux ESAT est possible.\n")
        ingest_paths(collection, [folder], workers=0)
        assert collection.records([doc_id])[doc_id].title == "Seconde version"
        collection.delete(doc_id)
        assert collection.records([doc_id]) == {}
