"""Snowball stems for highlighting and the glossary, through the C stemmer.

`snowballstemmer` hands out PyStemmer's C implementation when it is installed
(a pinned dependency): the pure-Python one cost about 9 ms a search, most of
the time of highlighting ten fresh passages. Stemmer objects keep state
between calls, so each thread gets its own pair.
"""

from __future__ import annotations

import threading
import unicodedata

import snowballstemmer

_LOCAL = threading.local()
_NAMES = {"fr": "french", "en": "english"}


def _stemmers() -> dict:
    if not hasattr(_LOCAL, "stemmers"):
        _LOCAL.stemmers = {code: snowballstemmer.stemmer(name) for code, name in _NAMES.items()}
    return _LOCAL.stemmers


def fold(text: str) -> str:
    """Lower-cased, accents removed: 'Critères' and 'criteres' meet."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str, language: str) -> str:
    """The accent-folded Snowball stem of a lower-cased `word` in `language` ('fr' or 'en')."""
    return fold(_stemmers()[language].stemWord(word))
