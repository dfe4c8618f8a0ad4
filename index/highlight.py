"""Mark the query's terms in a passage: whole words sharing a stem with a query word, in the passage's language.

A word is a run of letters and digits, hyphenated compounds included: "use" does not mark
"single-use". Stems are compared in the passage's language only, and only for query words that
can be of that language: the French stemmer takes "cities" and "cités" to one stem, so a query
word is read as French or English when the query's language is sure, and otherwise as both
unless its form settles it (French accents; an English inflection the English stemmer removes).
Markdown syntax is taken out of the text first (`plain`), so a snippet never shows "## Titre".

The window around the densest run of matches is returned HTML-escaped, with
only `<mark>` left as markup, so pages can insert it as is.

Speed matters: ten passages are highlighted for every search. Judging every
word of a passage in Python cost about 5 ms a search, a third of the floor
(one encode and one Qdrant query). So a regular expression built from the
query's stems finds the few words that can match in one pass over the
lower-cased, accent-folded text, and only those are stemmed and checked.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_left
from functools import lru_cache

from index.query_language import query_languages
from index.stemming import fold, stem
from ingest.stopwords import ENGLISH, FRENCH
from ingest.vocabulary import MAIN_LANGUAGES, UNDETERMINED

_WORD = re.compile(r"\w+(?:-\w+)*", re.U)  # hyphenated compounds are one word
_FRENCH_LETTERS = re.compile(r"[àâæçéèêëîïôœùûüÿ]", re.I)
_MARKDOWN = [  # (pattern, replacement), in order
    (re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$", re.M), ""),  # rules and front-matter fences
    (re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$", re.M), ""),  # table rules
    (re.compile(r"^\s{0,3}#{1,6}\s+", re.M), ""),  # headings
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),  # quotes
    (re.compile(r"^\s*[-*+]\s+", re.M), ""),  # list markers
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links and images: their text
    (re.compile(r"(\*\*|__|`+)"), ""),  # strong emphasis, code
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])"), r"\1"),  # *emphasis*
    (re.compile(r"^[ \t]*\|[ \t]*|[ \t]*\|[ \t]*$", re.M), ""),  # a table row's outer bars
    (re.compile(r"[ \t]*\|[ \t]*"), " · "),  # between its cells
]
_STOPWORDS = FRENCH | ENGLISH


def _fold_table() -> bytes:
    """Latin-1 byte → its lower-case, accent-free letter ('É' → 'e', '²' → '2'), for bytes.translate."""
    table = bytearray(range(256))
    for code in range(256):
        base = "".join(c for c in unicodedata.normalize("NFKD", chr(code).lower()) if not unicodedata.combining(c))
        if len(base) == 1 and ord(base) < 256:
            table[code] = ord(base)
    return bytes(table)


_FOLD = _fold_table()
_IS_WORD = re.compile(r"\w", re.U)
_WORD_START = re.compile(r"\b\w", re.U)  # from a position inside a word: the next word's start
_WORD_REST = re.compile(r"\w*", re.U)


def _folded(text: str) -> str:
    """`text` lower-cased and accent-free, letter for letter (a letter outside Latin-1 becomes '?')."""
    return text.encode("latin-1", "replace").translate(_FOLD).decode("latin-1")


def plain(text: str) -> str:
    """`text` without Markdown syntax: headings, emphasis, links, list markers and table rules."""
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text


@lru_cache(maxsize=50_000)
def stems(word: str, languages: tuple[str, ...] = ("fr", "en")) -> frozenset[str]:
    """The word accent-folded, and its stems in `languages` tagged by language ('fr:social')."""
    low = word.lower()
    return frozenset((fold(low), *(f"{language}:{stem(low, language)}" for language in languages)))


def _word_languages(word: str, sure: str | None) -> tuple[str, ...]:
    """The languages a query word is read in (see the module docstring)."""
    if sure in ("fr", "en"):
        return (sure,)
    if _FRENCH_LETTERS.search(word):
        return ("fr",)
    low = word.lower()
    if stem(low, "en") != fold(low) and stem(low, "fr") != stem(low, "en"):  # 'cities', 'using': English forms
        return ("en",)
    return ("fr", "en")


@lru_cache(maxsize=1024)
def _query(query: str, extra_terms: tuple[str, ...], language: str | None) -> tuple[frozenset[str], re.Pattern | None]:
    """(stems wanted, pattern of the words that may match them) in a passage of `language`.

    A word matches when one of its stems (in the passage's language) is wanted. Snowball stems
    are prefixes of the folded word except for their last letter (English 'policy' → 'polici'),
    so the pattern looks for words starting with each query word's common stem, less one
    letter ('use' ← 'using').
    """
    detected, confidence = query_languages(query)
    sure = detected if confidence >= 0.5 else None
    passage = _passage_languages(language)
    wanted: set[str] = set()
    prefixes: set[str] = set()
    for word in _WORD.findall(query) + list(extra_terms):
        if word.lower() in _STOPWORDS or len(word) < 2:
            continue
        languages = tuple(x for x in _word_languages(word, sure) if x in passage)
        forms = stems(word, languages)
        wanted |= forms
        bare = {f.split(":", 1)[-1] for f in forms}
        common = min(bare, key=len)
        for form in bare:
            while not form.startswith(common):
                common = common[:-1]
        prefixes.add(common[:-1] if len(common) > 2 else common)
    if not wanted or any(not p or not p.isascii() for p in prefixes):  # 'œuvre': judge every word instead
        return frozenset(wanted), None
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
    return frozenset(wanted), re.compile(rf"\b(?:{alternatives})\w*")


def _passage_languages(language: str | None) -> tuple[str, ...]:
    """The stemmers a passage's words are read with: its own language's, or both when unknown."""
    if language in MAIN_LANGUAGES:
        return (language,)
    return MAIN_LANGUAGES if not language or language == UNDETERMINED else ()


def query_stems(query: str, extra_terms: list[str] | None = None, language: str | None = None) -> frozenset[str]:
    return _query(query, tuple(extra_terms or ()), language)[0]


def _matches(
    text: str, wanted: frozenset[str], pattern: re.Pattern | None, language: str | None = None
) -> list[tuple[int, int]]:
    """(start, end) of the whole words of `text` that match the query, in order."""
    languages = _passage_languages(language)

    def judged(word: str) -> bool:
        return len(word) > 1 and word.lower() not in _STOPWORDS and not stems(word, languages).isdisjoint(wanted)

    if pattern is None:
        return [m.span() for m in _WORD.finditer(text) if judged(m.group())]
    spans = []
    for m in pattern.finditer(_folded(text)):
        start, end = m.span()
        word = _WORD.match(text, start)  # the same word in the text ('?' may have split one)
        inside = start > 0 and (
            _IS_WORD.match(text, start - 1)
            or (text[start - 1] == "-" and start > 1 and _IS_WORD.match(text, start - 2))
        )
        if word and word.end() == end and not inside and judged(word.group()):
            spans.append((start, end))
    return spans


def highlight(
    text: str, query: str, window: int = 40, extra_terms: list[str] | None = None, language: str | None = None
) -> str:
    """About `window` words of `text` (a passage in `language`) around the densest run of matches, in <mark>.

    The window is measured in characters (`window` times the passage's mean word length), which
    spares tokenising every word of the passage; its edges are moved to word boundaries.
    """
    wanted, pattern = _query(query, tuple(extra_terms or ()), language)
    text = plain(text)
    if not text.strip():
        return html.escape(text[:300])
    width = max(1, round(window * len(text) / max(1, len(text.split()))))
    marks = _matches(text, wanted, pattern, language)
    starts = [s for s, _ in marks]
    begin = 0
    if marks:  # the first match that opens the densest run of `width` characters
        best = max(range(len(marks)), key=lambda n: bisect_left(starts, starts[n] + width) - n)
        begin = max(0, starts[best] - width // 4)
        opening = _WORD_START.search(text, begin) if begin > 0 else None  # not inside a word
        begin = opening.start() if opening else begin
    end = min(len(text), begin + width)
    rest = _WORD_REST.match(text, end) if end < len(text) else None
    end = rest.end() if rest else end
    inside = marks[bisect_left(starts, begin) : bisect_left(starts, end)]
    runs: list[list[int]] = []  # neighbouring marks separated only by spaces share one <mark>
    for s, e in inside:
        if runs and not text[runs[-1][1] : s].strip():
            runs[-1][1] = e
        else:
            runs.append([s, e])
    out, pos = [], begin
    for s, e in runs:
        out += [html.escape(text[pos:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        pos = e
    out.append(html.escape(text[pos:end].rstrip()))
    prefix = "… " if begin > 0 else ""
    suffix = " …" if end < len(text.rstrip()) else ""
    return prefix + "".join(out).replace("\n", " ") + suffix
