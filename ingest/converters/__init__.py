"""One converter per format: bytes on disk → raw page texts and file metadata.

`convert(path)` dispatches on the extension; unknown extensions are not an
error here, `SUPPORTED` lets the walker report them as skipped.
"""

from __future__ import annotations

from pathlib import Path

from ingest.converters.base import Extracted
from ingest.converters.markdown import extract_markdown
from ingest.converters.pdf import extract_pdf
from ingest.converters.text import extract_text

CONVERTERS = {
    ".pdf": (extract_pdf, "application/pdf"),
    ".md": (extract_markdown, "text/markdown"),
    ".markdown": (extract_markdown, "text/markdown"),
    ".txt": (extract_text, "text/plain"),
}
SUPPORTED = frozenset(CONVERTERS)


def content_type(path: Path) -> str:
    return CONVERTERS.get(path.suffix.lower(), (None, "application/octet-stream"))[1]


def convert(path: Path, data: bytes) -> Extracted:
    """Raw pages and metadata of one file; raises IngestError with the reason."""
    extract, _ = CONVERTERS[path.suffix.lower()]
    return extract(path, data)


__all__ = ["Extracted", "SUPPORTED", "content_type", "convert"]
