"""Award criteria and their weights in free text: tables, bullet lists and inline enumerations.

A group of criteria is the (name, weight) pairs found on one line or on consecutive table rows or
bullets. The first group whose weights add up to 100 (percent or points) is the document's award
criteria; sub-criteria inside a row are ignored (only a row's first weight counts). A group that does
not add up to 100 is not reported: a partial list would be a guess.
"""

from __future__ import annotations

import re

from ingest.fields.record import Criterion
from ingest.metadata import fold

_WEIGHT = r"(?P<w>\d{1,3}(?:[.,]\d+)?)\s?(?:%|pour\s?cent|percent|per\s?cent|points?\b|pts\b)"
_NAME = r"(?P<n>[A-Za-zÀ-ÿ](?:[^|:;()\n%]|\([^()\n%]{0,60}\)){1,90}?)"
_ROW = re.compile(rf"^\s*\|\s*(?P<n>[A-Za-zÀ-ÿ][^|\n]{{1,120}}?)\s*\|\s*(?:[^|\n]*?)??{_WEIGHT}")
_PAIRS = (
    re.compile(rf"{_NAME}\s*(?::|—|–|-|=)\s*{_WEIGHT}"),  # prix : 40 %
    re.compile(rf"{_NAME}\s*\(\s*{_WEIGHT}[^)]*\)"),  # price (40 %)
    re.compile(rf"{_NAME}\s*,?\s+{_WEIGHT}"),  # prix 40 %
)
_CATEGORIES = (
    ("price", ("prix", "price", "tarif", "pricing", "montant de l'offre")),
    ("cost", ("cout", "cost")),
    ("environment", ("environ", "durable", "sustainab", "ecolog", "carbon", "carbone", "climat", "green", "energ")),
    ("social", ("social", "insertion", "community", "emploi", "fair work")),
    ("delivery", ("delai", "delivery", "livraison", "deadline")),
    ("technical", ("technique", "technical", "methodolog", "approach", "demonstration", "prototype")),
    ("quality", ("qualit", "quality", "service", "merit")),
)
_LEAD = re.compile(r"^(?:[-*•]|\d+[.)]|[a-z][.)])\s+|\*\*|__", re.I)
_NOT_NAME = re.compile(r"^(?:dont|soit|to|at least|au moins|up to|jusqu|from|de|of|and|et|total)\b", re.I)
_STOP = re.compile(r"^(?:et|and|puis|then|le|la|les|the|de|du|des|of|sur|on)\s+", re.I)


def categorise(name: str) -> str:
    """The criterion's category from its name (first matching family of words; 'other' when none)."""
    folded = fold(name)
    for category, words in _CATEGORIES:
        if any(word in folded for word in words):
            return category
    return "other"


def _clean(name: str) -> str:
    name = re.sub(r"\s*\([^)]*\)?", "", name)
    name = _LEAD.sub("", name.strip()).strip(" *_,.-—–")
    name = re.split(r"[,;]\s+|\s+(?:et|and)\s+(?=\w+\s*[(:]?\s*\d)", name)[-1]
    # an inline enumeration keeps only the words after the last separator
    name = re.split(r"\b(?:suivants|following|sont|are|comme suit|as follows|on|sur|selon|based on)\s*:?\s+", name)[-1]
    return _STOP.sub("", name.strip(" *_,.-—–")).strip()


def _weight(raw: str) -> float:
    return float(raw.replace(",", "."))


def _line_pairs(line: str) -> tuple[list[tuple[str, float]], bool]:
    """(name, weight) pairs on a line, and whether the first one opens the line (a table row or bullet)."""
    row = _ROW.match(line)
    if row:
        return [(_clean(row.group("n")), _weight(row.group("w")))], True
    best: tuple[int, list[tuple[str, float]]] | None = None
    for pattern in _PAIRS:
        matches = list(pattern.finditer(line))
        pairs = [(_clean(m.group("n")), _weight(m.group("w"))) for m in matches]
        pairs = [(n, w) for n, w in pairs if len(n) >= 3 and len(n.split()) <= 10 and not _NOT_NAME.match(n)]
        if pairs and (best is None or matches[0].start() < best[0]):
            best = (matches[0].start(), pairs)
    if best is None:
        return [], False
    lead = _LEAD.match(line.lstrip())
    return best[1], best[0] <= len(line) - len(line.lstrip()) + (lead.end() if lead else 0) + 1


_GAP = 6  # lines of cell text a wrapped table row may put between two criteria


_CUE = re.compile(
    r"crit[eè]r|criteri|pond[ée]ration|weight|notation|jugement des offres|evaluat|[ée]valuation|"
    r"scor|basis (?:for|of) award|attribu|award",
    re.I,
)
_CONTEXT = 8  # lines before a run where its cue ('award criteria', 'pondération'…) must appear


def _runs(text: str) -> list[list[tuple[str, float]]]:
    """Runs of criteria after a cue: a line with several pairs, or rows/bullets opening with one pair."""
    lines = text.splitlines()
    runs: list[tuple[int, list[tuple[str, float]]]] = []
    current: list[tuple[str, float]] = []
    start = gap = 0
    for number, line in enumerate(lines):
        pairs, leading = _line_pairs(line)
        if len(pairs) > 1:
            runs.append((number, pairs))
        if len(pairs) == 1 and leading:
            start = number if not current else start
            current.append(pairs[0])
            gap = 0
            continue
        gap += 1
        if current and (gap > _GAP or not line.strip()):
            runs.append((start, current))
            current, gap = [], 0
    if current:
        runs.append((start, current))
    return [
        run
        for start, run in sorted(runs, key=lambda r: r[0])
        if _CUE.search("\n".join(lines[max(0, start - _CONTEXT) : start + 1]))
    ]


def find_criteria(text: str) -> list[Criterion]:
    """The document's award criteria with weights: the first stretch of a run that adds up to 100, else []."""
    for run in _runs(text):
        for start in range(len(run) - 1):
            total = 0.0
            for end in range(start, len(run)):
                total += run[end][1]
                if end > start and abs(total - 100) <= 0.5:
                    return [Criterion(name=n[:200], category=categorise(n), weight=w) for n, w in run[start : end + 1]]
                if total > 100.5:
                    break
    return []
