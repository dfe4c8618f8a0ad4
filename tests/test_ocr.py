"""Scanned PDFs: read by OCR in the parser workers, found across languages, opened at the right page.

The scans are made here, from PDFs the tests write: each page is rendered by pdftoppm and put back
into an image-only PDF (eval.ocr_set.scan_pdf), so no scan is committed.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from litestar.testing import TestClient
from pypdf import PdfReader, PdfWriter

from eval.ocr_set import CONDITIONS, character_error_rate, scan_pdf
from index.collection import open_collection
from index.indexer import ingest_paths
from ingest import ocr
from ingest.errors import IngestError
from ingest.pipeline import parse_file
from service.app import create_app
from service.settings import Settings
from tests.conftest import make_pdf

NO_OCR = ocr.unavailable()
needs_ocr = pytest.mark.skipif(NO_OCR is not None, reason=f"OCR unavailable: {NO_OCR}")

DELIBERATION = [
    "Extrait du registre des délibérations du conseil municipal de Kerbourg\n"
    "Séance du lundi 11 décembre 2023. Conseillers en exercice : 39 ; présents : 33.\n"
    "Délibération n° 2023-147. Rapporteur : Mme Anne Le Goff, adjointe aux finances.\n"
    "Exposé des motifs : la restauration scolaire sert chaque jour 4 200 repas dans les écoles de la ville. "
    "Le précédent marché arrive à échéance le 31 décembre 2023 et une consultation a été lancée en juin. "
    "Quatre offres ont été reçues et analysées selon les critères du règlement de la consultation : le prix, la "
    "qualité gustative des produits, la part de produits issus de l'agriculture biologique et les circuits courts. "
    "Le rapport d'analyse des offres est joint à la présente délibération et peut être consulté en mairie.",
    "ARTICLE 1 - DÉCISION\nLe conseil municipal, après en avoir délibéré, attribue le marché de fourniture de denrées "
    "alimentaires biologiques et locales pour la restauration scolaire à la société Ker Bio Distribution, "
    "pour un montant annuel de 412 000 euros hors taxes, sur une durée de quatre ans. La commission d'appel "
    "d'offres a classé cette offre première sur le prix et sur la part de produits biologiques (62 %).",
]
AWARD_LETTER = [
    "Harbourside Transit Authority, Procurement Office, 14 Quay Street.\n"
    "Our reference: HTA-2024-031. Date: 3 April 2024.\n"
    "Dear Sir or Madam, thank you for the tender you submitted in February for the works described below. "
    "The evaluation panel met on 21 March 2024 and its report was approved by the board. "
    "Four tenders were received and assessed against the published criteria: price, technical merit, delivery "
    "programme and the whole-life cost of the equipment. The evaluation report is available on request.",
    "NOTICE OF CONTRACT AWARD\nWe are pleased to inform you that the contract for the supply and installation "
    "of charging stations for battery electric buses at the Northgate depot is awarded to Voltline Energy Ltd "
    "for a total price of 2,350,000 pounds. The standstill period ends on 15 April 2024, after which the "
    "contract will be signed.",
]


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict[str, Path]:
    """A scanned French deliberation and a scanned English award letter (300 dpi, light noise, JPEG 70)."""
    if NO_OCR:
        pytest.skip(f"OCR unavailable: {NO_OCR}")
    base = tmp_path_factory.mktemp("ocr")
    (base / "typed").mkdir()
    out = {}
    for name, pages in (
        ("fr/deliberation-restauration-2023-147.pdf", DELIBERATION),
        ("en/award-letter-charging-stations.pdf", AWARD_LETTER),
    ):
        typed = make_pdf(base / "typed" / Path(name).name, pages)
        out[name] = base / "scans" / name
        scan_pdf(typed, out[name], CONDITIONS["300-light"])
        out["typed/" + name] = typed
    return out


@needs_ocr
@pytest.mark.integration
def test_scans_have_no_text_layer_and_ocr_reads_them_page_by_page(scans):
    name = "fr/deliberation-restauration-2023-147.pdf"
    assert not any((page.extract_text() or "").strip() for page in PdfReader(scans[name]).pages)
    with ocr.budget(page_timeout=900):
        parsed = parse_file(scans[name], name)
    assert [page.ocr for page in parsed.pages] == [True, True]
    assert all(chunk.ocr for chunk in parsed.chunks)
    for page, truth in zip(parsed.pages, PdfReader(scans["typed/" + name]).pages, strict=True):
        assert character_error_rate(page.text, truth.extract_text()) < 0.05
    assert "Ker Bio Distribution" in parsed.pages[1].text


@needs_ocr
@pytest.mark.integration
def test_scans_are_found_across_languages_and_open_at_their_page(scans, e5_embedder, tmp_path):
    """Done when of issue 19, with the default model: ingested by the parser workers, found in the other
    language, at page 2."""
    corpus = scans["fr/deliberation-restauration-2023-147.pdf"].parents[1]
    make_pdf(
        corpus / "fr" / "ccap-nettoyage.pdf",
        ["Marché de nettoyage des locaux : durée de trois ans, pénalités de retard et clauses d'insertion. " * 6],
    )
    make_pdf(
        corpus / "en" / "guide-fleet.pdf",
        ["Zero-emission fleet guide: whole-life costing of vans and cars, fuel cards and driver training. " * 6],
    )
    settings = Settings(data_dir=tmp_path / "data")
    with open_collection(data_dir=settings.data_dir, create=True, embedder=e5_embedder) as collection:
        # limits far above the defaults: this checks what OCR reads, on a machine other tests may be loading
        report = ingest_paths(collection, [corpus], workers=1, timeout=1800, ocr_page_timeout=900)
        assert not report.failed, report.failed
        with TestClient(create_app(settings, collection=collection)) as client:
            for question, source in (
                (
                    "Which company was awarded the organic food supply contract for school catering?",
                    "fr/deliberation-restauration-2023-147.pdf",
                ),
                (
                    "Quelle entreprise a obtenu le marché des bornes de recharge pour les bus électriques ?",
                    "en/award-letter-charging-stations.pdf",
                ),
            ):
                body = client.get("/v1/search", params={"q": question, "k": 5}).json()
                top = body["documents"][0]
                assert top["source"] == "scans/" + source, (question, [d["source"] for d in body["documents"]])
                assert top["best_page"] == 2
                passage = next(p for p in body["passages"] if p["document_id"] == top["id"])
                assert passage["ocr"] is True
                html = client.get("/", params={"q": question}).text
                assert "#page=2" in html and "OCR" in html


@needs_ocr
@pytest.mark.integration
def test_a_typed_report_with_a_scanned_annex_gets_both(scans, tmp_path):
    typed = make_pdf(
        tmp_path / "report.pdf",
        [
            "Rapport d'analyse des offres du marché de restauration. "
            "Le rapport présente la méthode de notation des offres. " * 5
        ],
    )
    writer = PdfWriter()
    writer.append(str(typed))
    writer.append(str(scans["en/award-letter-charging-stations.pdf"]), pages=[1])
    mixed = tmp_path / "mixed.pdf"
    writer.write(mixed)
    with ocr.budget(page_timeout=900):
        parsed = parse_file(mixed, "mixed.pdf")
    assert [page.ocr for page in parsed.pages] == [False, True]
    assert parsed.pages[0].text.startswith("Rapport d'analyse des offres")  # the typed layer, not OCR's reading
    assert "Voltline Energy" in parsed.pages[1].text


@needs_ocr
@pytest.mark.integration
def test_a_page_over_its_time_limit_is_reported_and_the_rest_indexed(scans, tmp_path):
    name = "en/award-letter-charging-stations.pdf"
    with ocr.budget(page_timeout=0.001), pytest.raises(IngestError, match="OCR found no text.*took over"):
        parse_file(scans[name], name)
    typed = make_pdf(tmp_path / "cover.pdf", ["Typed cover page of the award file, kept as it is. " * 6])
    writer = PdfWriter()
    writer.append(str(typed))
    writer.append(str(scans[name]))
    mixed = tmp_path / "mixed.pdf"
    writer.write(mixed)
    with ocr.budget(page_timeout=0.001):
        parsed = parse_file(mixed, "mixed.pdf")
    assert len(parsed.pages) == 3 and not any(page.ocr for page in parsed.pages)
    assert [w.split(":")[0] for w in parsed.warnings] == ["page 2", "page 3"]
    assert all("not indexed" in w for w in parsed.warnings)


@needs_ocr
@pytest.mark.integration
def test_ocr_stops_before_the_file_time_limit_and_names_the_pages_left(scans):
    name = "fr/deliberation-restauration-2023-147.pdf"
    stopped = "OCR stopped at the file's time limit: 2 scanned page"
    with ocr.budget(file_timeout=0.5), pytest.raises(IngestError, match=stopped):  # no time left for OCR
        parse_file(scans[name], name)


def _image_only_pdf(path: Path) -> Path:
    """A page that is only a picture of text, built without pdftoppm (so this runs where OCR is absent)."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("L", (1240, 1754), 255)
    ImageDraw.Draw(image).text((100, 100), "Délibération du conseil municipal", fill=0)
    data = io.BytesIO()
    image.save(data, "PNG")
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.image(data, x=0, y=0, w=pdf.w, h=pdf.h)
    pdf.output(str(path))
    return path


