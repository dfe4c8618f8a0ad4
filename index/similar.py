"""Documents most like a given one: precedent tenders for the helpdesk.

The document's opening (title and first ~300 words) goes through the same
hybrid sources as a search — both BM25 analysers and the glossary, so a French
CCTP finds an English statement of work — with the document's mean passage
vector in place of the query vector. A document scores by its best passage.

Order: other documents of the same procurement first (the draft and the final of
an RFQ, its award minutes: they share a reference such as "NV-2023-07", or a file
name that differs only by the kind of document, "cctp-…-2023" / "pv-cao-…-2023");
then documents of the same type, since a buyer looking from a tender wants other
tenders before guides about the topic; then by score. For a document with CPV codes, what it buys comes right
after its own procurement: documents sharing a CPV group (3 digits) or deeper are read even when their words
differ (two furniture notices in two languages), and those sharing a group, then those sharing a division, rank
before the rest (index.purchase; eval/similar_shared.tsv measures it). Below RELATIVE_CUTOFF of the
best candidate's score a document is not a precedent but background noise of the
fused lists, and is left out rather than filling the page.

Measured on eval/similar.tsv (35 judged pairs, `python -m eval.similar DATA`, the
bundled corpus): nDCG@5 0.583 and R@5 0.509 ranking same type first only; 0.712
and 0.769 with the same procurement first (0.706 by reference numbers alone); the
cut-off costs 0.015 of it (0.697, R@5 0.750) and returns on average 24.8 of 30
documents asked for (3 at least); stricter cut-offs cost more (0.6/0.35: 0.638).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import cast

from index.collection import Collection
from index.purchase import Kinship, cpv_neighbours, kinship
from index.records import DocumentRecord
from index.search import SearchFilters, sources
from index.store import VectorQuery
from index.store.base import DENSE, Where

OPENING_WORDS = 300
REFERENCE_CHARS = 4000  # where a procurement reference is looked for: title, file name, opening text
# The cut-off reads the cosine of the documents' mean vectors, not the fused score: rank fusion flattens scores
# (rank 60 still scores half of rank 1), so no share of the fused score separates precedents from noise.
RELATIVE_CUTOFF = 0.5  # a precedent's cosine is at least this share of the closest document's…
COSINE_FLOOR = 0.3  # …and at least this (same procurement exempt from both)
POOL = 300  # passages read; a document scores by its best one
CANDIDATES = 60  # best-scoring documents examined for kinship (reading their opening) and the cut-off

# "NV-2023-07", "BCC-2023-012", "CAB/2023/47", "RFP 2024-031", "ID09160019", "n° 2023-15"
_REFERENCE = re.compile(
    r"\b([A-Z]{2,6}[-/ ]?\d{2,4}[-/]\d{2,4}(?:[-/]\d{1,4})?|[A-Z]{2,4}\d{6,}|"
    r"N[°O]\s*\d{2,4}[-/]\d{1,4})\b"
)
_GENERIC = {"SP800", "ISO", "NF", "EN"}  # standards numbers look like references but link unrelated documents
_KIND_WORDS = {
    "rc",
    "cctp",
    "ccap",
    "ae",
    "dce",
    "bpu",
    "dpgf",
    "pv",
    "cao",
    "cr",
    "deliberation",
    "attribution",
    "convention",
    "avis",
    "rfq",
    "rfp",
    "itt",
    "sow",
    "pws",
    "qasp",
    "draft",
    "final",
    "award",
    "notice",
    "minutes",
    "decision",
    "cabinet",
    "board",
    "committee",
    "procurement",
    "marche",
    "de",
    "du",
    "des",
    "la",
    "le",
    "et",
    "the",
    "of",
    "and",
}


@dataclass(frozen=True)
class Precedent:
    record: DocumentRecord
    score: float
    same_procurement: bool
    kinship: Kinship = Kinship()  # shared CPV, buyer and criteria (index.purchase)


def procurement_references(title: str, source: str, text: str) -> set[str]:
    """Reference numbers of the purchase a document belongs to, normalised ("NV-2023-07" → "NV202307")."""
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0].upper()
    found = _REFERENCE.findall(f"{title}\n{stem}\n{text[:REFERENCE_CHARS]}".upper())
    keys = {re.sub(r"[^A-Z0-9]", "", ref) for ref in found}
    return {key for key in keys if not any(key.startswith(g) for g in _GENERIC)}


def name_words(source: str) -> set[str]:
    """The words of a file name that say what was bought, by whom and when (the kind of document left out)."""
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    return {w for w in re.split(r"[^a-z0-9]+", stem) if w and w not in _KIND_WORDS}


def same_procurement(a: tuple[set[str], set[str]], b: tuple[set[str], set[str]]) -> bool:
    """Shared reference, or file names sharing a year and at least two other words (subject, buyer)."""
    if a[0] & b[0]:
        return True
    shared = a[1] & b[1]
    years = {w for w in shared if re.fullmatch(r"(19|20)\d\d", w)}
    return bool(years) and len(shared - years) >= 2


def _document_cosines(collection: Collection, vector: list[float], where: Where) -> dict[str, float]:
    """Cosine of each document's mean vector with `vector` (the document points carry the mean vectors)."""
    documents = dataclasses.replace(where, kind="document")
    hits = collection.store.query(
        [VectorQuery(DENSE, dense=list(vector), weight=1.0)],
        documents,
        limit=POOL,
        pool=POOL,
        with_payload=["document_id"],
    )
    return {hit.record.document_id: hit.score for hit in hits}


