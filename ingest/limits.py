"""How much of one document is indexed, so memory stays bounded whatever the file's size.

A 100 MB log exported as .txt, or a 10,000-page compilation, would otherwise
be held whole in memory several times over (bytes, decoded text, cleaned
pages, sentence blocks, vectors). Past these limits the rest of the document
is not indexed and the ingest summary says so, with the page where it stopped;
splitting the file indexes all of it.
"""

from __future__ import annotations

from pathlib import Path

MAX_TEXT_CHARS = 12_000_000  # ≈ 1.8 M words ≈ 4,000 dense pages; a 2,000-page PDF fits
MAX_TEXT_FILE_BYTES = MAX_TEXT_CHARS  # plain-text formats: bytes read from disk at most (≥ characters)
MAX_CHUNKS_PER_DOCUMENT = 20_000
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".mdx"})


def read_head(path: Path, size: int) -> tuple[bytes, str | None]:
    """The file's bytes, or for an oversized plain-text file its head cut at a line end, with a warning."""
    if path.suffix.lower() not in TEXT_SUFFIXES or size <= MAX_TEXT_FILE_BYTES:
        return path.read_bytes(), None
    with path.open("rb") as handle:
        head = handle.read(MAX_TEXT_FILE_BYTES)
    cut = head.rfind(b"\n")
    head = head[: cut + 1] if cut > 0 else head
    share = len(head) / size
    return head, (
        f"file truncated: only its first {len(head) / 1e6:.0f} MB of {size / 1e6:.0f} MB "
        f"({share:.0%}) are indexed; split the file to index the rest"
    )


def cap_pages(pages: list[str], budget: int | None = None) -> tuple[list[str], str | None]:
    """Pages up to `budget` characters (the last one cut), with a warning when anything was dropped."""
    budget = MAX_TEXT_CHARS if budget is None else budget
    total = 0
    for number, text in enumerate(pages):
        if total + len(text) > budget:
            kept = pages[:number] + [text[: budget - total]]
            return kept, (
                f"text truncated at {budget:,} characters: indexing stops in page {number + 1} "
                f"of {len(pages)}; split the document to index the rest"
            )
        total += len(text)
    return pages, None


def chunk_cap_warning(chunks: int, last_page: int, pages: int) -> str | None:
    """The message for a document whose passages hit MAX_CHUNKS_PER_DOCUMENT."""
    if chunks < MAX_CHUNKS_PER_DOCUMENT:
        return None
    return (
        f"passage limit reached: only the first {MAX_CHUNKS_PER_DOCUMENT:,} passages (up to page "
        f"{last_page} of {pages}) are indexed; split the document to index the rest"
    )
