"""What two tenders share as purchases: CPV codes, buyer, award criteria — the "why" of a precedent.

A helpdesk looking for "tenders like this one" means the same thing bought, before the same words: two notices
for office chairs are precedents whatever their language, and the CPV code says so where the text may not. The
depth of the deepest CPV prefix two documents share (index.cpv) measures how close their purchases are: "45"
is construction work at large, "4523" civil-engineering works, "45233293" street furniture installation.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from index.collection import Collection
from index.records import DocumentRecord
from index.store.base import Where

GROUP_DIGITS = 3  # a shared CPV group (3 digits) or deeper makes a purchase precedent; a division alone, a neighbour
CPV_CANDIDATES = 60  # documents sharing a CPV group read as candidates, beyond those the text query finds


@dataclass(frozen=True)
class Kinship:
    """Why a document is a precedent of another, as purchases."""

    shared_cpv: tuple[str, ...] = ()  # the deepest prefixes both reach (a code, or a group or division of both)
    same_buyer: bool = False
    shared_criteria: tuple[str, ...] = ()  # award-criterion categories both use (price, quality, environment…)

    @property
    def depth(self) -> int:
        """Digits of the deepest shared CPV prefix: 0 none, 2 a division, up to 8 the same code."""
        return max((len(p) for p in self.shared_cpv), default=0)

    @property
    def rank(self) -> int:
        """2: same CPV group or deeper; 1: same division; 0: no CPV in common (the precedents' first sort key)."""
        return 2 if self.depth >= GROUP_DIGITS else 1 if self.depth else 0


def _fields(record: DocumentRecord) -> dict[str, Any]:
    fields = record.extra.get("fields")
    return fields if isinstance(fields, dict) else {}


def _deepest(prefixes: set[str]) -> tuple[str, ...]:
    """The shared prefixes that no longer shared prefix extends ('45', '452', '4523' → '4523')."""
    return tuple(sorted(p for p in prefixes if not any(q != p and q.startswith(p) for q in prefixes)))


def kinship(source: DocumentRecord, other: DocumentRecord) -> Kinship:
    """What `other` shares with `source`."""
    shared = set(source.cpv_prefixes) & set(other.cpv_prefixes)
    buyer = source.buyer
    criteria = [
        {str(c.get("category")) for c in _fields(r).get("criteria") or [] if isinstance(c, dict)}
        for r in (source, other)
    ]
    return Kinship(
        shared_cpv=_deepest(shared),
        same_buyer=bool(buyer) and str(buyer).casefold() == str(other.buyer or "").casefold(),
        shared_criteria=tuple(sorted(criteria[0] & criteria[1] - {"other"})),
    )


def cpv_neighbours(collection: Collection, source: DocumentRecord, where: Where) -> list[DocumentRecord]:
    """Document records (under `where`) that share a CPV group or deeper with `source`; none without CPV."""
    groups = tuple(p for p in source.cpv_prefixes if len(p) == GROUP_DIGITS)
    if not groups:
        return []
    found = collection.store.scroll(dataclasses.replace(where, kind="document", cpv_prefixes=groups))
    return [f.record for f in found][:CPV_CANDIDATES]