def find_precedents(
    collection: Collection, document_id: str, k: int = 5, filters: SearchFilters | None = None
) -> list[Precedent]:
    """The k best precedents of a document (order and cut-off in the module docstring)."""
    found = collection.document(document_id, with_vector=True)
    record = found.record
    chunks = collection.chunks(document_id)
    words = " ".join([record.title] + [c.text for c in chunks]).split()
    opening = " ".join(words[:OPENING_WORDS])
    queries, _ = sources(collection, opening, "hybrid")
    vector = cast("list[float] | None", (found.vectors or {}).get(DENSE))
    queries = [
        VectorQuery(DENSE, dense=list(vector), weight=q.weight) if q.using == DENSE and vector else q for q in queries
    ]
    base = filters or SearchFilters()
    where = SearchFilters(
        languages=base.languages,
        doc_types=base.doc_types,
        year_from=base.year_from,
        year_to=base.year_to,
        exclude_document_ids=(document_id,),
    ).where()
    best: dict[str, float] = {}
    for hit in collection.store.query(queries, where, limit=POOL, pool=POOL):
        doc = hit.keys.document_id
        best[doc] = max(best.get(doc, 0.0), hit.score)
    if not best:
        return []
    records = collection.records(list(best))
    opening_text = " ".join(words[: OPENING_WORDS * 2])
    mine = (
        procurement_references(record.title, record.source, opening_text),
        name_words(record.source),
    )
    cosines = _document_cosines(collection, vector, where) if vector else {}
    floor = max(COSINE_FLOOR, RELATIVE_CUTOFF * max(cosines.values(), default=0.0))
    precedents = []
    candidates = sorted(best.items(), key=lambda item: -item[1])[:CANDIDATES]
    for neighbour in cpv_neighbours(collection, record, where):  # same purchase by CPV, whatever the words
        doc = neighbour.document_id
        if doc not in records:
            records[doc] = neighbour
            candidates.append((doc, 0.0))
    for doc, score in candidates:
        if doc not in records:
            continue
        other = records[doc]
        text = " ".join(c.text for c in collection.chunks(doc)[:3]) if mine[0] else ""
        theirs = (procurement_references(other.title, other.source, text), name_words(other.source))
        kin = same_procurement(mine, theirs)
        purchase = kinship(record, other)
        if kin or purchase.rank == 2 or not cosines or cosines.get(doc, 0.0) >= floor:
            precedents.append(Precedent(other, score, kin, purchase))
    precedents.sort(
        key=lambda p: (not p.same_procurement, -p.kinship.rank, p.record.doc_type != record.doc_type, -p.score)
    )
    return precedents[:k]


def similar_documents(
    collection: Collection, document_id: str, k: int = 5, filters: SearchFilters | None = None
) -> list[tuple[DocumentRecord, float]]:
    """(document record, score) of the k best precedents; see `find_precedents`."""
    return [(p.record, p.score) for p in find_precedents(collection, document_id, k, filters)]
