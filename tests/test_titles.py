"""Titles: a placeholder or a producer's name is not a title; the first heading is, even broken over lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_pdf

from ingest.pipeline import parse_file
from ingest.titles import choose_title, is_placeholder_title, title_from_path, title_from_text

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "title",
    [
        "combined-doc",
        "General Services Administration",
        "Microsoft Word - rfq.docx",
        "EXECUTIVE OFFICE OF THE PRESIDENT",
        "Regional Transportation District",
        "Cynuria Consulting_USDS Challenge_Phase 2_Case Study_09162024",
        "Untitled",
        "1600 Blake Street",
        "U.S. Digital Service",
    ],
)
def test_placeholders_and_producers_are_not_titles(title):
    assert is_placeholder_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "Request for Quotation (RFQ)",
        "Glossaire",
        "Article 52",
        "Prendre en compte l'indice de réparabilité dans les achats publics",
        "52.204-9 Personal Identity Verification of Contractor Personnel",
    ],
)
def test_real_titles_are_kept(title):
    assert not is_placeholder_title(title)
    assert choose_title(None, title, "body", Path("x.pdf")) == title


def test_a_pdf_metadata_placeholder_falls_back_on_the_first_heading_past_the_letterhead():
    body = (
        "General Services Administration\nFederal Acquisition Service\n1800 F St. NW\nWashington, DC\n20405\n"
        "TANF Data Reporting System (TDRS) Software Development Services\nRequest for Quote\n"
        "This request for quote describes the services the agency intends to buy over the next two years."
    )
    assert choose_title(None, "combined-doc", body, Path("award.pdf")) == (
        "TANF Data Reporting System (TDRS) Software Development Services"
    )


def test_a_heading_broken_over_cover_lines_is_joined():
    assert title_from_text("De-risking custom\ntechnology projects\nA handbook for state grantee budgeting") == (
        "De-risking custom technology projects"
    )
    assert title_from_text("pour des achats\nnumériques\nresponsables\nGUIDE PRATIQUE\n") == (
        "Pour des achats numériques responsables"
    )


def test_a_memo_is_titled_by_its_subject_and_minutes_by_their_banner():
    memo = (
        "EXECUTIVE OFFICE OF THE PRESIDENT\nOFFICE OF MANAGEMENT AND BUDGET\nMarch 9, 2016\n"
        "MEMORANDUM FOR CHIEF ACQUISITION OFFICERS\nFROM: Anne E. Rung\nSUBJECT: Acquisition Innovation Labs\n"
        "Agencies are encouraged to establish acquisition innovation labs to test new practices in buying."
    )
    assert title_from_text(memo) == "Acquisition Innovation Labs"
    minutes = (
        "Regional Transportation District\n1660 Blake Street\nDenver, CO 80202-1399\n303-299-2306\n"
        "Board of Directors\nChair – Larry Hoy, District J\nMINUTES\nFinancial Administration & Audit Committee\n"
    )
    assert title_from_text(minutes) == "Minutes: Financial Administration & Audit Committee"


def test_prose_ends_the_search_and_the_file_name_is_the_last_resort():
    body = "October 2022\nThis replaces the August 2021 update to the establishment of the certification program."
    assert title_from_text(body) is None
    assert (
        choose_title(None, None, body, Path("FAC_C_Memo_Update_10-2022.pdf"))
        == title_from_path(Path("FAC_C_Memo_Update_10-2022.pdf"))
        == "FAC C Memo Update 10 2022"
    )


def test_an_operator_title_is_kept_as_given():
    assert choose_title("General Services Administration", "x", "body", Path("a.md")) == (
        "General Services Administration"
    )


def test_parse_file_replaces_a_placeholder_pdf_title(tmp_path):
    pdf = make_pdf(
        tmp_path / "award.pdf",
        [
            "General Services Administration\nSchool Catering Services Award\n"
            + "The contract for school catering is awarded to the lowest bidder. " * 5
        ],
        title="combined-doc",
    )
    assert parse_file(pdf, "award.pdf").document.title == "School Catering Services Award"
