"""The procedure type and the lots, as free text names them.

Procedure names map to the eForms codes (open, restricted, neg-w-call, neg-wo-call, comp-dial,
innovation) plus 'adapted' (French procédure adaptée, MAPA), 'simplified' (US FAR Part 13) and
'schedule' (US orders under a GSA schedule or BPA, FAR 8.4). The first name found wins. Lots are the
numbers a 'Lot N' heading, row or bullet introduces, or a 'Lots 1, 2 and 3' enumeration.
"""

from __future__ import annotations

import re

from ingest.fields.record import Lot
from ingest.metadata import fold

_PROCEDURES = (
    (
        "neg-wo-call",
        r"negocie\w* sans (?:publicite|mise en concurrence)|sans publicite ni mise en concurrence|"
        r"negotiated procedure without (?:prior )?(?:publication|a call)|sole[- ]source|"
        r"other than full and open competition",
    ),
    (
        "neg-w-call",
        r"procedure (?:concurrentielle )?avec negociation|negociee avec (?:publicite|mise en concurrence)|"
        r"competitive procedure with negotiation|negotiated procedure with (?:prior )?publication",
    ),
    ("comp-dial", r"dialogue competitif|competitive dialogue"),
    ("innovation", r"partenariat d'innovation|innovation partnership"),
    ("adapted", r"procedure adaptee|\bmapa\b|marche a procedure adaptee"),
    ("restricted", r"appel d'offres restreint|restricted procedure"),
    ("open", r"appel d'offres ouvert|procedure ouverte|open procedure|full and open competition"),
    (
        "schedule",
        r"far (?:subpart )?8\.4|federal supply schedule|gsa schedule|multiple award schedule|"
        r"schedule 70|blanket purchase agreement|\bbpa\b",
    ),
    ("simplified", r"simplified acquisition|far (?:part )?13\b"),
)
_LOT = re.compile(
    r"(?:^|\|)\s*(?:#+\s*|[-*•]\s*|\*\*)?\s*lot\s*(?:n[°o]\.?\s*|no\.?\s*|number\s*)?(\d{1,2})\b", re.I | re.M
)
_LOT_LIST = re.compile(r"\blots?\s+(?:n[°o]s?\s*)?(\d{1,2}(?:\s*(?:,|and|et|&|à|to|-|–)\s*\d{1,2})+)", re.I)


def find_procedure(text: str) -> str | None:
    """The code of the procedure the text names first, or None."""
    folded = fold(text).replace("’", "'")
    best: tuple[int, str] | None = None
    for code, pattern in _PROCEDURES:
        match = re.search(pattern, folded)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), code)
    return best[1] if best else None


def find_lots(text: str) -> list[Lot]:
    """The lots the text defines, by number, in order."""
    numbers: list[str] = [m.group(1).lstrip("0") or "0" for m in _LOT.finditer(text)]
    for match in _LOT_LIST.finditer(text):
        parts = re.split(r"\s*(?:,|and|et|&)\s*", match.group(1))
        for part in parts:
            bounds = re.split(r"\s*(?:à|to|-|–)\s*", part)
            if len(bounds) == 2 and all(b.isdigit() for b in bounds) and int(bounds[0]) < int(bounds[1]) <= 40:
                numbers += [str(n) for n in range(int(bounds[0]), int(bounds[1]) + 1)]
            elif part.isdigit():
                numbers.append(str(int(part)))
    return [Lot(number=n) for n in dict.fromkeys(numbers)]
