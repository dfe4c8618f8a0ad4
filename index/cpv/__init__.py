"""CPV codes: the hierarchy a code reaches, and the official labels of its division.

A CPV code is 8 digits (and a check digit, ignored here) whose significant prefix is its place in the
hierarchy: 45000000 is the division "45", 45200000 the group "452", 45210000 the class "4521", and so on; the
trailing zeros only pad. So a code's sub-codes are exactly the codes that start with its significant prefix,
and "does this document fall under 39100000" is "does one of its codes start with 391": the store keeps every
prefix a document's codes reach (from the division down) as a keyword list, and a filter matches one keyword.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DIVISIONS_FILE = Path(__file__).with_name("divisions.tsv")  # source and licence: README.md beside it
_CODE = re.compile(r"^(\d{2,8})(?:-\d)?$")


@dataclass(frozen=True)
class Division:
    division: str  # the first two digits
    code: str  # 8 digits and check digit, as the nomenclature writes it
    en: str
    fr: str

    def label(self, language: str) -> str:
        """The label in `language` (French for "fr", English otherwise)."""
        return self.fr if language == "fr" else self.en


def significant_prefix(code: str) -> str:
    """'39100000' → '391', '45000000-7' → '45'; at least the division. ValueError for what is not a CPV code."""
    match = _CODE.match(code.strip())
    if not match:
        raise ValueError(f"'{code}' is not a CPV code: 2 to 8 digits, optionally with its check digit (39100000-3)")
    digits = match.group(1)
    stripped = digits.rstrip("0")
    return stripped if len(stripped) >= 2 else digits[:2]


def reached_prefixes(codes: list[str]) -> list[str]:
    """Every prefix the codes reach, division first: ['39111200'] → ['39', '391', '3911', '39111', '391112']."""
    out: dict[str, None] = {}
    for code in codes:
        try:
            prefix = significant_prefix(code)
        except ValueError:
            continue
        for end in range(2, len(prefix) + 1):
            out[prefix[:end]] = None
    return list(out)


def divisions_of(codes: list[str]) -> list[str]:
    """The distinct divisions of the codes, in the order met."""
    return [p for p in reached_prefixes(codes) if len(p) == 2]


@cache
def divisions() -> dict[str, Division]:
    """The 45 divisions by their two digits, read once from DIVISIONS_FILE."""
    with open(DIVISIONS_FILE, encoding="utf-8") as handle:
        return {row["division"]: Division(**row) for row in csv.DictReader(handle, delimiter="\t")}


def division_label(division: str, language: str) -> str | None:
    """The official label of a division ('45' → 'Construction work'), None for an unknown one."""
    found = divisions().get(division[:2])
    return found.label(language) if found else None
