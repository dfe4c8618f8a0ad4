"""`search()`: the one retrieval function used by the CLI, the API and the evaluation.

Hybrid mode fuses, inside Qdrant, the dense neighbours with BM25 in both
analysers. English (and unsure) queries are rank-fused (weighted RRF), the
analyser of the query's own language weighing more. French queries are
score-fused (DBSF): the default dense model is English, and on French text its
first hits are often wrong; RRF would still place them near the top, whereas
score fusion lets them count in proportion to their scores; their documents'
whole-text BM25 is added as one more list (`index.document_bm25`). Candidates are then
merged (adjacent overlapping chunks of one page become one passage) and
de-duplicated before the page of `k` results is cut, so page 2 continues page 1.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from index import document_bm25, sparse
from index.collection import Collection
from index.store import Found, VectorQuery, Where
from index.store.base import DENSE
from index.glossary import translate_terms
from index.reranker import RERANK_TOP
from ingest.language import query_languages

MODES = ("hybrid", "dense", "lexical")
POOL = 200  # candidates fused per source; fixed so that pages stay consistent


def candidate_limit(keep: int) -> int:
    """Fused candidates fetched (with their payloads) to build `keep` passages.

    Reading payloads dominates a Qdrant Edge query: 200 of them took 7.4 ms where the fused
    ranking alone took 0.5 ms. Three candidates per passage leave room for merges and
    near-duplicates; search() fetches deeper in the rare case they are not enough. The
    prefetch of every source stays at POOL, so the fused order is the same whatever the page.
    """
    return max(30, 3 * keep)


@dataclass(frozen=True)
class Tuning:
    """Weights of the fused sources, per mode; chosen on the bundled evaluation set, checked on PIAF.

    Qdrant's weighted RRF scores a source's hit at position p as 1 / ((p + 1) / w + k - 1):
    a weight stretches a source's ranks rather than scaling its scores, so even a
    low-weight source keeps its first hits near the top. Under score fusion
    (`score_fused`) the dense weight scales its normalised scores instead, and
    the BM25 sources (with the translations when `expansion` > 0) form one
    unweighted lexical list (see `sources`).
    """

    dense_en: float = 1.0  # dense weight for an English (or unknown-language) query
    dense_fr: float = 0.5  # …for a French query: the default model is English
    lexical_other: float = 0.5  # BM25 with the other language's analyser (rank fusion)
    merged_expansion: float = 0.35  # glossary translations added inside that BM25 query, at this term weight
    expansion: float = 0.2  # the translations alone as one more source (language-sure queries only)
    rrf_k: int = 20
    scored_expansion: float = 1.0  # the translations' share of the summed lexical list under score fusion
    scored_other: float = 0.5  # …and the other language's BM25 share: a French question opens on French documents
    score_fused: tuple[str, ...] = ("fr",)  # query languages whose hybrid queries are score-fused
    document_lexical: float = 0.4  # score-fused queries: each document's whole-text BM25 at this weight (README)


TUNING = {
    "hybrid": Tuning(),
    "dense": Tuning(),
    "lexical": Tuning(lexical_other=1.0, merged_expansion=1.0, expansion=0.0),
}


@dataclass(frozen=True)
class SearchFilters:
    languages: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    document_ids: tuple[str, ...] = ()
    exclude_document_ids: tuple[str, ...] = ()

    def where(self, kind: str = "chunk") -> Where:
        return Where(kind=kind, live=True, languages=self.languages, doc_types=self.doc_types,
                     year_from=self.year_from, year_to=self.year_to, document_ids=self.document_ids,
                     exclude_document_ids=self.exclude_document_ids)


@dataclass(frozen=True)
class Hit:
    id: str
    document_id: str
    text: str
    page: int
    page_end: int
    section: str
    language: str
    score: float
    index: int
    char_start: int
    char_end: int
    document: dict[str, object] = field(default_factory=dict)
    ocr: bool = False  # read from a scanned page by OCR


@dataclass(frozen=True)
class SearchResult:
    query: str
    mode: str
    hits: list[Hit]
    total_documents: int
    took_ms: float
    query_language: str | None


def _terms(text: str, analyser: str, extra: str = "", extra_weight: float = 0.0) -> tuple[list[int], list[float]]:
    """BM25 query terms of `text`, plus those of `extra` at `extra_weight` (an original term keeps 1.0)."""
    indices, values = sparse.embed_query(text, analyser)
    terms = dict(zip(indices, values))
    if extra and extra_weight > 0:
        for index, value in zip(*sparse.embed_query(extra, analyser)):
            terms[index] = max(terms.get(index, 0.0), extra_weight * value)
    return list(terms), list(terms.values())


def sources(collection: Collection, query: str, mode: str, tuning: Tuning | None = None,
            score_fusion: bool = False) -> tuple[list[VectorQuery], str | None]:
    """The vector queries for `mode`, weighted by the query's language.

    The query is read with both analysers. The glossary carries its terms into
    the other language: inside that language's BM25 query at a lower weight,
    and as a source of its own. For a score-fused query the BM25 sources share
    one group: a chunk is indexed in its own language's space only, so the
    spaces are disjoint and their raw BM25 scores add up into one lexical list.
    `score_fusion` is search()'s choice; similar documents (a 300-word opening
    as the query) measured better rank-fused (nDCG@5 0.612 against 0.559).
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode '{mode}': use one of {', '.join(MODES)}")
    tuning = tuning or TUNING[mode]
    language, confidence = query_languages(query)
    sure = language if confidence >= 0.5 else None
    translated: dict[str, str] = {}  # target language → glossary translation of the query
    for source_language, target in (("fr", "en"), ("en", "fr")):
        if sure in (None, source_language):
            translated[target] = " ".join(translate_terms(query, source_language))
    scored = score_fusion and mode == "hybrid" and sure in tuning.score_fused
    lexical = "lexical" if scored else ""
    out: list[VectorQuery] = []
    if mode in ("hybrid", "dense"):
        weight = tuning.dense_fr if sure == "fr" else tuning.dense_en
        out.append(VectorQuery(DENSE, dense=collection.embedder.embed_query(query), weight=weight))
    if mode in ("hybrid", "lexical"):
        for analyser in ("fr", "en"):
            extra = translated.get(analyser, "")
            indices, values = _terms(query, analyser, extra, tuning.merged_expansion)
            if indices:
                weight = 1.0 if sure in (None, analyser) else tuning.scored_other if scored else tuning.lexical_other
                out.append(VectorQuery(sparse.SPACES[analyser], sparse=(indices, values), weight=weight,
                                       group=lexical))
            if extra and tuning.expansion > 0 and sure is not None:  # unsure: a keyword query, kept in-language
                indices, values = sparse.embed_query(extra, analyser)
                if indices:
                    out.append(VectorQuery(sparse.SPACES[analyser], sparse=(indices, values),
                                           weight=tuning.scored_expansion if scored else tuning.expansion,
                                           group=lexical))
    return out, language


