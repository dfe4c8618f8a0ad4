"""Cleaning of extracted text: hyphenation, ligatures, spaces, running headers and footers."""

import pytest

from ingest.clean import clean_pages, drop_running_lines, join_hyphenated, normalise, running_lines

pytestmark = pytest.mark.unit


def test_words_cut_at_line_end_are_joined():
    assert join_hyphenated("les cen-\ntrales d'achat") == "les centrales d'achat"


def test_capitalised_continuation_keeps_its_hyphen():
    assert join_hyphenated("Saint-\nMalo") == "Saint-\nMalo"


def test_ligatures_soft_hyphens_and_odd_spaces_are_normalised():
    assert normalise("e\ufb03cace  of\ufb01ce\u00a0 co\u00adop") == "efficace office coop"


def test_running_header_and_footer_repeated_on_most_pages_are_dropped():
    bodies = ["Objet du marché.", "Durée de trois ans.", "Lot 2 : produits.", "Prix révisables."]
    pages = [f"Ville de Kerbourg — CCTP 2023\n{body}\nPage {n} / 4" for n, body in enumerate(bodies, start=1)]
    assert clean_pages(pages, is_pdf=True) == bodies


def test_a_line_that_differs_by_more_than_the_page_number_is_kept():
    pages = [f"En-tête\nLot {n + 1} : fournitures\nfin" for n in range(1, 5)]
    assert all("Lot" in page for page in clean_pages(pages, is_pdf=True))


def test_lines_not_repeated_are_kept():
    pages = ["Titre A\ntexte a", "Titre B\ntexte b", "Titre C\ntexte c"]
    assert running_lines(pages) == set()
    assert drop_running_lines("Titre A\ntexte a", set()) == "Titre A\ntexte a"


def test_non_pdf_text_is_not_stripped_of_repeated_lines():
    pages = ["Same line\nbody one", "Same line\nbody two", "Same line\nbody three"]
    assert clean_pages(pages, is_pdf=False) == pages
