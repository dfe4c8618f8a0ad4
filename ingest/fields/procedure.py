"""The procedure type, as free text names it.

Procedure names map to the eForms codes (open, restricted, neg-w-call, neg-wo-call, comp-dial,
innovation) plus 'adapted' (French procédure adaptée, MAPA), 'simplified' (US FAR Part 13) and
'schedule' (US orders under a GSA schedule or BPA, FAR 8.4). The first name found wins.
"""

from __future__ import annotations

import re

from ingest.fields.folding import folded as folded_text

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


def find_procedure(text: str) -> str | None:
    """The code of the procedure the text names first, or None."""
    folded = folded_text(text).replace("’", "'")
    best: tuple[int, str] | None = None
    for code, pattern in _PROCEDURES:
        match = re.search(pattern, folded)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), code)
    return best[1] if best else None
