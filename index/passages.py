"""Passages from ranked chunks: adjacent overlapping chunks of one page merge, near-identical ones drop."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from index.records import DocumentFields
from index.store import Found


@dataclass(frozen=True)
class Hit:
    """One passage: a chunk, or several adjacent chunks of one page merged."""

    id: str
    document_id: str
    text: str
    page: int
    page_end: int
    section: str
    language: str
    score: float
    index: int
    char_start: int
    char_end: int
    document: DocumentFields = field(default_factory=DocumentFields)
    ocr: bool = False  # read from a scanned page by OCR


def to_hit(found: Found) -> Hit:
    chunk = found.chunk
    return Hit(
        id=found.id,
        document_id=chunk.document_id,
        text=chunk.text,
        page=chunk.page,
        page_end=chunk.page_end,
        section=chunk.section,
        language=chunk.chunk_language,
        score=found.score,
        index=chunk.index,
        char_start=chunk.char_start,
        char_end=chunk.char_end,
        document=chunk.fields,
        ocr=chunk.ocr,
    )


def _merge(a: Hit, b: Hit) -> Hit:
    """One passage from two overlapping chunks (texts are slices of one document text)."""
    first, second = (a, b) if a.char_start <= b.char_start else (b, a)
    overlap = first.char_end - second.char_start
    text = first.text + second.text[overlap:] if overlap >= 0 else first.text + "\n" + second.text
    return dataclasses.replace(
        a,
        text=text,
        char_start=first.char_start,
        char_end=max(first.char_end, second.char_end),
        page=first.page,
        page_end=max(first.page_end, second.page_end),
        section=first.section,
        index=first.index,
        ocr=a.ocr or b.ocr,
    )


_NON_WORD = re.compile(r"\W+")


def _signature(text: str) -> str:
    return _NON_WORD.sub(" ", text[:600].lower()).strip()[:400]


def collapse(candidates: list[Found], keep: int | None = None) -> list[Hit]:
    """Passages from ranked chunks (with their whole payloads), best first.

    With `keep`, passages past the first `keep` are not built: later candidates are only
    checked for a merge into a kept passage (a cheap lookup), so the passages returned are the
    same as with every candidate collapsed, at a fraction of the cost (the signature of
    each of 200 candidates was the largest cost of a search after the model and Qdrant).
    """
    kept: list[Hit] = []
    by_page: dict[tuple[str, int], list[int]] = {}  # (document, page) → positions in `kept`
    seen: set[str] = set()
    full = False
    for found in candidates:
        chunk = found.chunk
        neighbours = by_page.get((chunk.document_id, chunk.page))
        if neighbours:
            start, end, index = chunk.char_start, chunk.char_end, chunk.index
            partner = next(
                (
                    i
                    for i in neighbours
                    if abs(kept[i].index - index) == 1
                    and kept[i].char_end >= start - 1
                    and end >= kept[i].char_start - 1
                ),
                None,
            )
            if partner is not None:
                kept[partner] = _merge(kept[partner], to_hit(found))
                continue
        if full:
            continue
        hit = to_hit(found)
        signature = _signature(hit.text)
        if signature in seen:
            continue
        seen.add(signature)
        by_page.setdefault((hit.document_id, hit.page), []).append(len(kept))
        kept.append(hit)
        full = keep is not None and len(kept) >= keep
    return kept