def _hit(found: Found) -> Hit:
    p = found.payload
    return Hit(id=found.id, document_id=str(p["document_id"]), text=str(p["text"]), page=int(p["page"]),
               page_end=int(p.get("page_end") or p["page"]), section=str(p.get("section") or ""),
               language=str(p.get("chunk_language") or p.get("language")), score=found.score, index=int(p["index"]),
               char_start=int(p["char_start"]), char_end=int(p["char_end"]),
               document={k: p.get(k) for k in ("title", "doc_type", "language", "year", "source")},
               ocr=bool(p.get("ocr")))


def _merge(a: Hit, b: Hit) -> Hit:
    """One passage from two overlapping chunks (texts are slices of one document text)."""
    first, second = (a, b) if a.char_start <= b.char_start else (b, a)
    overlap = first.char_end - second.char_start
    text = first.text + second.text[overlap:] if overlap >= 0 else first.text + "\n" + second.text
    return Hit(**{**a.__dict__, "text": text, "char_start": first.char_start,
                  "char_end": max(first.char_end, second.char_end), "page": first.page,
                  "page_end": max(first.page_end, second.page_end), "section": first.section,
                  "index": first.index, "ocr": a.ocr or b.ocr})


_NON_WORD = re.compile(r"\W+")


def _signature(text: str) -> str:
    return _NON_WORD.sub(" ", text[:600].lower()).strip()[:400]


