"""Plain text: one page, or one page per form feed (pdftotext output keeps them)."""

from __future__ import annotations

from pathlib import Path

from ingest.converters.base import Extracted, decode_text


def extract_text(path: Path, data: bytes) -> Extracted:
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    pages = text.split("\f") if "\f" in text else [text]
    return Extracted(pages=pages)
