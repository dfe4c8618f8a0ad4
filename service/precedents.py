"""`/v1/documents/{id}/similar` and the precedents page: precedents with why each one is similar.

The ranking is index.similar's (same procurement, then shared CPV, then type and text); this module only says
it in the API's words: the CPV prefixes both documents reach with their division's official labels, the same
buyer, the award-criterion categories both use, and each document's criteria to set side by side.
"""

from __future__ import annotations

from index.collection import Collection
from index.cpv import division_label
from index.records import DocumentRecord
from index.results import SearchFilters
from index.similar import Precedent, find_precedents
from service.responses import document_summary
from service.schemas import AwardCriterion, PrecedentNote, SharedCpv, SimilarResponse


def criteria_of(record: DocumentRecord) -> list[AwardCriterion]:
    """A document record's award criteria (extra.fields.criteria), as the API gives them."""
    fields = record.extra.get("fields")
    raw = fields.get("criteria") if isinstance(fields, dict) else None
    out = []
    for c in raw if isinstance(raw, list) else []:
        if isinstance(c, dict) and c.get("name"):
            weight = c.get("weight")
            out.append(
                AwardCriterion(
                    str(c["name"]), str(c.get("category") or "other"), float(weight) if weight is not None else None
                )
            )
    return out


def shared_cpv(prefix: str) -> SharedCpv:
    division = prefix[:2]
    return SharedCpv(
        prefix, division, division_label(division, "en") or division, division_label(division, "fr") or division
    )


def precedent_note(precedent: Precedent) -> PrecedentNote:
    kin = precedent.kinship
    return PrecedentNote(
        id=precedent.record.document_id,
        same_procurement=precedent.same_procurement,
        shared_cpv=[shared_cpv(p) for p in kin.shared_cpv],
        same_buyer=kin.same_buyer,
        shared_criteria=list(kin.shared_criteria),
        criteria=criteria_of(precedent.record),
    )


def similar_response(
    collection: Collection, document_id: str, k: int, filters: SearchFilters | None = None
) -> SimilarResponse:
    """The k best precedents of a document, each with its reasons; NotFoundError for an unknown id."""
    source = collection.document(document_id).record
    found = find_precedents(collection, document_id, k, filters)
    return SimilarResponse(
        document_id=document_id,
        documents=[document_summary(p.record, score=round(p.score, 6)) for p in found],
        criteria=criteria_of(source),
        precedents=[precedent_note(p) for p in found],
    )
