"""`search()`: the one retrieval function used by the CLI, the API and the evaluation.

The sources (`index.query_sources`) are fused inside Qdrant over the best `POOL` chunks; French
(score-fused) queries add their documents' whole-text BM25 (`index.document_bm25`). The fused chunks
are the result set: their distinct documents, ranked by their best chunk, near-duplicate versions
folded into the first. A page is `k` documents of that ranking, each with its best passages
(adjacent overlapping chunks of one page merged), so pages never repeat a document and the total
is the same on every page; `unit="passage"` pages through the passages instead, for tools.

Filters are applied to the unfiltered ranking, not inside it: DBSF normalises each list over the
candidates it sees and RRF ranks within them, so a filter inside the query reordered the documents
it kept (the README's `type: ["guide","tender"]` example swapped two). Documents that the filter
keeps but that are not among the unfiltered pool's come from the same query filtered, after the
others, so a filter on a rare type still finds its documents.
"""

from __future__ import annotations

import time

from index import document_bm25
from index.collection import Collection
from index.passages import Hit, collapse
from index.query_sources import sources
from index.records import LIGHT_KEYS
from index.relevance import lexical_probe, matched, near_enough
from index.reranker import RERANK_TOP
from index.results import (
    PASSAGES_PER_DOCUMENT,
    RESULT_WINDOW,
    SORTS,
    UNITS,
    DocumentHit,
    SearchFilters,
    SearchResult,
    Sort,
    Unit,
    facet_counts,
    sort_documents,
)
from index.store import Found, QuerySpec, VectorQuery, Where
from index.tuning import POOL, Tuning, candidate_limit, default_tuning
from ingest.vocabulary import MODES

CHUNKS_PER_DOCUMENT = 2 * PASSAGES_PER_DOCUMENT  # a page's document: its best chunks read, with room for merges

__all__ = [
    "MODES",
    "POOL",
    "Hit",
    "SearchFilters",
    "SearchResult",
    "Tuning",
    "candidate_limit",
    "collapse",
    "search",
    "sources",
]


def _ranked(
    collection: Collection,
    queries: list[VectorQuery],
    where: Where,
    tuning: Tuning,
    language: str | None,
    probe: QuerySpec | None = None,
) -> tuple[list[Found], list[Found]]:
    """(the best `POOL` fused chunks under `where`, best first, with their light payloads; the probe's answer).

    The chunk query, the document-level BM25 query of a score-fused query (see document_bm25) and the
    nothing-found probe (index.relevance) go to the store as one batch: one call, one round trip to a server.
    """
    specs = [QuerySpec(queries, where, limit=POOL, pool=POOL, rrf_k=tuning.rrf_k, with_payload=LIGHT_KEYS)]
    document_spec = None
    if tuning.document_lexical > 0 and any(q.group for q in queries):
        document_spec = document_bm25.document_query(queries, where, language)
    extra = [s for s in (document_spec, probe) if s is not None]
    answers = collection.store.query_batch(specs + extra)
    found, rest = answers[0], dict(zip([id(s) for s in extra], answers[1:], strict=True))
    documents = document_bm25.scores_of(rest[id(document_spec)]) if document_spec is not None else {}
    # equal fused scores (the first hits of two equal-weight lists) come back in no fixed order:
    # blend orders them by document and chunk number
    ranked = document_bm25.blend(found, documents, tuning.document_lexical)
    return ranked, rest.get(id(probe), []) if probe is not None else []


def _candidates(
    collection: Collection,
    queries: list[VectorQuery],
    filters: SearchFilters,
    tuning: Tuning,
    language: str | None,
    probe: QuerySpec | None = None,
) -> tuple[list[Found], list[Found], list[Found]]:
    """(chunks of the result set in rank order, chunks of the unfiltered pool, the probe's answer).

    See the module docstring.
    """
    ranked, probed = _ranked(collection, queries, SearchFilters().where(), tuning, language, probe)
    if not filters.active:
        return ranked, ranked, probed
    kept = [f for f in ranked if filters.admits(f.keys)]
    known = {f.keys.document_id for f in ranked}
    extra = [
        f for f in _ranked(collection, queries, filters.where(), tuning, language)[0] if f.keys.document_id not in known
    ]
    return kept + extra, ranked + extra, probed


def _by_document(collection: Collection, chunks: list[Found]) -> tuple[dict[str, list[Found]], dict[str, str]]:
    """(chunks grouped by document in rank order, the first version of each document that has one).

    Near-duplicate versions of one document share one group, keyed by whichever ranks first.
    """
    order: dict[str, list[Found]] = {}
    for found in chunks:
        order.setdefault(found.keys.document_id, []).append(found)
    records = collection.records(list(order))
    firsts = {d: r.duplicate_of for d, r in records.items() if r.duplicate_of}
    grouped: dict[str, list[Found]] = {}
    shown: dict[str, str] = {}  # first version (or the document itself) → the group's key
    for document_id, members in order.items():
        key = shown.setdefault(firsts.get(document_id, document_id), document_id)
        grouped.setdefault(key, []).extend(members)
    return grouped, firsts


