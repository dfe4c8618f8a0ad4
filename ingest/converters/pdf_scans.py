"""Scanned pages of a PDF: find them and read them with OCR.

A page is read by OCR when it shows an image and its text layer is not usable
(`ingest.ocr_quality`); pages with text keep their text, so a typed report with
scanned annexes gets both. A page without any image and without text is blank:
nothing to read. Where OCR is not installed, the scanned pages are reported
(and a document with nothing else fails) with a reason that says how to enable it.
"""

from __future__ import annotations

from typing import Any

from pypdf import PageObject

from ingest import ocr
from ingest.errors import IngestError
from ingest.ocr_quality import prefer_ocr, usable_text

_MAX_DEPTH = 4  # forms inside forms: deeper than real files nest, shallow enough for hostile ones


def _has_image(resources: Any, depth: int = 0) -> bool:
    """Whether a page's resources (a pypdf dictionary, untyped) draw an image, looking into forms."""
    try:
        xobjects = resources.get("/XObject") if resources is not None else None
        for ref in (xobjects or {}).values():
            obj = ref.get_object()
            subtype = obj.get("/Subtype")
            if subtype == "/Image":
                return True
            if subtype == "/Form" and depth < _MAX_DEPTH and _has_image(obj.get("/Resources"), depth + 1):
                return True
    except Exception:  # noqa: BLE001 - a broken resource tree: read the page rather than lose it
        return True
    return False


def shows_image(page: PageObject) -> bool:
    """Whether the page draws an image (directly or inside a form), so OCR may find text on it."""
    try:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else None
    except Exception:  # noqa: BLE001
        return True
    return _has_image(resources)


def scanned_pages(pages: list[PageObject], texts: list[str]) -> list[int]:
    """1-based numbers of the pages to OCR (only among the pages whose text was extracted)."""
    return [
        n
        for n, (page, text) in enumerate(zip(pages, texts, strict=True), start=1)
        if not usable_text(text) and shows_image(page)
    ]


def read_scans(pages: list[PageObject], texts: list[str], warnings: list[str], data: bytes) -> tuple[int, ...]:
    """Replace the text of scanned pages by OCR's, in place; returns the numbers of the pages read by OCR.

    Raises IngestError only when no page has text in the end: OCR could not run, or found nothing.
    """
    numbers = scanned_pages(pages, texts)
    if not numbers:
        return ()
    reason = ocr.unavailable()
    if reason:
        if not any(usable_text(t) for t in texts):
            raise IngestError(f"no text layer (scanned or image-only PDF): needs OCR, but {reason}")
        warnings.append(f"{len(numbers)} scanned page(s) not indexed ({_span(numbers)}): needs OCR, but {reason}")
        return ()
    recognised = ocr.recognise_pages(data, numbers)
    warnings.extend(recognised.warnings)
    read = []
    for number, text in recognised.texts.items():
        if prefer_ocr(texts[number - 1], text):
            texts[number - 1] = text
            read.append(number)
    if not any(t.strip() for t in texts):
        why = f" ({recognised.warnings[0]})" if recognised.warnings else ""
        raise IngestError(
            f"no text layer (scanned or image-only PDF), and OCR found no text on its "
            f"{len(numbers)} scanned page(s){why}"
        )
    return tuple(sorted(read))


def _span(numbers: list[int]) -> str:
    return f"page {numbers[0]}" if len(numbers) == 1 else f"pages {numbers[0]}–{numbers[-1]}"
