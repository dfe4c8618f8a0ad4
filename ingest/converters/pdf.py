"""PDF text per page with pypdf, and OCR for scanned pages (`pdf_scans`).

A PDF fails alone and says why (encrypted, corrupt, no text layer and no OCR);
one bad page only loses that page, reported as a warning.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ingest import limits
from ingest.converters.base import Extracted
from ingest.converters.pdf_scans import read_scans
from ingest.errors import IngestError

logging.getLogger("pypdf").setLevel(logging.ERROR)

_USELESS_TITLES = {"untitled", "sans titre", "document", "microsoft word"}


def _open(data: bytes) -> PdfReader:
    if not data.strip():
        raise IngestError("empty file")
    try:
        reader = PdfReader(io.BytesIO(data))
    except (PdfReadError, ValueError, OSError) as exc:
        raise IngestError(f"corrupt PDF: {exc}") from exc
    if reader.is_encrypted:
        try:
            if not reader.decrypt(""):
                raise IngestError("encrypted PDF: needs a password")
        except (NotImplementedError, PdfReadError) as exc:
            raise IngestError(f"encrypted PDF: {exc}") from exc
    return reader


def _title(reader: PdfReader) -> str | None:
    try:
        metadata = reader.metadata
        title = metadata.get("/Title") if metadata else None
    except Exception:  # noqa: BLE001 - broken metadata must not lose the text
        return None
    title = str(title).strip() if title else ""
    if not title or title.lower().split(" - ")[0] in _USELESS_TITLES or title.lower().endswith((".doc", ".docx")):
        return None
    return title


def extract_pdf(path: Path, data: bytes) -> Extracted:
    reader = _open(data)
    try:
        pages = list(reader.pages)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on broken trees
        raise IngestError(f"corrupt PDF: cannot read page tree ({exc})") from exc
    if not pages:
        raise IngestError("PDF has no pages")
    texts, warnings, total = [], [], 0
    for number, page in enumerate(pages, start=1):
        if total > limits.MAX_TEXT_CHARS:  # the rest would be cut anyway: do not spend time and memory on it
            warnings.append(
                f"text truncated at {limits.MAX_TEXT_CHARS:,} characters: pages {number}–{len(pages)} "
                f"are not indexed; split the document to index the rest"
            )
            break
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:  # noqa: BLE001 - one bad page must not lose the document
            texts.append("")
            warnings.append(f"page {number} unreadable: {exc}")
        total += len(texts[-1])
    ocr_pages = read_scans(pages[: len(texts)], texts, warnings, data)
    if not any(t.strip() for t in texts):
        unreadable = [w for w in warnings if " unreadable: " in w]
        if len(unreadable) == len(texts):  # every page raised: a broken or hostile file, not a scan
            raise IngestError(f"no page could be read ({unreadable[0]})")
        raise IngestError("no text layer (scanned or image-only PDF): needs OCR")
    return Extracted(pages=texts, title=_title(reader), is_pdf=True, warnings=warnings, ocr_pages=ocr_pages)
