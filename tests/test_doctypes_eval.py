"""Types and titles on real documents: the judged set (eval/doctypes) and the cases the issue named."""

from __future__ import annotations

import pytest
from conftest import SHARED

from eval.doctype_set import JUDGED, acceptable_title, evaluate_doctypes, load_judged
from ingest.pipeline import parse_file

CORPUS = SHARED / "corpus"
needs_shared = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"real documents not available ({CORPUS} is absent)")
FICHES = "minumeco/fiches"


@pytest.mark.unit
def test_the_judged_set_is_large_valid_and_covers_every_type():
    judged = load_judged()
    assert len(judged) >= 150 and len({j.source for j in judged}) == len(judged)
    assert {j.doc_type for j in judged} == {"guide", "tender", "minutes", "law", "notice", "other"}
    assert all(j.titles and all(t.strip() for t in j.titles) for j in judged), JUDGED


@pytest.mark.unit
def test_a_title_is_acceptable_when_it_carries_the_judged_words():
    judged = ("TANF Data Reporting System (TDRS) Software Development Services", "Draft RFQ TDRS")
    assert acceptable_title("TANF Data Reporting System (TDRS) Software Development Services — RFQ", judged)
    assert acceptable_title("Draft RFQ TDRS", judged)
    assert not acceptable_title("General Services Administration", judged)
    assert not acceptable_title("combined-doc", judged)


@needs_shared
@pytest.mark.integration
@pytest.mark.parametrize(
    "relative", [f"{FICHES}/guide-achat-indice-reparabilite/index.md", f"{FICHES}/guide-bonnes-pratiques/glossaire.md"]
)
def test_french_guide_pages_are_guides_wherever_they_come_from(relative):
    path = CORPUS / relative
    assert parse_file(path, f"corpus/{relative}").document.doc_type == "guide"
    assert parse_file(path, f"uploads/{path.name}").document.doc_type == "guide"


@needs_shared
@pytest.mark.slow  # the award is a 40-page PDF: half a minute to parse on a loaded machine
def test_placeholder_pdf_titles_give_way_to_the_document_heading():
    award = CORPUS / "us-18f-rfq/tdrs/TDRS Fully Executed Base Award.pdf"
    title = parse_file(award, "award.pdf").document.title
    assert title not in ("combined-doc", "General Services Administration") and "TDRS" in title


@needs_shared
@pytest.mark.integration
def test_every_judged_file_exists_and_the_markdown_part_scores():
    judged = load_judged()
    assert [j.source for j in judged if not (CORPUS / j.source).is_file()] == []
    markdown = [j for j in judged if j.source.endswith(".md") and not j.source.startswith("us-far/")][:20]
    report = evaluate_doctypes(CORPUS, markdown)
    assert report.documents == len(markdown)
    assert report.types_folder / report.documents >= 0.9 and report.titles / report.documents >= 0.9


@needs_shared
@pytest.mark.slow
def test_the_judged_set_reaches_95_percent():
    report = evaluate_doctypes(CORPUS)
    assert report.share(report.types_folder) >= 0.95 and report.share(report.types_upload) >= 0.95
    assert report.share(report.titles) >= 0.95