def collapse(candidates: list[Found], keep: int | None = None) -> list[Hit]:
    """Passages from ranked chunks: adjacent overlapping chunks of one page merge; near-identical ones drop.

    With `keep`, passages past the first `keep` are not built: later candidates are only
    checked for a merge into a kept passage (a cheap lookup), so the page returned is the
    same as with every candidate collapsed, at a fraction of the cost (the signature of
    each of 200 candidates was the largest cost of a search after the model and Qdrant).
    """
    kept: list[Hit] = []
    by_page: dict[tuple[str, int], list[int]] = {}  # (document, page) → positions in `kept`
    seen: set[str] = set()
    full = False
    for found in candidates:
        p = found.payload
        neighbours = by_page.get((str(p["document_id"]), int(p["page"])))
        if neighbours:
            start, end, index = int(p["char_start"]), int(p["char_end"]), int(p["index"])
            partner = next((i for i in neighbours if abs(kept[i].index - index) == 1
                            and kept[i].char_end >= start - 1 and end >= kept[i].char_start - 1), None)
            if partner is not None:
                kept[partner] = _merge(kept[partner], _hit(found))
                continue
        if full:
            continue
        hit = _hit(found)
        signature = _signature(hit.text)
        if signature in seen:
            continue
        seen.add(signature)
        by_page.setdefault((hit.document_id, hit.page), []).append(len(kept))
        kept.append(hit)
        full = keep is not None and len(kept) >= keep
    return kept


def search(collection: Collection, query: str, k: int = 10, offset: int = 0,
           filters: SearchFilters | None = None, mode: str = "hybrid", tuning: Tuning | None = None) -> SearchResult:
    """Passages for `query`, best first, with their documents' metadata."""
    if not query.strip():
        raise ValueError("empty query")
    if not 1 <= k <= 100 or not 0 <= offset <= 10_000:
        raise ValueError("k must be within 1..100 and offset within 0..10,000")
    started = time.perf_counter()
    tuning = tuning or TUNING[mode]  # looked up per call, so an evaluation can sweep the module's weights
    queries, language = sources(collection, query.strip(), mode, tuning, score_fusion=True)
    reranker = collection.reranker
    keep = offset + k if reranker is None else max(offset + k, RERANK_TOP)
    candidates: list[Found] = []
    merged: list[Hit] = []
    if queries:
        where, pool = (filters or SearchFilters()).where(), max(POOL, 2 * (offset + k))
        limit = min(pool, candidate_limit(keep))
        documents: dict[str, float] = {}
        if tuning.document_lexical > 0 and any(q.group for q in queries):  # score-fused: see document_bm25
            documents = document_bm25.document_scores(collection.store, queries, where, language)
        while True:
            candidates = collection.store.query(queries, where, limit=limit, pool=pool, rrf_k=tuning.rrf_k)
            # equal fused scores (the first hits of two equal-weight lists) come back in no fixed order:
            # blend orders them by document and chunk number
            candidates = document_bm25.blend(candidates, documents, tuning.document_lexical)
            merged = collapse(candidates, keep=keep)
            if len(merged) >= keep or len(candidates) < limit or limit >= pool:
                break
            limit = min(pool, 4 * limit)  # near-duplicates and merges ate the margin: fetch deeper
    if reranker is not None:
        merged = reranker.rerank(query, merged)
    return SearchResult(query=query, mode=mode, hits=merged[offset:offset + k],
                        total_documents=len({f.payload["document_id"] for f in candidates}),
                        took_ms=round((time.perf_counter() - started) * 1000, 2), query_language=language)
