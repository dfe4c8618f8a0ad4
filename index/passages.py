"""Passages from ranked chunks: adjacent overlapping chunks of one page merge, near-identical ones drop."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
    document: dict[str, object] = field(default_factory=dict)
    ocr: bool = False  # read from a scanned page by OCR


DOCUMENT_KEYS = ("title", "doc_type", "language", "year", "date", "buyer", "source")


def to_hit(found: Found) -> Hit:
    p = found.payload
    return Hit(
        id=found.id,
        document_id=str(p["document_id"]),
        text=str(p["text"]),
        page=int(p["page"]),
        page_end=int(p.get("page_end") or p["page"]),
        section=str(p.get("section") or ""),
        language=str(p.get("chunk_language") or p.get("language")),
        score=found.score,
        index=int(p["index"]),
        char_start=int(p["char_start"]),
        char_end=int(p["char_end"]),
        document={k: p.get(k) for k in DOCUMENT_KEYS},
        ocr=bool(p.get("ocr")),
    )


def _merge(a: Hit, b: Hit) -> Hit:
    """One passage from two overlapping chunks (texts are slices of one document text)."""
    first, second = (a, b) if a.char_start <= b.char_start else (b, a)
    overlap = first.char_end - second.char_start
    text = first.text + second.text[overlap:] if overlap >= 0 else first.text + "\n" + second.text
    return Hit(
        **{
            **a.__dict__,
            "text": text,
            "char_start": first.char_start,
            "char_end": max(first.char_end, second.char_end),
            "page": first.page,
            "page_end": max(first.page_end, second.page_end),
            "section": first.section,
            "index": first.index,
            "ocr": a.ocr or b.ocr,
        }
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
        p = found.payload
        neighbours = by_page.get((str(p["document_id"]), int(p["page"])))
        if neighbours:
            start, end, index = int(p["char_start"]), int(p["char_end"]), int(p["index"])
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
