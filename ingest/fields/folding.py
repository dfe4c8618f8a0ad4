"""One folded (lowercase, unaccented) copy of a document's text for every rule that matches on it.

Folding 100 KB of text costs about 0.1 s in Python; five rules fold the same text, so the copy is kept
for the few most recent texts.
"""

from __future__ import annotations

from functools import lru_cache

from ingest.metadata import fold


@lru_cache(maxsize=4)
def folded(text: str) -> str:
    """`ingest.metadata.fold(text)`, computed once per text."""
    return fold(text)
