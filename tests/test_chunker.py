"""Chunking: sizes, overlap, heading paths, pages and exact offsets."""

import pytest

from ingest.chunker import MAX_WORDS, chunk_pages, heading_level
from ingest.types import Page, join_pages

pytestmark = pytest.mark.unit

SENTENCE = "Le titulaire applique les clauses sociales du marché public de nettoyage. "


def _pages():
    return [
        Page(1, "# Titre II\n\n## Article 14 – Clauses sociales\n\n" + SENTENCE * 60),
        Page(2, "## Article 15 – Prix\n\n" + "Les prix sont fermes et révisables chaque année. " * 10),
    ]


def test_chunk_text_is_the_exact_slice_of_the_document_text():
    pages = _pages()
    full, _ = join_pages(pages)
    for chunk in chunk_pages("d", pages, "fr"):
        assert full[chunk.char_start : chunk.char_end] == chunk.text


def test_chunks_stay_within_the_word_budget_and_overlap_when_cut_for_size():
    chunks = chunk_pages("d", _pages(), "fr")
    assert all(len(c.text.split()) <= MAX_WORDS + 20 for c in chunks)
    first, second = chunks[0], chunks[1]
    assert second.char_start < first.char_end, "a chunk cut for size repeats the end of the previous one"


def test_heading_path_and_article_boundaries():
    chunks = chunk_pages("d", _pages(), "fr")
    assert chunks[0].section == "Titre II > Article 14 – Clauses sociales"
    last = chunks[-1]
    assert last.section == "Titre II > Article 15 – Prix", "Article 15 replaces Article 14 in the path"
    assert last.page == 2 and last.text.startswith("## Article 15")


def test_page_numbers_follow_the_text():
    chunks = chunk_pages(
        "d", [Page(1, "Premier paragraphe court."), Page(2, "Second paragraphe sur la page deux.")], "fr"
    )
    assert chunks[0].page == 1 and chunks[0].page_end == 2


def test_heading_detection():
    assert heading_level("Article L. 2113-12")[0] == 4
    assert heading_level("3.2 Critères d'attribution")[0] == 2
    assert heading_level("CAHIER DES CLAUSES TECHNIQUES")[0] == 1
    assert heading_level("Le titulaire s'engage à respecter les délais.") is None
