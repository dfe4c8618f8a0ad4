"""One file → ParsedDocument, on real files; bad files fail alone with their reason."""

from pathlib import Path

import pytest
from conftest import SHARED, make_pdf

from ingest.errors import IngestError
from ingest.pipeline import parse_file
from ingest.walk import walk_paths

pytestmark = pytest.mark.unit


def test_pdf_pages_metadata_and_cleaning(small_corpus: Path):
    parsed = parse_file(small_corpus / "fr" / "ccap-nettoyage.pdf", "docs/fr/ccap-nettoyage.pdf")
    doc = parsed.document
    assert doc.pages == 3 and doc.language == "fr" and doc.title == "CCAP nettoyage des locaux"
    assert doc.doc_type == "tender", "CCAP in the path and title makes it a tender"
    assert doc.year == 2023, "the year comes from the running header of the first page"
    assert all("Page 1 / 3" not in p.text and "Pays de Rance — CCAP" not in p.text for p in parsed.pages)
    social = [c for c in parsed.chunks if "heures" in c.text]
    assert social and social[0].page == 3 and "Article 5" in social[0].section


def test_markdown_front_matter_becomes_metadata_not_text(small_corpus: Path):
    parsed = parse_file(small_corpus / "en" / "catering-rfp.md", "docs/en/catering-rfp.md")
    assert parsed.document.title == "RFP School Catering"
    assert parsed.document.doc_type == "tender" and parsed.document.year == 2024
    assert "doc_type" not in parsed.pages[0].text


def test_catalog_entry_wins_over_heuristics(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Compte rendu de la réunion du groupe de travail textiles.", encoding="utf-8")
    (tmp_path / "catalog.toml").write_text(
        '["a.txt"]\ntitle = "GT textiles"\ndoc_type = "minutes"\nyear = 2023\nbuyer = "RARGO"\n', encoding="utf-8"
    )
    walk = walk_paths([tmp_path])
    parsed = parse_file(walk.files[0].path, walk.files[0].source, walk.files[0].catalog)
    assert (parsed.document.title, parsed.document.doc_type, parsed.document.year) == ("GT textiles", "minutes", 2023)
    assert parsed.document.extra["buyer"] == "RARGO"


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("broken.pdf", b"%PDF-1.4\nnot a pdf at all", "PDF"),
        ("empty.pdf", b"", "empty file"),
        ("empty.md", b"   \n", "empty file"),
        ("binary.txt", b"\x00\x01\x02abc", "binary"),
    ],
)
def test_bad_files_raise_an_ingest_error_with_the_reason(tmp_path: Path, name: str, content: bytes, reason: str):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(IngestError, match=reason):
        parse_file(tmp_path / name, name)


def test_image_only_pdf_needs_ocr(tmp_path: Path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 100, style="F")
    pdf.output(str(tmp_path / "scan.pdf"))
    with pytest.raises(IngestError, match="needs OCR"):
        parse_file(tmp_path / "scan.pdf", "scan.pdf")


def test_encrypted_pdf_without_password_is_reported(tmp_path: Path):
    from pypdf import PdfReader, PdfWriter

    source = make_pdf(tmp_path / "plain.pdf", ["Texte confidentiel du marché."])
    writer = PdfWriter()
    for page in PdfReader(source).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    with open(tmp_path / "locked.pdf", "wb") as handle:
        writer.write(handle)
    with pytest.raises(IngestError, match="encrypted"):
        parse_file(tmp_path / "locked.pdf", "locked.pdf")


def test_walk_reports_unknown_extensions_and_skips_hidden_files(small_corpus: Path):
    walk = walk_paths([small_corpus])
    sources = {f.source for f in walk.files}
    assert "docs/fr/ccap-nettoyage.pdf" in sources and "docs/.hidden.md" not in sources
    assert walk.skipped == [("docs/notes.xyz", "unsupported file type '.xyz'")]


@pytest.mark.skipif(not (SHARED / "pdf-samples").is_dir(), reason="../shared/pdf-samples is absent")
def test_every_shared_pdf_sample_yields_text_or_a_reason():
    outcomes = {}
    for path in sorted((SHARED / "pdf-samples").rglob("*.pdf")):
        try:
            parsed = parse_file(path, path.name)
            assert parsed.chunks and parsed.document.pages >= 1
            outcomes[path.name] = "ok"
        except IngestError as exc:
            assert str(exc)
            outcomes[path.name] = str(exc)
    assert len(outcomes) >= 25
    assert sum(v == "ok" for v in outcomes.values()) >= len(outcomes) // 2, outcomes


def test_markdown_inline_markup_is_not_quoted(tmp_path: Path):
    (tmp_path / "faq.md").write_text(
        "# FAQ\n\n**Peut-on réserver un lot à un ESAT ?** Oui, voir "
        "[la fiche](https://example.org/fiche) <!-- brouillon -->.",
        encoding="utf-8",
    )
    text = parse_file(tmp_path / "faq.md", "faq.md").pages[0].text
    assert "**" not in text and "](" not in text and "brouillon" not in text
    assert "Peut-on réserver un lot à un ESAT ? Oui, voir la fiche" in text
