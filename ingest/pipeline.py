"""One file in, one ParsedDocument out: convert → clean → describe → chunk.

`parse_file` is a pure function of the file's bytes and its source path, so it
can run in a worker process and its result is the same on every machine.
"""

from __future__ import annotations

from pathlib import Path

from ingest.chunker import chunk_pages
from ingest.clean import clean_pages
from ingest.converters import content_type, convert
from ingest.errors import IngestError
from ingest.ids import document_id, file_sha256
from ingest.language import detect_language
from ingest.metadata import (guess_doc_type, guess_year, normalise_doc_type, normalise_year, title_from_path,
                             title_from_text)
from ingest.types import Document, Page, ParsedDocument

_RESERVED = {"title", "doc_type", "type", "year", "date", "language", "lang"}


def parse_file(path: Path, source: str, catalog: dict[str, object] | None = None,
               doc_type: str | None = None, data: bytes | None = None) -> ParsedDocument:
    """Parse one file; raises IngestError (with the reason) when it has no usable text."""
    try:
        data = path.read_bytes() if data is None else data
    except OSError as exc:
        raise IngestError(f"unreadable: {exc.strerror or exc}") from exc
    extracted = convert(path, data)
    pages = [Page(n, text) for n, text in enumerate(clean_pages(extracted.pages, extracted.is_pdf), start=1)]
    body = "\n".join(p.text for p in pages)
    if not body.strip():
        raise IngestError("no text after cleaning (empty document)")
    meta = {**extracted.metadata, **(catalog or {})}
    title = str(meta.get("title") or extracted.title or title_from_text(body) or title_from_path(path))
    language = str(meta.get("language") or meta.get("lang") or detect_language(body))
    chosen_type = normalise_doc_type(doc_type) or normalise_doc_type(meta.get("doc_type") or meta.get("type"))
    date = meta.get("date")
    document = Document(
        id=document_id(source), source=source, path=str(path.resolve()), title=title.strip(),
        doc_type=chosen_type or guess_doc_type(source, title, body), language=language,
        sha256=file_sha256(data), pages=len(pages), size=len(data), content_type=content_type(path),
        year=normalise_year(meta) or guess_year(title, extracted.pages[0][:2000] + "\n" + body),
        date=str(date) if date else None,
        extra={k: _plain(v) for k, v in meta.items() if k not in _RESERVED},
    )
    chunks = chunk_pages(document.id, pages, language)
    if not chunks:
        raise IngestError("no text to index")
    return ParsedDocument(document, pages, chunks)


def _plain(value: object) -> object:
    """Front-matter values as JSON-safe payload (dates become ISO strings)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
