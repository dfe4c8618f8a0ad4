"""Document-level BM25: document points carry their whole text's terms, and French queries use them."""

from pathlib import Path

import pytest

from index import document_bm25, sparse
from index.document_bm25 import TOP_BIT, document_index, document_vectors, normalised
from index.indexer import ingest_paths
from index.point_ids import document_point_id
from index.search import SearchFilters, sources
from index.store import Found, VectorQuery

FILLER = (
    "Le dossier est instruit par le service compétent, qui vérifie chaque pièce et peut demander un "
    "complément. La réponse est adressée par courrier au domicile indiqué sur la demande. "
) * 12


@pytest.mark.unit
def test_word_indices_never_reach_the_document_half():
    text = "Changement d'adresse sur la carte grise : délai, amende forfaitaire, démarche en ligne. " + FILLER
    for language in ("fr", "en"):
        _, indices, _ = sparse.embed_document(text, language)
        assert indices and all(0 <= i <= TOP_BIT for i in indices)
        assert all(document_index(i) >= TOP_BIT for i in indices if i < TOP_BIT)
        assert all(document_index(document_index(i)) == i for i in indices)


@pytest.mark.unit
def test_a_document_vector_per_language_with_the_title_and_every_chunk():
    vectors = document_vectors(
        "Carte grise",
        [
            ("Changement d'adresse en ligne.", "fr"),
            ("Amende forfaitaire en cas de retard.", "fr"),
            ("Change of address for a vehicle.", "en"),
        ],
    )
    assert set(vectors) == {"bm25_fr", "bm25_en"}
    french = set(vectors["bm25_fr"][0])
    for words in ("carte", "adresse", "amende"):  # title, first chunk, second chunk
        assert {document_index(i) for i in sparse.embed_query(words, "fr")[0]} <= french
    english = set(vectors["bm25_en"][0])
    assert {document_index(i) for i in sparse.embed_query("vehicle", "en")[0]} <= english
    assert not {document_index(i) for i in sparse.embed_query("amende", "fr")[0]} & english


@pytest.mark.unit
def test_normalised_is_dbsf_and_ignores_scale_and_shift():
    scores = {"a": 9.0, "b": 3.0, "c": 1.0, "d": 1.0}
    once = normalised(scores)
    assert once == pytest.approx(normalised({k: 4 * v + 7 for k, v in scores.items()}))
    assert once["a"] > once["b"] > once["c"] == once["d"] and all(0 <= v <= 1 for v in once.values())
    assert normalised({"a": 2.0}) == {"a": 1.0} and normalised({}) == {}


@pytest.mark.unit
def test_documents_standing_out_keep_their_order():
    """Two documents far above the rest (beyond mean + 3 sd) must not tie at the top, as they did clipped to 1."""
    scores = {"first": 100.0, "second": 60.0, **{f"d{i}": 1.0 + i / 100 for i in range(48)}}
    once = normalised(scores)
    assert once["first"] > once["second"] > 1.0 > once["d47"] > once["d0"]


@pytest.mark.integration
@pytest.mark.parametrize("backend", ["edge_collection", "server_collection"])
def test_normalised_is_the_stores_own_dbsf(backend, request, tmp_path: Path):
    """The document list joins a fusion whose other lists Qdrant normalises: same formula (sample sd, no clip)."""
    collection = request.getfixturevalue(backend)
    root = tmp_path / "docs"
    root.mkdir()
    for number, detail in enumerate(
        (
            "sans frais",
            "avec FranceConnect",
            "depuis un mobile",
            "en mairie",
            "amende forfaitaire carte grise adresse",
            "au guichet",
        )
    ):
        (root / f"doc{number}.txt").write_text(
            f"Carte grise {number}\n\nLe changement d'adresse se fait {detail}. " + FILLER[:300], encoding="utf-8"
        )
    ingest_paths(collection, [root], workers=0)
    terms = sparse.embed_query("amende adresse carte grise mairie", "fr")
    where = SearchFilters().where()
    raw = collection.store.query([VectorQuery("bm25_fr", sparse=terms)], where, limit=100, pool=100)
    assert len(raw) >= 6 and max(f.score for f in raw) > min(f.score for f in raw)
    empty = VectorQuery("bm25_en", sparse=sparse.embed_query("zzzqqq", "en"), group="lexical")
    fused = collection.store.query(
        [VectorQuery("bm25_fr", sparse=terms, group="lexical"), empty], where, limit=100, pool=100
    )
    ours = normalised({f.id: f.score for f in raw})
    assert {f.id: f.score for f in fused} == pytest.approx(ours, abs=1e-4)


