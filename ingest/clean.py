"""Make extracted text searchable and quotable.

PDF text arrives with words cut at line ends, ligature glyphs, stray spaces and
the same header and footer on every page; left in, they break BM25 terms and
fill passages with noise.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st", "\u00ad": ""}
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_HYPHENATED = re.compile(r"(\w)-[ \t]*\n[ \t]*([a-zà-ÿœæ])")
_BLANKS = re.compile(r"\n{3,}")
_PAGE_NUMBER = re.compile(r"^\W*(page|p\.)?\s*\d{1,4}(\s*(/|sur|of)\s*\d{1,4})?\W*$", re.I)
_DIGITS = re.compile(r"\d+")


def normalise(text: str) -> str:
    """Ligatures, soft hyphens, odd spaces and line endings; NFC so 'é' is one code point."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").translate(_LIGATURES))
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip()


def join_hyphenated(text: str) -> str:
    """`cen-\\ntrales` → `centrales`; a capitalised continuation keeps its hyphen."""
    return _HYPHENATED.sub(r"\1\2", text)


def _signature(line: str, page: int) -> str:
    """The line with its own page number blanked, so 'Page 3 / 9' matches 'Page 4 / 9' and nothing else does."""
    return _DIGITS.sub(lambda m: "#" if m.group() == str(page) else m.group(), line.strip().lower())


def _edge_lines(lines: list[str], depth: int) -> list[str]:
    nonblank = [line for line in lines if line.strip()]
    return nonblank[:depth] + nonblank[-depth:]


def running_lines(pages: list[str], depth: int = 3, share: float = 0.5) -> set[str]:
    """Signatures of lines that open or close most pages: headers and footers."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for page, text in enumerate(pages, start=1):
        counts.update({_signature(line, page) for line in _edge_lines(text.split("\n"), depth)})
    return {sig for sig, n in counts.items() if n >= max(2, share * len(pages)) and sig}


def drop_running_lines(text: str, running: set[str], page: int = 0, depth: int = 3) -> str:
    """Remove header/footer lines and bare page numbers at the top and bottom of a page."""
    lines = text.split("\n")
    edge = set(range(depth)) | set(range(max(0, len(lines) - depth), len(lines)))
    kept = [
        line
        for i, line in enumerate(lines)
        if not (i in edge and (_signature(line, page) in running or _PAGE_NUMBER.match(line.strip())))
    ]
    cleaned = "\n".join(kept).strip()
    return cleaned or text.strip()  # a page made only of a repeated line is content (a slide, a title), not a header


def clean_pages(raw_pages: list[str], is_pdf: bool) -> list[str]:
    """Cleaned text of every page, in order; page count never changes."""
    pages = [normalise(p) for p in raw_pages]
    if not is_pdf:
        return pages
    running = running_lines(pages)
    return [join_hyphenated(drop_running_lines(p, running, n)) for n, p in enumerate(pages, start=1)]
