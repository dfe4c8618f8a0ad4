"""The lots a tender defines, by number, as free text gives them.

A lot is stated by 'Lot N' (heading, bullet, table row or sentence), by an enumeration ('lots 1, 2 et
3', 'lots 1 à 3'), by a count ('divisé en quatre lots', 'three lots': lots 1 to N), or by the rows of a
table whose first column is headed 'Lot' and numbered 1, 2, 3… A number followed by a unit or another
digit group ('lot 1, 12 000 km') is not a lot.
"""

from __future__ import annotations

import re

from ingest.fields.folding import folded as folded_text
from ingest.fields.record import Lot

_NOT_AFTER = r"(?!\s?\d)(?!\s*(?:%|km|m\b|€|£|\$|h\b|heures|hours|ans|years|mois|months))"
_LOT = re.compile(rf"\blot\s*(?:n[°o]\.?\s*|no\.?\s*|number\s*)?(\d{{1,2}})\b{_NOT_AFTER}", re.I)
_LIST = re.compile(
    rf"\blots\s+(?:n[°o]s?\s*)?(\d{{1,2}}{_NOT_AFTER}(?:\s*(?:,|and|et|&|à|to|-|–)\s*\d{{1,2}}{_NOT_AFTER})+)", re.I
)
_COUNTS = {
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_COUNT = re.compile(rf"\b({'|'.join(_COUNTS)}|\d{{1,2}})\s+lots\b", re.I)
_TABLE_HEAD = re.compile(
    r"^\|?\s*lots?\s*(?:\||\s)\s*(?:intitul|objet|d[ée]signation|description|scope|buildings|"
    r"nature|title|libell)",
    re.I | re.M,
)
_ROW = re.compile(r"^\|?\s*(\d{1,2})\s*(?:\||[—–-]|\s)\s*\S")


def _enumeration(raw: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|and|et|&)\s*", raw):
        bounds = re.split(r"\s*(?:à|to|-|–)\s*", part)
        if len(bounds) == 2 and all(b.isdigit() for b in bounds) and int(bounds[0]) < int(bounds[1]) <= 40:
            numbers += range(int(bounds[0]), int(bounds[1]) + 1)
        elif part.isdigit():
            numbers.append(int(part))
    return numbers if numbers == sorted(numbers) else []


def _table_rows(text: str) -> list[int]:
    numbers: list[int] = []
    for head in _TABLE_HEAD.finditer(text):
        expected, skipped = 1, 0
        for line in text[head.end() :].splitlines()[1:]:
            row = _ROW.match(line)
            if row and int(row.group(1)) == expected:
                numbers.append(expected)
                expected, skipped = expected + 1, 0
            elif (skipped := skipped + 1) > 4:
                break
    return numbers


def find_lots(text: str) -> list[Lot]:
    """The lots the text defines, by number, in ascending order."""
    numbers = [int(m.group(1)) for m in _LOT.finditer(text)]
    numbers += [n for m in _LIST.finditer(text) for n in _enumeration(m.group(1))]
    for match in _COUNT.finditer(folded_text(text)):
        word = match.group(1).lower()
        count = int(word) if word.isdigit() else _COUNTS[word]
        numbers += range(1, count + 1) if 2 <= count <= 40 else []
    numbers += _table_rows(text)
    return [Lot(number=str(n)) for n in sorted(set(n for n in numbers if 0 < n <= 99))]
