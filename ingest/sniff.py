"""What a file really is, from its first bytes, for files whose name says otherwise.

A `.pdf` that does not start with the PDF signature is reported as "not a PDF"
(naming what it looks like) before the PDF reader tries it: pypdf would fail deep
inside with "Stream has ended unexpectedly", which reads like a damaged PDF when
the file was never one (an executable or a Word file renamed `.pdf`).
"""

from __future__ import annotations

from ingest.errors import IngestError

PDF_SIGNATURE = b"%PDF-"
HEADER_WINDOW = 1024  # the PDF specification lets the signature start anywhere in the first kilobyte

# (leading bytes, what the file is): checked in order, first match wins
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "a Linux executable"),
    (b"\xca\xfe\xba\xbe", "a macOS executable"),
    (b"\xcf\xfa\xed\xfe", "a macOS executable"),
    (b"PK\x03\x04", "a ZIP archive (an Office document or archive)"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office file (.doc, .xls or .ppt)"),
    (b"{\\rtf", "an RTF document"),
    (b"%!PS", "a PostScript file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)


def describe_bytes(data: bytes) -> str | None:
    """What the leading bytes say the file is, or None when they match no known signature."""
    head = data[:16]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    text = data[:512].lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    return None


def check_pdf_signature(data: bytes) -> None:
    """Raise IngestError("not a PDF …") when `data` lacks the PDF signature; empty files are left to the reader."""
    if not data.strip() or PDF_SIGNATURE in data[:HEADER_WINDOW]:
        return
    what = describe_bytes(data)
    raise IngestError(f"not a PDF: the file is {what}" if what else "not a PDF: the file has no PDF signature")
