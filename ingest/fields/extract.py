"""One entry point: the tender fields of a document, by its kind.

An eForms notice is read from its XML structure (every field it carries); any other tender, notice or
minutes is read from its text with the rules of the sibling modules. Guides, law and other documents
get no fields: they discuss buyers, criteria and procedures in general, and what they name is not a
purchase of theirs.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import msgspec

from ingest.fields.cpv import find_cpv
from ingest.fields.criteria import find_criteria
from ingest.fields.dates import find_deadline, find_published
from ingest.fields.lots import find_lots
from ingest.fields.notice import notice_fields
from ingest.fields.parties import find_awardees, find_buyer
from ingest.fields.procedure import find_procedure
from ingest.fields.record import TenderFields
from ingest.fields.values import find_amounts

log = logging.getLogger(__name__)
FIELD_TYPES = ("tender", "notice", "minutes")  # document types that describe a purchase of their own


def _flatten(text: str) -> str:
    """Lines of one paragraph joined (PDF text wraps sentences), paragraphs kept apart."""
    return re.sub(r"(?<![\n|])\n(?![\n|])", " ", text)


def text_fields(text: str, doc_type: str = "tender") -> TenderFields:
    """Tender fields stated in free text (French or English).

    Minutes name bodies whatever they discuss: their buyer is kept only when they record a purchase
    (an award, its value or its criteria).
    """
    cpv_main, cpv = find_cpv(text)
    flat = _flatten(text)
    fields = TenderFields(
        buyer=find_buyer(text),
        cpv_main=cpv_main,
        cpv=cpv,
        procedure=find_procedure(flat),
        lots=find_lots(text),
        criteria=find_criteria(text),
        values=list(dict.fromkeys(find_amounts(flat))),
        published=find_published(text, loose=doc_type != "minutes"),
        deadline=find_deadline(text),
        awardees=find_awardees(flat),
    )
    if doc_type == "minutes" and not (fields.awardees or fields.values or fields.criteria):
        return msgspec.structs.replace(fields, buyer=None)
    return fields


def extract_fields(path: Path, data: bytes, text: str, doc_type: str) -> TenderFields:
    """The document's tender fields (an empty record when it states none or is not about a purchase)."""
    if path.suffix.lower() == ".xml":
        from ingest.converters.packages import parse_xml

        return notice_fields(parse_xml(data))
    if doc_type not in FIELD_TYPES:
        return TenderFields()
    return text_fields(text, doc_type)


def fields_metadata(path: Path, data: bytes, text: str, doc_type: str) -> dict[str, object]:
    """The `fields` metadata of a document: {} when it states none.

    A failure here is a bug in a rule, not a bad file: it is logged with its traceback and the document
    is indexed without fields rather than lost.
    """
    try:
        return extract_fields(path, data, text, doc_type).to_metadata()
    except Exception:  # noqa: BLE001 — a document is never lost to a field rule
        log.exception("tender field extraction failed for %s", path.name)
        return {}
