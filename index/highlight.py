"""Mark the query's terms in a passage, matching stems in French and English.

The window around the densest run of matches is returned HTML-escaped, with
only `<mark>` left as markup, so pages can insert it as is.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

from ingest.stopwords import ENGLISH, FRENCH

_WORD = re.compile(r"\w+", re.U)
_STOPWORDS = FRENCH | ENGLISH  # built once: a union per word cost a third of a search's highlighting
_LOCAL = threading.local()  # snowball stemmers keep state between calls: one set per thread


def _stemmers() -> dict:
    if not hasattr(_LOCAL, "stemmers"):
        _LOCAL.stemmers = {"fr": snowballstemmer.stemmer("french"), "en": snowballstemmer.stemmer("english")}
    return _LOCAL.stemmers


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=50_000)
def stems(word: str) -> frozenset[str]:
    """Both languages' stems of a word, accent-folded, so 'sociales' matches 'social'."""
    low = word.lower()
    return frozenset(_fold(s.stemWord(low)) for s in _stemmers().values()) | {_fold(low)}


def query_stems(query: str, extra_terms: list[str] | None = None) -> frozenset[str]:
    out: set[str] = set()
    for word in _WORD.findall(query) + list(extra_terms or []):
        if word.lower() in _STOPWORDS or len(word) < 2:
            continue
        out |= stems(word)
    return frozenset(out)


def highlight(text: str, query: str, window: int = 40, extra_terms: list[str] | None = None) -> str:
    """About `window` words of `text` around the best matches, terms wrapped in <mark>."""
    wanted = query_stems(query, extra_terms)
    words = list(_WORD.finditer(text))
    if not words:
        return html.escape(text[:300])
    hits = [i for i, w in enumerate(words) if len(w.group()) > 1 and stems(w.group()) & wanted
            and w.group().lower() not in _STOPWORDS]
    best = 0
    if hits:
        best = max(hits, key=lambda i: sum(1 for j in hits if i <= j < i + window))
        best = max(0, best - window // 4)
    first, last = best, min(len(words), best + window) - 1
    start, end = words[first].start(), words[last].end()
    marked = set(hits)
    out, pos, open_mark = [], start, False
    for i in range(first, last + 1):
        w = words[i]
        gap = html.escape(text[pos:w.start()])
        if i in marked:
            if open_mark and text[pos:w.start()].strip() == "":
                out.append(gap)
            else:
                if open_mark:
                    out.append("</mark>")
                out.append(gap + "<mark>")
            open_mark = True
        else:
            if open_mark:
                out.append("</mark>")
                open_mark = False
            out.append(gap)
        out.append(html.escape(w.group()))
        pos = w.end()
    if open_mark:
        out.append("</mark>")
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return prefix + "".join(out).replace("\n", " ") + suffix
