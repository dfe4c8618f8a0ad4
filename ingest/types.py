"""The types that flow through ingestion, one per step.

Frozen dataclasses: a value produced by one step is never edited by the next,
which keeps re-ingestion deterministic and makes every step testable alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    """Cleaned text of one page; `number` is 1-based as printed in viewers."""

    number: int
    text: str
    ocr: bool = False  # the text was read from an image by OCR (a scanned page)


@dataclass(frozen=True)
class Document:
    """What we know about a source file, independent of its text."""

    id: str
    source: str  # path relative to the ingested root, with '/' separators
    path: str  # absolute path on disk, used to serve the original file
    title: str
    doc_type: str
    language: str
    sha256: str
    pages: int
    size: int
    content_type: str
    year: int | None = None
    date: str | None = None
    extra: dict[str, object] = field(default_factory=dict)  # buyer, themes, …


@dataclass(frozen=True)
class Chunk:
    """A passage to embed and cite.

    `text` is exactly `full_text[char_start:char_end]` of the document's
    pages joined by PAGE_SEPARATOR, so overlapping hits can be merged and
    highlighted against the original.
    """

    document_id: str
    index: int
    text: str
    page: int
    page_end: int
    section: str
    char_start: int
    char_end: int
    language: str
    ocr: bool = False  # some of its text was read by OCR: shown so, since it may hold misread characters


@dataclass(frozen=True)
class ParsedDocument:
    """A document ready for the index: metadata, pages and chunks."""

    document: Document
    pages: list[Page]
    chunks: list[Chunk]
    warnings: list[str] = field(default_factory=list)  # what was lost on the way (bad pages, truncation)


PAGE_SEPARATOR = "\n\n"


def join_pages(pages: list[Page]) -> tuple[str, list[int]]:
    """Full text of a document and the offset where each page starts."""
    offsets, parts, pos = [], [], 0
    for page in pages:
        offsets.append(pos)
        parts.append(page.text)
        pos += len(page.text) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(parts), offsets
