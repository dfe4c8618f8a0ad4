"""The typed record of a document's tender fields, as stored in its metadata and compared by the evaluation.

Every field is optional: an empty list or None means the document does not state it. `to_metadata`
drops those, so a document's payload carries only what was found.
"""

from __future__ import annotations

from typing import Literal, get_args

import msgspec

Procedure = Literal[
    "open",
    "restricted",
    "neg-w-call",
    "neg-wo-call",
    "comp-dial",
    "innovation",
    "adapted",
    "simplified",
    "schedule",
    "oth-single",
    "oth-mult",
]
PROCEDURES: tuple[str, ...] = get_args(Procedure)
CRITERION_CATEGORIES = ("price", "cost", "quality", "technical", "environment", "social", "delivery", "other")
AMOUNT_KINDS = ("estimated", "maximum", "awarded")


class Criterion(msgspec.Struct, frozen=True, omit_defaults=True):
    """One award criterion: its name as written, a category from CRITERION_CATEGORIES, its weight (% or points)."""

    name: str
    category: str
    weight: float | None = None


class Amount(msgspec.Struct, frozen=True, omit_defaults=True):
    """A contract value: `kind` is one of AMOUNT_KINDS, `currency` an ISO 4217 code."""

    amount: float
    currency: str
    kind: str = "estimated"


class Lot(msgspec.Struct, frozen=True, omit_defaults=True):
    """A lot by its number as the document gives it ('1', '2', …) and its title when stated."""

    number: str
    title: str | None = None


class TenderFields(msgspec.Struct, frozen=True, omit_defaults=True):
    """What a tender, notice or award record states about the purchase."""

    buyer: str | None = None
    cpv_main: str | None = None
    cpv: list[str] = msgspec.field(default_factory=list)  # every code, main first
    procedure: str | None = None  # one of PROCEDURES
    lots: list[Lot] = msgspec.field(default_factory=list)
    criteria: list[Criterion] = msgspec.field(default_factory=list)
    values: list[Amount] = msgspec.field(default_factory=list)
    published: str | None = None  # ISO date
    deadline: str | None = None  # ISO date, with ' HH:MM' when the time is stated
    awardees: list[str] = msgspec.field(default_factory=list)

    def is_empty(self) -> bool:
        return not msgspec.to_builtins(self)

    def to_metadata(self) -> dict[str, object]:
        """Plain JSON-safe dict of the fields found (absent ones left out)."""
        return msgspec.to_builtins(self)


def fields_from_metadata(value: object) -> TenderFields:
    """The record back from a document's `fields` metadata (as stored in the payload)."""
    return msgspec.convert(value or {}, TenderFields)
