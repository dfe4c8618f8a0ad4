"""Tender fields (buyer, CPV, procedure, lots, award criteria, values, dates, awardees) read from a document.

`extract_fields` is the one entry point; the pipeline stores its result under the document's
`fields` metadata key. A field the document does not state is absent, never guessed.
"""

from ingest.fields.extract import extract_fields, fields_metadata
from ingest.fields.record import Amount, Criterion, Lot, TenderFields

__all__ = ["Amount", "Criterion", "Lot", "TenderFields", "extract_fields", "fields_metadata"]
