"""Amounts with their currency as written in French and English procurement text.

`find_amounts` reads '60 000 € HT', '34 812,60 €', '£9.8 million', '$1,250,000', 'EUR 665 999,80'.
Only amounts introduced by a value label (estimated, maximum, awarded) become tender values: a
penalty or an insurance cover is not the contract's value.
"""

from __future__ import annotations

import re

from ingest.fields.record import Amount
from ingest.metadata import fold

_SYMBOLS = {
    "€": "EUR",
    "£": "GBP",
    "$": "USD",
    "us$": "USD",
    "eur": "EUR",
    "euros": "EUR",
    "euro": "EUR",
    "gbp": "GBP",
    "usd": "USD",
    "k€": "EUR",
    "m€": "EUR",
}
_NUMBER = r"\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_SCALE = r"(?:\s*(?:million|millions|m|bn|billion|k)\b)?"
_PREFIX = re.compile(rf"(?P<cur>US\$|[$£€]|\bEUR\b|\bGBP\b|\bUSD\b)\s?(?P<num>{_NUMBER})(?P<scale>{_SCALE})", re.I)
_SUFFIX = re.compile(
    rf"(?P<num>{_NUMBER})(?P<scale>{_SCALE})\s?(?P<cur>k€|M€|€|\beuros?\b|\bEUR\b|\bGBP\b|\bUSD\b)", re.I
)
# label → kind; checked in the text just before an amount (same sentence)
_KINDS = (
    (
        "awarded",
        (
            "pour un montant",
            "attribu",
            "award",
            "in the amount of",
            "contract price",
            "annual price",
            "total annual value",
            "not-to-exceed amount of",
            "montant du marche",
            "montant de l'offre retenue",
        ),
    ),
    ("maximum", ("maximum", "plafond", "not to exceed", "ceiling", "up to", "limite", "limit")),
    ("estimated", ("estim", "valeur", "value", "montant previsionnel", "enveloppe", "total", "soit ")),
)


_LABEL = 60  # characters before an amount where its label must be (a table header further up is not one)
_CONTEXT = 60
# thresholds, grants, budgets, savings, penalties, insurance: amounts that are not the contract's value
_THRESHOLD = re.compile(
    r"(?:>|<|plus de|moins de|more than|less than|above|below|over|under|seuil de|threshold of|"
    r"au-dela de|superieur a|inferieur a|per|par)\s*$"
)
_NOT_BEFORE = re.compile(
    r"(?:grant|fund|budget|subvention|financ|loan|pret\b|saving|economie|transfer|penalt|penalit|"
    r"insurance|assurance|liability|turnover|chiffre d'affaires|depenses|spend)[^.;]*$"
)
_NOT_AFTER = re.compile(
    r"^\s*(?:ht\s+|excluding vat\s+|hors taxes?\s+)?(?:(?:per|par|each|chacun|l'unite)\s+"
    r"(?!year|an\b|annum|month|mois|annee)\w+|per year more|more|less|de plus|de moins|"
    r"above|below|higher|lower)\b"
)


def parse_number(text: str, scale: str = "") -> float | None:
    """'34 812,60' → 34812.6, '1,552,900' → 1552900, '9.8' + 'million' → 9800000."""
    text = re.sub(r"[\s\u00a0\u202f]", "", text)
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text):
        text = re.sub(r"[.,]", "", text)
    elif re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+[.,]\d{1,2}", text):
        text = (
            re.sub(r"[.,]", "", text[:-3]) + "." + text[-2:]
            if text[-3] in ".,"
            else re.sub(r"[.,]", "", text[:-2]) + "." + text[-1:]
        )
    else:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    factor = {"million": 1e6, "millions": 1e6, "m": 1e6, "bn": 1e9, "billion": 1e9, "k": 1e3}
    return round(value * factor.get(scale.strip().lower(), 1.0), 2)


def _kind(before: str, after: str) -> str | None:
    """The kind the label just before an amount gives; None when there is none or the amount is not a value."""
    sentence = fold(re.split(r"(?<=[.!?])\s|\n\n", before)[-1])
    if _THRESHOLD.search(sentence) or _NOT_BEFORE.search(sentence[-_CONTEXT:]) or _NOT_AFTER.match(fold(after)):
        return None
    for kind, cues in _KINDS:
        if any(cue in sentence[-_LABEL:] for cue in cues):
            return kind
    return None


def find_amounts(text: str, labelled_only: bool = True) -> list[Amount]:
    """Amounts in `text` in order, each with the kind its label gives (unlabelled ones dropped by default)."""
    found: list[tuple[int, Amount]] = []
    taken: list[range] = []
    for pattern in (_PREFIX, _SUFFIX):
        for match in pattern.finditer(text):
            if any(match.start() in r or match.end() - 1 in r for r in taken):
                continue
            cur = match.group("cur").lower()
            scale = match.group("scale") or ("k" if cur == "k€" else "m" if cur == "m€" else "")
            value = parse_number(match.group("num"), scale)
            if value is None or value < 100:
                continue  # '15 €' penalties per hour, not contract values
            kind = _kind(text[max(0, match.start() - 200) : match.start()], text[match.end() : match.end() + 30])
            if kind is None and labelled_only:
                continue
            taken.append(range(match.start(), match.end()))
            found.append((match.start(), Amount(amount=value, currency=_SYMBOLS[cur], kind=kind or "estimated")))
    return [amount for _, amount in sorted(found, key=lambda pair: pair[0])]
