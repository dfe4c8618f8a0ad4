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
from ingest.fields import fields_metadata
from ingest.ids import document_id, file_sha256, path_sha256
from ingest.language import detect_language
from ingest.limits import cap_pages, chunk_cap_warning, read_head
from ingest.metadata import guess_doc_type, guess_year, normalise_doc_type, normalise_year
from ingest.titles import choose_title
from ingest.types import Document, Page, ParsedDocument

_RESERVED = {"title", "doc_type", "type", "year", "date", "language", "lang"}


def parse_file(
    path: Path,
    source: str,
    catalog: dict[str, object] | None = None,
    doc_type: str | None = None,
    data: bytes | None = None,
) -> ParsedDocument:
    """Parse one file; raises IngestError (with the reason) when it has no usable text.

    Memory stays bounded (see `ingest.limits`): an oversized text file is read only up to its head,
    and text past the budget is dropped with a warning in `ParsedDocument.warnings`.
    """
    warnings: list[str] = []
    try:
        size = path.stat().st_size if data is None else len(data)
        if data is None:
            data, truncated = read_head(path, size)
            sha256 = path_sha256(path) if truncated else file_sha256(data)
            warnings += [truncated] if truncated else []
        else:
            sha256 = file_sha256(data)
    except OSError as exc:
        raise IngestError(f"unreadable: {exc.strerror or exc}") from exc
    extracted = convert(path, data)
    raw_pages, capped = cap_pages(extracted.pages)
    warnings += extracted.warnings + ([capped] if capped else [])
    pages = [
        Page(n, text, ocr=n in extracted.ocr_pages)
        for n, text in enumerate(clean_pages(raw_pages, extracted.is_pdf), start=1)
    ]
    body = "\n".join(p.text for p in pages)
    if not body.strip():
        raise IngestError("no text after cleaning (empty document)")
    meta = {**extracted.metadata, **(catalog or {})}
    title = choose_title(meta.get("title"), extracted.title, body, path)
    language = str(meta.get("language") or meta.get("lang") or detect_language(body))
    chosen_type = normalise_doc_type(doc_type) or normalise_doc_type(meta.get("doc_type") or meta.get("type"))
    date = meta.get("date")
    kind = chosen_type or guess_doc_type(source, title, body)
    fields = fields_metadata(path, data, body, kind)  # tender fields, under the `fields` key (see ingest.fields)
    document = Document(
        id=document_id(source),
        source=source,
        path=str(path.resolve()),
        title=title.strip(),
        doc_type=kind,
        language=language,
        sha256=sha256,
        pages=len(pages),
        size=size,
        content_type=content_type(path),
        year=normalise_year(meta) or guess_year(title, extracted.pages[0][:2000] + "\n" + body),
        date=str(date) if date else None,
        extra={k: _plain(v) for k, v in meta.items() if k not in _RESERVED} | ({"fields": fields} if fields else {}),
    )
    chunks = chunk_pages(document.id, pages, language)
    if not chunks:
        raise IngestError("no text to index")
    capped = chunk_cap_warning(len(chunks), chunks[-1].page_end, len(pages))
    return ParsedDocument(document, pages, chunks, warnings + ([capped] if capped else []))


def _plain(value: object) -> object:
    """Front-matter values as JSON-safe payload (dates become ISO strings)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
