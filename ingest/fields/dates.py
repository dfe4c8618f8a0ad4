"""Dates in French and English text, and the tender's publication date and deadline.

`find_date` reads '18 mars 2022', '2 May 2023', 'April 8, 2016', '18/03/2022', '2023-05-02'. The
deadline and the publication date are the first date after one of their labels (same line or sentence,
within 120 characters): a document full of dates states these two only where it names them.
"""

from __future__ import annotations

import re

from ingest.fields.folding import folded as folded_text
from ingest.metadata import fold

_MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATES = (
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:er|st|nd|rd|th)?\s+(?P<m>{_MONTH})\.?,?\s+(?P<y>(?:19|20)\d\d)\b"),
    re.compile(rf"\b(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b"),
    re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>(?:19|20)\d\d)\b"),
)
_TIME = re.compile(r"^\D{0,12}?\b(?P<h>[01]?\d|2[0-3])\s?(?:h|:)\s?(?P<min>\d\d)?", re.I)
_DEADLINE = re.compile(
    r"date limite de (?:remise|reception|depot)|limite de remise|remise des (?:offres|plis) (?:avant|au plus tard)|"
    r"(?:tender|proposal|submission|bid) deadline(?: of| was| is)?|"
    r"deadline for (?:initial |final )?(?:tenders|receipt|submission|responses|quotes|quotations|proposals)|"
    r"tenders? closed on|"
    r"submission deadline|closing date|closes? on|reply by|responses? (?:are )?due|quot(?:es|ations) (?:are )?due|"
    r"proposals? (?:are )?due|offers? (?:are |must be )?(?:due|received)|date responses due|"
    r"due date for (?:quot|prop|resp)"
)
_MOVED = re.compile(r"(?:reportee?|repoussee?|prorogee?|decalee?) (?:au|a)|(?:extended|postponed|moved) (?:to|until)")
_PUBLISHED = re.compile(
    r"date d'envoi|date de publication|publie (?:le|au)|avis [^.\n]{0,60}publie le|mis en ligne le|"
    r"publication date|date of (?:issue|publication)|issue date|issued on|date issued|posted on|published on"
)
_LOOSE = re.compile(r"\bissued\b|\bpublished\b")  # 'FINAL (issued 3 May 2023)': in a tender, its own date


def find_date(text: str) -> str | None:
    """The first date in `text` as ISO 'YYYY-MM-DD', with ' HH:MM' when a time follows it."""
    best: tuple[int, str] | None = None
    for pattern in _DATES:
        match = pattern.search(fold(text))
        if not match or (best and best[0] <= match.start()):
            continue
        month = match.group("m")
        month_number = int(month) if month.isdigit() else _MONTHS[month]
        day, year = int(match.group("d")), int(match.group("y"))
        if not (1 <= month_number <= 12 and 1 <= day <= 31):
            continue
        iso = f"{year:04d}-{month_number:02d}-{day:02d}"
        time = _TIME.match(fold(text)[match.end() : match.end() + 20])
        if time and (time.group("min") or "h" in time.group(0).lower()):
            iso += f" {int(time.group('h')):02d}:{time.group('min') or '00'}"
        best = (match.start(), iso)
    return best[1] if best else None


def _after(pattern: re.Pattern, text: str) -> str | None:
    folded = folded_text(text)
    for match in pattern.finditer(folded):
        window = text[match.end() : match.end() + 120]
        window = re.split(r"\n\s*\n|(?<=[a-z])\.\s", window)[0]
        found = find_date(window)
        if found:
            return found
    return None


def find_deadline(text: str) -> str | None:
    """The date (and time) after the first tender-deadline label that has one, or the date it was moved to."""
    found = _after(_DEADLINE, text)
    moved = _after(_MOVED, text)
    return moved if found and moved and moved > found else found


def find_published(text: str, loose: bool = True) -> str | None:
    """The date (without time) after the first publication label that has one.

    `loose` also takes a bare 'issued' or 'published': right for a tender, which states its own
    publication, not for minutes, which publish their own records and name other documents'.
    """
    found = _after(_PUBLISHED, text) or (_after(_LOOSE, text) if loose else None)
    return found[:10] if found else None
