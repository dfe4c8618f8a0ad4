"""One converter per format: bytes on disk → raw page texts and file metadata.

`convert(path)` dispatches on the extension; unknown extensions are not an
error here, `SUPPORTED` lets the walker report them as skipped and
`skip_reason` says why (spreadsheets, legacy binary Office files…).

| extension | converter | notes |
| --- | --- | --- |
| .pdf | pdf | text layer per page (no OCR) |
| .md .markdown | markdown | YAML/TOML front matter → metadata |
| .mdx | markdown (mdx) | import/export lines and JSX-only lines removed, their text kept |
| .txt | text | form feeds split pages |
| .docx | docx | headings → `#`, tables → ` \\| ` rows, page breaks split pages |
| .odt | odt | headings → `#`, lists, tables, soft page breaks |
| .html .htm | html | visible text only, headings → `#` |
| .xml | eforms | EU eForms UBL notices only; other XML fails with a reason |
| .pptx | pptx | one page per slide |

Spreadsheets (.xlsx, .xls, .ods, .csv) are skipped on purpose: cells without
sentences make poor passages, and the figures they hold are not what people
search for in prose.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from ingest.converters.base import Extracted
from ingest.errors import IngestError
from ingest.sniff import check_pdf_signature

# extension → (module of ingest.converters, function, content type). A module is imported on
# first use: the server starts without pypdf and the XML and Office readers (a quarter of a second).
CONVERTERS = {
    ".pdf": ("pdf", "extract_pdf", "application/pdf"),
    ".md": ("markdown", "extract_markdown", "text/markdown"),
    ".markdown": ("markdown", "extract_markdown", "text/markdown"),
    ".mdx": ("markdown", "extract_mdx", "text/markdown"),
    ".txt": ("text", "extract_text", "text/plain"),
    ".docx": ("docx", "extract_docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".odt": ("odt", "extract_odt", "application/vnd.oasis.opendocument.text"),
    ".html": ("html", "extract_html", "text/html"),
    ".htm": ("html", "extract_html", "text/html"),
    ".xml": ("eforms", "extract_eforms", "application/xml"),
    ".pptx": ("pptx", "extract_pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
SUPPORTED = frozenset(CONVERTERS)

# Known formats that are not indexed, with the reason shown in the ingest summary.
SKIPPED = {
    ".xlsx": "spreadsheet (.xlsx) not indexed",
    ".xlsm": "spreadsheet (.xlsm) not indexed",
    ".xls": "spreadsheet (.xls) not indexed",
    ".ods": "spreadsheet (.ods) not indexed",
    ".csv": "spreadsheet (.csv) not indexed",
    ".doc": "legacy Word file (.doc) not supported: save it as DOCX, ODT or PDF",
    ".ppt": "legacy PowerPoint file (.ppt) not supported: save it as PPTX or PDF",
    ".odp": "presentation (.odp) not indexed: export it as PDF",
    ".rtf": "RTF not supported: save it as DOCX, ODT or PDF",
    ".json": "data file (.json) not indexed",
}


def skip_reason(path: Path) -> str:
    """Why the walker leaves `path` out (it is not in SUPPORTED)."""
    suffix = path.suffix.lower()
    return SKIPPED.get(suffix) or f"unsupported file type '{path.suffix or path.name}'"


def content_type(path: Path) -> str:
    return CONVERTERS.get(path.suffix.lower(), (None, None, "application/octet-stream"))[2]


def load_converters() -> None:
    """Import every converter now (parser workers, before a file's time limit starts)."""
    for module, _, _ in CONVERTERS.values():
        importlib.import_module(f"ingest.converters.{module}")


def convert(path: Path, data: bytes) -> Extracted:
    """Raw pages and metadata of one file; raises IngestError with the reason."""
    entry = CONVERTERS.get(path.suffix.lower())
    if entry is None:  # a single file given by name, whatever its type
        raise IngestError(skip_reason(path))
    module, function, _ = entry
    if module == "pdf":
        check_pdf_signature(data)
    extract = getattr(importlib.import_module(f"ingest.converters.{module}"), function)
    try:
        return extract(path, data)
    except IngestError:
        raise
    except RecursionError as exc:
        raise IngestError(f"document nested too deeply to read ({path.suffix.lower()})") from exc
    except MemoryError as exc:
        raise IngestError(f"document too large to read in memory ({path.suffix.lower()})") from exc


__all__ = [
    "CONVERTERS",
    "Extracted",
    "SKIPPED",
    "SUPPORTED",
    "content_type",
    "convert",
    "load_converters",
    "skip_reason",
]
