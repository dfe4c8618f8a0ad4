"""Is a PDF page's text layer usable, or should the page be read by OCR?

A scan has no text layer, or only a stamp (an e-transmission receipt, a page
number), or a layer of garbage: glyph codes without a Unicode map come out as
`(cid:12)`, private-use or replacement characters, runs of symbols, or letters
shifted into vowel-less strings. The rule counts the characters that sit in
word-like tokens (letters with a vowel, short letter groups, numbers): a page
is usable when it has at least MIN_WORD_CHARS of them and they make at least
MIN_WORD_SHARE of its visible characters. tests/test_ocr_quality.py holds the
cases (typed French and English pages pass with a share above 0.9; stamps,
glyph ids, private-use, replacement characters, symbols and shifted letters
fail); over ../shared's PDFs, docs/ocr.md gives the pages sent to OCR and why.
"""

from __future__ import annotations

import re
import unicodedata

MIN_WORD_CHARS = 200  # a stamp or a page header alone is below this; a typed page of prose is far above
MIN_WORD_SHARE = 0.6  # typed test pages score above 0.9, the garbage kinds of the tests below it
_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿæœáíóúãõåø")
_TOKEN = re.compile(r"\S+")
_EDGE = "\"'«»“”‘’()[]{}.,;:!?*•–—-/"
_LEADERS = re.compile(r"[.…_·](?: ?[.…_·]){2,}")  # dot leaders (contents, forms): layout, not text
_NEUTRAL = re.compile(r"(?<!\S)[:;!?–—→•«»|-]{1,2}(?!\S)")  # French spaced punctuation, arrows, bullets, bars
_SCHEME = re.compile(r"^(?:https?|ftp)://", re.IGNORECASE)
_JOINS = re.compile(r"[/’'.:@&_=?#-]")  # inside URLs, elisions, codes: l’ADEME, how/when, www.gao.gov, T&M


def _plain_chars(token: str) -> int:
    """Characters of a token without joins that belong to a word or a number, 0 when it looks like garbage."""
    core = token.strip(_EDGE)
    if not core:
        return 0
    if any(c.isdigit() for c in core):
        return len(core) if all(c.isdigit() or c in ".,/%:-€$°'’" for c in core) else 0
    letters = [c for c in core if c.isalpha()]
    if len(letters) < len(core) - core.count("-") - core.count("'") - core.count("’"):
        return 0  # symbols inside a word: "a#b", "(cid:3)"
    if len(letters) > 3 and not any(c.lower() in _VOWELS for c in letters):
        return 0  # shifted or random letters rarely keep a vowel in every long word
    if len(letters) > 1 and any(c.isupper() for c in letters[1:]) and any(c.islower() for c in letters):
        upper = sum(c.isupper() for c in letters[1:])
        if upper > 1 and not core.isupper():
            return 0  # "tHiS" style mixing of cases inside one word
    return len(core)


def _part_ok(part: str) -> bool:
    """A piece of a joined token: a word or number as above, or a code mixing letters and digits (VA118, R2)."""
    if _plain_chars(part):
        return True
    letters = [c for c in part if c.isalpha()]
    return part.isalnum() and (len(letters) <= 3 or any(c.lower() in _VOWELS for c in letters))


def word_chars(token: str) -> int:
    """Characters of `token` that belong to a word, a number, a URL or a code; 0 when it looks like garbage.

    A token joined by punctuation (a URL, "l’ADEME", "how/when", "VA118-16-D-1005") counts when each of its
    pieces does; glyph ids like "(cid:12)" never do.
    """
    plain = _plain_chars(token)
    core = token.strip(_EDGE)
    if plain or "cid:" in core or not _JOINS.search(core):
        return plain
    parts = [p for p in _JOINS.split(_SCHEME.sub("", core)) if p]
    return len(core) if parts and all(_part_ok(p) for p in parts) else 0


def _visible(text: str) -> int:
    return sum(1 for c in text if not c.isspace())


def _odd(text: str) -> int:
    """Replacement, private-use and control characters: what an unmapped font leaves behind."""
    return sum(1 for c in text if c == "\ufffd" or unicodedata.category(c) in ("Co", "Cc", "Cn") and not c.isspace())


def word_share(text: str) -> float:
    """Share of the visible characters in word-like tokens (1.0 for an empty text); dot leaders and lone
    punctuation (French ` : `, arrows, bullets) are layout and left out."""
    text = _NEUTRAL.sub(" ", _LEADERS.sub(" ", text))
    visible = _visible(text)
    if not visible:
        return 1.0
    good = sum(word_chars(t) for t in _TOKEN.findall(text)) - _odd(text)
    return max(0.0, good / visible)


def usable_text(text: str) -> bool:
    """True when the text layer can be indexed as it is; False when the page should be OCRed."""
    good = sum(word_chars(t) for t in _TOKEN.findall(text))
    return good >= MIN_WORD_CHARS and word_share(text) >= MIN_WORD_SHARE


def prefer_ocr(layer: str, recognised: str) -> bool:
    """Keep OCR's text only when it reads clearly more than the layer (a logo page keeps its typed text)."""
    ours = sum(word_chars(t) for t in _TOKEN.findall(layer))
    theirs = sum(word_chars(t) for t in _TOKEN.findall(recognised))
    return theirs > 1.5 * ours + 50
