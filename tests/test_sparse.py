"""BM25 terms: chunks are indexed under their document title, queries lose their French question words."""

from pathlib import Path

import pytest

from index.indexer import ingest_paths
from index.search import search
from index.sparse import embed_query, topic_words


@pytest.mark.unit
def test_french_question_words_are_dropped_from_the_query_terms():
    assert topic_words("Quels documents fournir pour une carte grise ?").split() == [
        "documents",
        "fournir",
        "pour",
        "une",
        "carte",
        "grise",
        "?",
    ]
    assert topic_words("Procès civil : comment agir rapidement ?").split() == [
        "Procès",
        "civil",
        ":",
        "agir",
        "rapidement",
        "?",
    ]
    # Same terms as without the question word, in both analysers (the English one kept "quel" as a term).
    for analyser in ("fr", "en"):
        assert embed_query("Quel délai de paiement ?", analyser) == embed_query("délai de paiement", analyser)


@pytest.mark.unit
def test_english_comment_and_lone_question_words_are_kept():
    assert topic_words("public comment period for tenders") == "public comment period for tenders"
    assert topic_words("quelqu'un quand-même") == "quelqu'un quand-même"
    assert topic_words("Pourquoi ?") == "Pourquoi ?"  # nothing else left: the query stays as typed
    assert embed_query("Pourquoi ?", "fr")[0]


@pytest.mark.integration
def test_a_passage_is_found_by_a_word_only_its_title_holds(edge_collection, tmp_path: Path):
    """The later chunks of a long document never repeat the subject its title names."""
    root = tmp_path / "docs"
    root.mkdir()
    body = (
        "Le titulaire fournit chaque jour des repas équilibrés préparés sur place avec des produits frais. "
        "Les menus sont validés par une diététicienne et affichés une semaine à l'avance. "
    ) * 40
    (root / "cantine.txt").write_text("Restauration scolaire de Villeneuve\n\n" + body, encoding="utf-8")
    ingest_paths(edge_collection, [root], workers=0)
    chunks = edge_collection.chunks(next(iter(edge_collection.versions())))
    assert len(chunks) >= 3 and sum("Restauration" in c.text for c in chunks) == 1
    first = min(chunks, key=lambda c: c.index)
    hits = search(edge_collection, "restauration", k=10, mode="lexical").hits  # adjacent chunks merge
    assert hits and max(h.char_end for h in hits) > first.char_end  # text beyond the titled chunk
