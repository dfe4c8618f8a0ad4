"""Structure-aware chunking: passages that follow headings, articles and sentences.

Text is cut into sentence-sized blocks that remember their page and heading
path; blocks are packed into chunks of about 150–350 words. A new chunk starts
at a heading once the current one has enough words (so an article or a lot
stays whole where it can), and a chunk cut for size repeats its last sentences
(~40 words) at the start of the next one so an answer on the boundary is not
split in two. Chunks never cross documents: one call, one document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest import limits
from ingest.language import passage_language
from ingest.types import Chunk, Page, join_pages

MIN_WORDS, MAX_WORDS, OVERLAP_WORDS = 150, 350, 40
_HEADING_CUT_WORDS = 100  # below this a heading does not close a chunk…
_TOP_HEADING_CUT_WORDS = 30  # …unless it is a top-level one

_MD = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
_NAMED = [
    (re.compile(r"^(titre|title|part|partie|livre)\s+[0-9ivxlc]+\b", re.I), 1),
    (re.compile(r"^(chapitre|chapter|annexe|annex|appendix)\s+[0-9ivxlca-z]+\b", re.I), 2),
    (re.compile(r"^(section|sous-section|subpart|lot)\s+[0-9ivxlca-z]+\b", re.I), 3),
    (re.compile(r"^(article|art\.|§)\s*[lrd]?\.?\s*[0-9][\w.-]*", re.I), 4),
]
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})[.)]?\s+[A-ZÀ-Ýa-zà-ÿ]")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[A-ZÀ-Ý0-9«\"(•\-–])|\n(?=\s*[-•–*]\s)")
_WORD = re.compile(r"\S+")


@dataclass
class _Block:
    start: int
    end: int
    page: int
    words: int
    path: tuple[str, ...]
    heading_level: int = 0


def heading_level(line: str) -> tuple[int, str, str] | None:
    """(level, title, kind) when a line looks like a heading, else None.

    `kind` lets a heading replace its sibling in the path ("Article 3" after
    "Article 2") whatever level each was guessed at.
    """
    line = line.strip()
    if not line or len(line) > 120:
        return None
    md = _MD.match(line)
    if md:
        inner = heading_level(md.group(2))
        kind = inner[2] if inner and inner[2] != "caps" else f"md{len(md.group(1))}"
        return len(md.group(1)), md.group(2).strip(), kind
    for pattern, level in _NAMED:
        match = pattern.match(line)
        if match and not line.endswith((",", ";")):
            return level, line, match.group(1).lower()
    numbered = _NUMBERED.match(line)
    if numbered and len(line) <= 90 and not line.endswith((".", ",", ";")):
        depth = numbered.group(1).count(".") + 1
        return min(depth, 4), line, f"num{depth}"
    letters = [c for c in line if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters) and len(line.split()) <= 12 and not line.endswith("."):
        return 1, line, "caps"
    return None


def _sentences(text: str, start: int) -> list[tuple[int, int]]:
    """Spans of sentences in text[...] offset by `start`; long run-ons split every MAX_WORDS/2 words."""
    spans, pos = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    out = []
    for s, e in spans:
        words = list(_WORD.finditer(text, s, e))
        step = MAX_WORDS // 2
        for i in range(0, len(words), step):
            group = words[i : i + step]
            out.append((start + group[0].start(), start + group[-1].end()))
    return out


def _blocks(full_text: str, offsets: list[int], pages: list[Page]) -> list[_Block]:
    blocks: list[_Block] = []
    path: list[tuple[int, str, str]] = []
    for page, base in zip(pages, offsets, strict=True):
        pos = 0
        for para in re.split(r"(\n\s*\n)", page.text):
            if not para.strip() or para.isspace():
                pos += len(para)
                continue
            buffer_start: int = pos
            buffer: list[str] = []
            line_pos = pos
            lines = para.split("\n")
            for i, line in enumerate(lines + [""]):
                head = heading_level(line) if i < len(lines) else None
                if (head or i == len(lines)) and buffer:
                    text = para[buffer_start - pos : line_pos - pos].rstrip()
                    for s, e in _sentences(text, base + buffer_start):
                        blocks.append(
                            _Block(s, e, page.number, len(_WORD.findall(full_text[s:e])), tuple(t for _, t, _ in path))
                        )
                    buffer = []
                if head:
                    level, title, kind = head
                    sibling = next((i for i, p in enumerate(path) if p[2] == kind), None)
                    kept = path[:sibling] if sibling is not None else [p for p in path if p[0] < level]
                    path = kept + [(level, title, kind)]
                    s = base + line_pos + (len(line) - len(line.lstrip()))
                    blocks.append(
                        _Block(
                            s,
                            base + line_pos + len(line.rstrip()),
                            page.number,
                            len(line.split()),
                            tuple(t for _, t, _ in path),
                            level,
                        )
                    )
                elif i < len(lines) and line.strip():
                    if not buffer:  # the paragraph's text starts here
                        buffer_start = line_pos
                    buffer.append(line)
                line_pos += len(line) + 1
            pos += len(para)
    return [b for b in blocks if b.end > b.start]


def _pack(blocks: list[_Block]) -> list[list[_Block]]:
    groups: list[list[_Block]] = []
    current: list[_Block] = []

    def words(group: list[_Block]) -> int:
        return sum(b.words for b in group if not b.heading_level)

    for block in blocks:
        if block.heading_level and current:
            n = words(current)
            if n >= _HEADING_CUT_WORDS or (block.heading_level <= 2 and n >= _TOP_HEADING_CUT_WORDS):
                groups.append(current)
                current = []
        if current and words(current) + block.words > MAX_WORDS and words(current) > 0:
            groups.append(current)
            overlap: list[_Block] = []
            for prev in reversed(current):
                if prev.heading_level or sum(b.words for b in overlap) + prev.words > OVERLAP_WORDS:
                    break
                overlap.insert(0, prev)
            current = overlap
        current.append(block)
    if current and (words(current) or not groups):
        groups.append(current)
    return groups


def chunk_pages(document_id: str, pages: list[Page], language: str) -> list[Chunk]:
    """Chunks of one document, in reading order, with pages, section and offsets."""
    full_text, offsets = join_pages(pages)
    chunks = []
    for index, group in enumerate(_pack(_blocks(full_text, offsets, pages))):
        if index >= limits.MAX_CHUNKS_PER_DOCUMENT:
            break
        start, end = group[0].start, group[-1].end
        text = full_text[start:end]
        path = next((b for b in group if not b.heading_level), group[0]).path
        chunks.append(
            Chunk(
                document_id=document_id,
                index=index,
                text=text,
                page=group[0].page,
                page_end=group[-1].page,
                section=" > ".join(path),
                char_start=start,
                char_end=end,
                language=passage_language(text, language) if len(text) > 200 else language,
                ocr=any(page.ocr for page in pages[group[0].page - 1 : group[-1].page]),
            )
        )
    return chunks
