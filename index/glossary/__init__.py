"""A bilingual procurement glossary, to carry a query into the other language.

The default model is English and BM25 only matches words of the query's own
language, so "marché réservé" never reaches an English passage about
"reserved contracts". Terms of the query found in `fr_en.tsv` (matched on
stems, longest phrase first) give their equivalents in the other language,
which search adds as extra, lower-weighted query terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.stemming import stem

GLOSSARY = Path(__file__).with_name("fr_en.tsv")
_WORD = re.compile(r"\w+", re.U)
_STOP = {
    "fr": {"de", "du", "des", "la", "le", "les", "l", "d", "à", "a", "au", "aux", "en", "et", "pour", "par"},
    "en": {"of", "the", "a", "an", "for", "to", "and", "in", "on", "by"},
}


def stem_sequence(text: str, language: str) -> tuple[str, ...]:
    return tuple(stem(w, language) for w in (w.lower() for w in _WORD.findall(text)) if w not in _STOP[language])


@dataclass(frozen=True)
class Entry:
    fr: tuple[str, ...]
    en: tuple[str, ...]


@lru_cache(maxsize=4)
def load_glossary(path: Path = GLOSSARY) -> tuple[Entry, ...]:
    """Entries of the TSV (header `fr  en  note`; synonyms separated by ' | ')."""
    if not path.exists():
        return ()
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 2:
            raise ValueError(f"{path}:{number}: expected 'fr<TAB>en[<TAB>note]'")
        fr, en = ([t.strip() for t in side.split("|") if t.strip()] for side in fields[:2])
        entries.append(Entry(tuple(fr), tuple(en)))
    return tuple(entries)


@lru_cache(maxsize=4)
def _index(language: str, path: Path = GLOSSARY) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Stemmed phrase in `language` → equivalents in the other language."""
    index: dict[tuple[str, ...], tuple[str, ...]] = {}
    for entry in load_glossary(path):
        sources, targets = (entry.fr, entry.en) if language == "fr" else (entry.en, entry.fr)
        for term in sources:
            key = stem_sequence(term, language)
            if key:
                index[key] = tuple(dict.fromkeys(index.get(key, ()) + targets))
    return index


@lru_cache(maxsize=4)
def _longest(language: str, path: Path = GLOSSARY) -> int:
    """Words in the longest phrase of the index (computed once: it was a scan of every entry per query)."""
    return max((len(k) for k in _index(language, path)), default=0)


def translate_terms(query: str, language: str, per_term: int = 2) -> list[str]:
    """Equivalents in the other language of the glossary terms found in `query` (longest match first)."""
    index = _index(language)
    if not index:
        return []
    stems = stem_sequence(query, language)
    longest = _longest(language)
    found: list[str] = []
    i = 0
    while i < len(stems):
        for size in range(min(longest, len(stems) - i), 0, -1):
            targets = index.get(stems[i : i + size])
            if targets:
                found.extend(targets[:per_term])
                i += size
                break
        else:
            i += 1
    return list(dict.fromkeys(found))