def _with_text(collection: Collection, chunks: list[Found]) -> list[Found]:
    """`chunks` with their whole payloads (text included), scores and order kept."""
    full = {f.id: f.payload for f in collection.store.retrieve([f.id for f in chunks])}
    return [Found(f.id, f.score, full[f.id]) for f in chunks if f.id in full]


def _passages(collection: Collection, chunks: list[Found], keep: int) -> list[Hit]:
    """The first `keep` passages of ranked chunks, reading texts as deep as merges and duplicates need."""
    limit = candidate_limit(keep)
    while True:
        merged = collapse(_with_text(collection, chunks[:limit]), keep=keep)
        if len(merged) >= keep or limit >= len(chunks):
            return merged
        limit = 4 * limit


def _document_page(
    collection: Collection,
    grouped: dict[str, list[Found]],
    firsts: dict[str, str],
    page: list[str],
    reranked: list[Hit] | None,
) -> list[DocumentHit]:
    """The page's documents with their best passages (read for these documents only)."""
    wanted = [f for d in page for f in grouped[d][:CHUNKS_PER_DOCUMENT]]
    full = {f.id: f for f in _with_text(collection, wanted)}
    out = []
    for document_id in page:
        chunks = [full[f.id] for f in grouped[document_id][:CHUNKS_PER_DOCUMENT] if f.id in full]
        passages = collapse(chunks, keep=PASSAGES_PER_DOCUMENT)
        if reranked is not None:
            rescored = [h for h in reranked if h.document_id in {f.keys.document_id for f in chunks}]
            passages = rescored[:PASSAGES_PER_DOCUMENT] or passages
        members = [f.keys.document_id for f in grouped[document_id]]
        first = firsts.get(document_id)
        versions = tuple(v for v in dict.fromkeys(([first] if first else []) + members) if v != document_id)
        best = full.get(grouped[document_id][0].id, grouped[document_id][0]).fields
        out.append(DocumentHit(document_id, grouped[document_id][0].score, passages, best, versions))
    return out


def search(
    collection: Collection,
    query: str,
    k: int = 10,
    offset: int = 0,
    filters: SearchFilters | None = None,
    mode: str = "hybrid",
    tuning: Tuning | None = None,
    unit: Unit = "document",
    sort: Sort = "relevance",
) -> SearchResult:
    """`k` documents (or passages, with `unit="passage"`) for `query` from `offset`, with the result set's counts."""
    if not query.strip():
        raise ValueError("empty query")
    if not 1 <= k <= 100 or not 0 <= offset <= RESULT_WINDOW:
        raise ValueError(f"k must be within 1..100 and offset within 0..{RESULT_WINDOW:,}")
    if unit not in UNITS or sort not in SORTS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)} and sort one of {', '.join(SORTS)}")
    started = time.perf_counter()
    filters = filters or SearchFilters()
    tuning = tuning or default_tuning(mode, collection.embedder.name)
    queries, language = sources(collection, query.strip(), mode, tuning, score_fusion=True)

    def result(
        hits: list[Hit],
        total: int = 0,
        documents: list[DocumentHit] | None = None,
        facets: dict[str, dict[str, int]] | None = None,
    ) -> SearchResult:
        return SearchResult(
            query=query,
            mode=mode,
            hits=hits,
            total_documents=total,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            query_language=language,
            documents=documents or [],
            facets=facets or {},
            unit=unit,
            sort=sort,
        )

    # whether the query's terms match is asked in every mode: a dense search is not emptied for a low cosine alone
    evidence = queries if mode != "dense" else queries + sources(collection, query.strip(), "lexical")[0]
    if not queries:
        return result([])
    probe = lexical_probe(evidence, SearchFilters().where())
    chunks, pool, probed = _candidates(collection, queries, filters, tuning, language, probe)
    if not matched(probed, probe) and not near_enough(collection, evidence, SearchFilters().where()):
        return result([])
    grouped, firsts = _by_document(collection, chunks)
    unfiltered = grouped if pool is chunks else _by_document(collection, pool)[0]
    facets = facet_counts([c[0].keys for c in unfiltered.values()], filters)
    reranker = collection.reranker
    reranked = None
    if reranker is not None or unit == "passage":
        keep = offset + k if reranker is None else max(offset + k, RERANK_TOP)
        passages = _passages(collection, chunks, keep)
        if reranker is not None:
            passages = reranker.rerank(query, passages)
        if unit == "passage":
            return result(passages[offset : offset + k], len(grouped), facets=facets)
        reranked = passages
    ranked = list(grouped)
    if reranked is not None:  # documents in the order of their best reranked passage, then the rest
        owner = {f.keys.document_id: d for d, group in grouped.items() for f in group}
        ranked = list(dict.fromkeys([owner[h.document_id] for h in reranked if h.document_id in owner] + ranked))
    ranked = sort_documents(ranked, {d: grouped[d][0].keys for d in ranked}, sort)
    page = _document_page(collection, grouped, firsts, ranked[offset : offset + k], reranked)
    return result([h for d in page for h in d.passages], len(grouped), page, facets)
