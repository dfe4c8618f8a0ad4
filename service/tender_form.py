"""The search page's procurement filters: CPV, procedure, value and deadline ranges, currency.

Kept apart from the page's route so that the route stays about searching: this module reads the filters from
the URL (the page's whole state is its URL, so links and pagination keep them), hands them to the same
`SearchRequest` the API validates, and lists the choices the form shows beside their facet counts.
"""

from __future__ import annotations

from collections.abc import Mapping

from index.cpv import division_label

TENDER_KEYS = ("cpv", "procedure", "currency", "value_min", "value_max", "deadline_from", "deadline_to")
CURRENCY_CHOICES = ("EUR", "GBP", "USD")


def _many(query: Mapping[str, list[str]], key: str) -> list[str]:
    """The non-empty values of a repeatable key; several CPV codes may be typed in one box ('39100000 45000000')."""
    if key == "cpv":
        return [part for v in query.get(key, []) for part in v.replace(",", " ").replace(";", " ").split()]
    return [v.strip() for v in query.get(key, []) if v.strip()]


def _amount(raw: str) -> str | float | None:
    """'60 000' and '60000,50' as numbers; anything else is left for the request's validation to refuse."""
    text = "".join(raw.split()).replace("\u202f", "")
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return raw


def tender_request(query: Mapping[str, list[str]]) -> dict[str, object]:
    """The procurement part of a `SearchRequest` from the page's query string (absent filters left out)."""
    body: dict[str, object] = {}
    for key in ("cpv", "procedure", "currency"):
        if found := _many(query, key):
            body[key] = found
    for key in ("value_min", "value_max"):
        if (amount := _amount(" ".join(query.get(key, [])[:1]))) is not None:
            body[key] = amount
    for key in ("deadline_from", "deadline_to"):
        if found := _many(query, key)[:1]:
            body[key] = found[0]
    return body


def tender_form(query: Mapping[str, list[str]], facets: dict[str, dict[str, int]], ui: str) -> dict[str, object]:
    """What the form shows: the values asked for, and the choices (divisions, procedures) with labels."""
    cpv = _many(query, "cpv")
    divisions = list(dict.fromkeys([c for c in cpv if len(c) == 2] + list(facets.get("cpv_division", {}))))
    procedures = list(dict.fromkeys(_many(query, "procedure") + list(facets.get("procedure", {}))))
    currencies = _many(query, "currency")
    return {
        "cpv": cpv,
        "cpv_codes": " ".join(c for c in cpv if len(c) != 2),  # a typed code; divisions are ticked instead
        "division_choices": [{"code": d, "label": division_label(d, ui) or d} for d in divisions[:15]],
        "procedures": _many(query, "procedure"),
        "procedure_choices": procedures,
        "currencies": currencies,
        "currency_choices": list(dict.fromkeys(list(CURRENCY_CHOICES) + currencies)),
        "value_min": " ".join(query.get("value_min", [])[:1]),
        "value_max": " ".join(query.get("value_max", [])[:1]),
        "deadline_from": " ".join(query.get("deadline_from", [])[:1]),
        "deadline_to": " ".join(query.get("deadline_to", [])[:1]),
        "open": any(_many(query, k) for k in TENDER_KEYS if k != "cpv") or any(len(c) != 2 for c in cpv),
    }