@pytest.mark.unit
def test_blend_adds_the_document_score_and_reorders():
    a, b = document_point_id("doc-a"), document_point_id("doc-b")
    candidates = [
        Found("1", 1.0, {"document_id": "doc-b", "index": 0}),
        Found("2", 0.9, {"document_id": "doc-a", "index": 0}),
    ]
    assert [f.id for f in document_bm25.blend(candidates, {a: 1.0, b: 0.0}, 0.5)] == ["2", "1"]
    assert [f.id for f in document_bm25.blend(candidates, {a: 1.0, b: 0.0}, 0.0)] == ["1", "2"]
    assert [f.score for f in document_bm25.blend(candidates, {}, 0.5)] == [1.0, 0.9]


@pytest.mark.unit
def test_the_document_list_is_normalised_over_as_many_entries_as_each_chunk_list():
    from index.search import POOL

    assert document_bm25.DOCUMENTS == POOL


@pytest.mark.unit
def test_the_other_languages_side_weighs_what_the_query_languages_weighs():
    """A French question's English side (analyser 0.5 + translation 1.0) counts 1.0 in the document list, not 1.5."""
    queries = [
        VectorQuery("dense", dense=[0.1, 0.2], weight=0.5),
        VectorQuery("bm25_fr", sparse=([1, 2], [1.0, 1.0]), weight=1.0, group="lexical"),
        VectorQuery("bm25_en", sparse=([3], [1.0]), weight=0.5, group="lexical"),
        VectorQuery("bm25_en", sparse=([4], [1.0]), weight=1.0, group="lexical"),
    ]
    balanced = document_bm25.lexical_sources(queries, "fr")
    assert [(q.using, q.weight) for q in balanced] == [
        ("bm25_fr", 1.0),
        ("bm25_en", pytest.approx(1 / 3)),
        ("bm25_en", pytest.approx(2 / 3)),
    ]
    assert all(q.group == "lexical" and min(q.sparse[0]) >= TOP_BIT for q in balanced)
    assert [q.weight for q in document_bm25.lexical_sources(queries)] == [1.0, 0.5, 1.0]  # language unknown
    assert [q.weight for q in document_bm25.lexical_sources(queries[2:], "fr")] == [0.5, 1.0]  # no French side


@pytest.mark.integration
@pytest.mark.parametrize("backend", ["edge_collection", "server_collection"])
def test_the_document_holding_every_query_word_scores_first(backend, request, tmp_path: Path):
    """The target's words are spread over two chunks; the other documents have only some of them."""
    collection = request.getfixturevalue(backend)
    root = tmp_path / "docs"
    root.mkdir()
    (root / "target.txt").write_text(
        "Démarches du titulaire\n\nLe changement d'adresse de la carte grise se fait en ligne. "
        + FILLER
        + "Faute de déclaration dans le mois, une amende forfaitaire est due.\n",
        encoding="utf-8",
    )
    for number, detail in enumerate(("sans frais", "avec FranceConnect", "depuis un mobile", "en mairie")):
        (root / f"other{number}.txt").write_text(
            f"Carte grise\n\nLe changement d'adresse de la carte grise se fait {detail}. " + FILLER, encoding="utf-8"
        )
    ingest_paths(collection, [root], workers=0)
    ids = {record.source.split("/")[-1]: record.document_id for record in collection.documents()}
    assert len(collection.chunks(ids["target.txt"])) > 1  # "amende" is in no chunk of the address change
    record = collection.document(ids["target.txt"], with_vector=True)
    indices = (
        record.vectors["bm25_fr"].indices
        if hasattr(record.vectors["bm25_fr"], "indices")
        else record.vectors["bm25_fr"][0]
    )
    assert indices and all(i >= TOP_BIT for i in indices)

    queries, language = sources(
        collection, "Quelle amende pour un changement d'adresse de carte grise ?", "hybrid", score_fusion=True
    )
    assert language == "fr" and any(q.group for q in queries)
    scores = document_bm25.document_scores(collection.store, queries, SearchFilters().where())
    points = {document_point_id(i): name for name, i in ids.items()}
    assert set(scores) == set(points)
    assert max(scores, key=scores.get) == document_point_id(ids["target.txt"])
    filtered = SearchFilters(exclude_document_ids=(ids["target.txt"],)).where()
    assert set(document_bm25.document_scores(collection.store, queries, filtered)) == set(points) - {
        document_point_id(ids["target.txt"])
    }


@pytest.mark.unit
def test_equal_scores_are_ordered_by_document_and_chunk_not_by_point_id():
    """Point ids change with PIPELINE_VERSION; the order of ties must not."""

    def found(point_id: str, document_id: str, index: int) -> Found:
        return Found(point_id, 0.5, {"document_id": document_id, "index": index}, {})

    tied = [found("a", "doc-b", 0), found("b", "doc-a", 3), found("c", "doc-a", 1)]
    for candidates in (tied, tied[::-1]):
        ranked = document_bm25.blend(list(candidates), {}, 0.0)
        assert [(f.keys.document_id, f.keys.index) for f in ranked] == [
            ("doc-a", 1),
            ("doc-a", 3),
            ("doc-b", 0),
        ]
