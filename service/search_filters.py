"""A search request's filters, checked and turned into `SearchFilters` for the API and the page alike.

msgspec has already checked each value's shape (a CPV code's digits, a procedure code, an ISO date); what is
left is what only the whole request says: a range whose ends are swapped is a 400 with the reason, never an
empty result the member cannot explain.
"""

from __future__ import annotations

from index.cpv import significant_prefix
from index.results import SearchFilters
from index.tender_payload import day_number
from service.errors import BadRequest
from service.schemas import SearchRequest


def values(value: object) -> tuple[str, ...]:
    """A filter given once or as a list, as a tuple of strings."""
    if value is None:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


def search_filters(body: SearchRequest) -> SearchFilters:
    """The filters of `body`; BadRequest when two ends of a range contradict each other."""
    if body.year_from and body.year_to and body.year_from > body.year_to:
        raise BadRequest("year_from is after year_to")
    if body.value_min is not None and body.value_max is not None and body.value_min > body.value_max:
        raise BadRequest(f"value_min ({body.value_min:g}) is above value_max ({body.value_max:g})")
    if body.deadline_from and body.deadline_to and body.deadline_from > body.deadline_to:
        raise BadRequest(f"deadline_from ({body.deadline_from}) is after deadline_to ({body.deadline_to})")
    try:
        cpv = tuple(dict.fromkeys(significant_prefix(code) for code in values(body.cpv)))
    except ValueError as exc:  # the schema's pattern already refuses these; the page builds its body the same way
        raise BadRequest(f"cpv: {exc}") from None
    return SearchFilters(
        languages=values(body.lang),
        doc_types=values(body.type),
        buyers=values(body.buyer),
        year_from=body.year_from,
        year_to=body.year_to,
        cpv=cpv,
        procedures=values(body.procedure),
        currencies=values(body.currency),
        value_min=body.value_min,
        value_max=body.value_max,
        deadline_from=day_number(body.deadline_from) if body.deadline_from else None,
        deadline_to=day_number(body.deadline_to) if body.deadline_to else None,
    )
