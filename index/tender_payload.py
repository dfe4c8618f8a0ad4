"""The payload keys that make a document's tender fields filterable and countable in the store.

The fields themselves stay under `extra.fields` (ingest.fields); Qdrant filters and facets need flat keys on every
chunk (a search filters chunks) and on the document record, each with its payload index (index.store.base):

- `cpv_prefixes`: every CPV prefix the document's codes reach (index.cpv), so `cpv=39100000` is one keyword match;
- `cpv_divisions`: the codes' divisions, for the facet;
- `procedure`: the procedure code (ingest.fields.record.PROCEDURES);
- `amounts` and `currencies`: every stated value (estimated, maximum or awarded) and their currencies. A value range
  matches a document when one of its amounts lies in it, in that amount's own currency: nothing is converted, so
  `value_min=100000` finds a EUR 150,000 notice and a GBP 150,000 one alike; add `currency` to keep one;
- `deadline_day`: the tender deadline as the integer YYYYMMDD (a range on an integer index; the time is dropped).

A store written before these keys existed has none of them: a filter on them matches none of its documents until
`procsearch ingest` rewrites them (PIPELINE_VERSION 6).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from index.cpv import divisions_of, reached_prefixes

TENDER_KEYS = ("cpv_prefixes", "cpv_divisions", "procedure", "amounts", "currencies", "deadline_day")


def day_number(value: dt.date) -> int:
    """A date as the integer YYYYMMDD that `deadline_day` holds (ordered as the dates are)."""
    return value.year * 10_000 + value.month * 100 + value.day


def _deadline_day(deadline: object) -> int | None:
    try:
        return day_number(dt.date.fromisoformat(str(deadline)[:10])) if deadline else None
    except ValueError:
        return None


def tender_payload(extra: dict[str, Any]) -> dict[str, Any]:
    """The flat keys above for a document's metadata (`extra`); every key is present, None or [] when not stated."""
    fields = extra.get("fields")
    fields = fields if isinstance(fields, dict) else {}
    codes = [str(c) for c in fields.get("cpv") or [] if c]
    amounts = [v for v in fields.get("values") or [] if isinstance(v, dict)]
    return {
        "cpv_prefixes": reached_prefixes(codes),
        "cpv_divisions": divisions_of(codes),
        "procedure": fields.get("procedure") or None,
        "amounts": [float(v["amount"]) for v in amounts if isinstance(v.get("amount"), int | float)],
        "currencies": list(dict.fromkeys(str(v["currency"]) for v in amounts if v.get("currency"))),
        "deadline_day": _deadline_day(fields.get("deadline")),
    }


def buyer_of(extra: dict[str, object]) -> str | None:
    """The buyer a catalog or front matter names (`buyer`), else the one the tender fields read; None when absent."""
    buyer = extra.get("buyer")
    if not isinstance(buyer, str) or not buyer.strip():
        fields = extra.get("fields")
        buyer = fields.get("buyer") if isinstance(fields, dict) else None
    return " ".join(buyer.split()) or None if isinstance(buyer, str) else None