@pytest.mark.integration
def test_without_tesseract_a_scan_fails_alone_saying_how_to_enable_ocr(tmp_path, monkeypatch):
    import pytesseract

    scan = _image_only_pdf(tmp_path / "scan.pdf")
    good = make_pdf(tmp_path / "typed.pdf", ["Cahier des charges du marché de nettoyage des écoles. " * 6])
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "no-tesseract"))
    ocr.unavailable.cache_clear()
    try:
        with pytest.raises(IngestError) as error:
            parse_file(scan, "scan.pdf")
        assert "needs OCR" in str(error.value) and "Tesseract is not installed" in str(error.value)
        assert "tesseract-ocr-fra" in str(error.value) and "make system-packages" in str(error.value)
        assert parse_file(good, "typed.pdf").pages[0].text.startswith("Cahier des charges")
    finally:
        monkeypatch.undo()
        ocr.unavailable.cache_clear()


@needs_ocr
@pytest.mark.integration
def test_a_scanned_ruled_table_is_read_cell_by_cell(tmp_path):
    """A cell of several lines stays together, as in the typed PDF's text layer (docs/ocr.md, CER)."""
    from fpdf import FPDF

    from tests.conftest import FONT

    pdf = FPDF(format="A4")
    pdf.add_page()
    if FONT.exists():
        pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu" if FONT.exists() else "Helvetica", size=12)
    with pdf.table(col_widths=(30, 60, 60), first_row_as_headings=False) as table:
        for row in (
            ("Article", "Structures bénéficiaires", "Proportion minimale"),
            ("L2113-12", "Entreprises adaptées et établissements d'aide par le travail", "50 % de handicapés"),
            ("L2113-13", "Structures d'insertion par l'activité économique", "50 % de défavorisés"),
        ):
            cells = table.row()
            for text in row:
                cells.cell(text)
    typed = tmp_path / "table.pdf"
    pdf.output(str(typed))
    scan = tmp_path / "scan.pdf"
    scan_pdf(typed, scan, CONDITIONS["300-clean"])
    with ocr.budget(page_timeout=900):
        text = " ".join(parse_file(scan, "scan.pdf").pages[0].text.split())
    assert "Entreprises adaptées et établissements d'aide par le travail" in text
    assert "Structures d'insertion par l'activité" in text
    assert (
        text.index("L2113-12") < text.index("Entreprises") < text.index("50 % de handicapés") < text.index("L2113-13")
    )
