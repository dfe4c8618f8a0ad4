"""Plain baselines, computed without the project's index, scored like the project's modes.

A tuned search is only worth its complexity if it beats what anyone would get
from off-the-shelf parts on the same documents. These baselines are those
parts: BM25 (`bm25s`, Snowball stemmer from PyStemmer, the analyser's stop
words) with a French and an English analyser, the default embedding model
with exact search (a numpy dot product over every window), and an equal-weight
reciprocal-rank fusion of the three. Each ranks documents by their best
220-word window (eval/windows.py). Their rows print beside hybrid, lexical and
dense with the same subsets and metrics, from the same queries and judgements.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from eval.beir import Qrels, Query
from eval.metrics import average_precision, first_relevant_rank, mrr_at_k, ndcg_at_k, recall_at_k, relevant_ids
from eval.run import EvalReport, ModeReport, QueryResult, group_results, judged_ranking, summarise
from eval.windows import Windows, load_windows, window_vectors

logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets itself to DEBUG: one line per index built

BM25_ANALYSERS = {"bm25-fr": ("french", "fr"), "bm25-en": ("english", "en")}  # name → (stemmer, stop words)
DENSE = "dense-exact"
FUSED = "rrf"
FUSED_LEXICAL = "rrf-bm25"  # the fusion's name when no embedder is given: the two BM25 lists only
BASELINES = (*BM25_ANALYSERS, DENSE, FUSED)
RRF_K = 60  # the constant of Cormack et al.'s reciprocal-rank fusion, unweighted
DEPTH = 100  # documents each list passes to the fusion and to scoring


@dataclass(frozen=True)
class Ranking:
    """Documents (indices into Windows.sources) best first, and the time it took to rank them."""

    documents: tuple[int, ...]
    took_ms: float


class Bm25Baseline:
    """BM25 over the windows with one analyser (stemmer and stop words)."""

    def __init__(self, windows: Windows, stemmer: str, stopwords: str):
        self.windows = windows
        self.stemmer = Stemmer.Stemmer(stemmer)
        self.stopwords = stopwords
        self.retriever = bm25s.BM25()
        tokens = bm25s.tokenize(list(windows.texts), stopwords=stopwords, stemmer=self.stemmer, show_progress=False)
        self.retriever.index(tokens, show_progress=False)

    def document_scores(self, text: str) -> np.ndarray:
        tokens = bm25s.tokenize(
            [text], stopwords=self.stopwords, stemmer=self.stemmer, return_ids=False, show_progress=False
        )[0]
        known = [t for t in tokens if t in self.retriever.vocab_dict]
        if not known:
            return np.zeros(len(self.windows.sources))
        return self.windows.best_per_document(np.asarray(self.retriever.get_scores(known), dtype=np.float32))


class DenseBaseline:
    """The embedding model over the windows, exact search: every window's cosine to the query."""

    def __init__(self, windows: Windows, vectors: np.ndarray, embedder):
        self.windows = windows
        self.vectors = vectors
        self.embedder = embedder

    def document_scores(self, text: str) -> np.ndarray:
        query = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
        return self.windows.best_per_document(self.vectors @ query)


def rank(scores: np.ndarray, depth: int = DEPTH, positive_only: bool = False) -> tuple[int, ...]:
    """The `depth` best documents, best first (ties by document order, so runs repeat)."""
    order = np.argsort(-scores, kind="stable")[:depth]
    return tuple(int(i) for i in order if not positive_only or scores[i] > 0)


def fuse(rankings: Sequence[Sequence[int]], depth: int = DEPTH, k: int = RRF_K) -> tuple[int, ...]:
    """Equal-weight reciprocal-rank fusion: a document scores the sum of 1 / (k + rank) over the lists."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for position, document in enumerate(ranking, start=1):
            scores[document] = scores.get(document, 0.0) + 1.0 / (k + position)
    return tuple(sorted(scores, key=lambda d: (-scores[d], d))[:depth])


def score_ranking(
    query: Query, judged: dict[str, int], sources: Sequence[str], ranking: Ranking, k: int
) -> QueryResult:
    """The project's per-query record for a baseline's ranking (a document is named by its source)."""
    documents = [(sources[i], sources[i]) for i in ranking.documents]
    ranked = judged_ranking(documents, judged)
    return QueryResult(
        query_id=query.id,
        text=query.text,
        language=query.language,
        cross_lingual=query.cross_lingual,
        ndcg=ndcg_at_k(ranked, judged, k),
        recall=recall_at_k(ranked, judged, k),
        mrr=mrr_at_k(ranked, judged, k),
        ap=average_precision(ranked, judged),
        took_ms=ranking.took_ms,
        first_relevant_rank=first_relevant_rank(ranked, judged),
        expected=tuple(sorted(relevant_ids(judged))),
        top=tuple(sources[i] for i in ranking.documents[:3]),
    )


def rank_query(text: str, bm25: dict[str, Bm25Baseline], dense: DenseBaseline | None) -> dict[str, Ranking]:
    """Every baseline's ranking of one query; the fusion's time is the sum of its parts'."""
    out: dict[str, Ranking] = {}
    for name, baseline in bm25.items():
        start = time.perf_counter()
        out[name] = Ranking(
            rank(baseline.document_scores(text), positive_only=True), (time.perf_counter() - start) * 1000
        )
    if dense is not None:
        dense.embedder.clear_cache()  # time the real encoding, as the project's modes do
        start = time.perf_counter()
        out[DENSE] = Ranking(rank(dense.document_scores(text)), (time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    fused = fuse([r.documents for r in out.values()])
    out[FUSED if dense is not None else FUSED_LEXICAL] = Ranking(
        fused, sum(r.took_ms for r in out.values()) + (time.perf_counter() - start) * 1000
    )
    return out


def run_baselines(
    queries: Sequence[Query],
    qrels: Qrels,
    corpus_paths: Sequence[Path | str],
    embedder=None,
    k: int = 10,
    cache_dir: Path | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> tuple[ModeReport, ...]:
    """One ModeReport per baseline (bm25-fr, bm25-en, dense-exact, rrf) on the judged queries.

    Without an embedder the dense baseline is left out and the fusion (`rrf-bm25`) joins the two BM25 lists.
    """
    windows = load_windows(corpus_paths, cache_dir, progress)
    bm25 = {name: Bm25Baseline(windows, stemmer, stop) for name, (stemmer, stop) in BM25_ANALYSERS.items()}
    dense = None
    if embedder is not None:
        dense = DenseBaseline(windows, window_vectors(windows, embedder, cache_dir, progress), embedder)
    judged = [q for q in queries if relevant_ids(qrels.get(q.id, {}))]
    results: dict[str, list[QueryResult]] = {}
    for done, query in enumerate(judged, start=1):
        for name, ranking in rank_query(query.text, bm25, dense).items():
            results.setdefault(name, []).append(score_ranking(query, qrels[query.id], windows.sources, ranking, k))
        if progress:
            progress(done, len(judged), f"baselines {query.id}")
    return tuple(
        ModeReport(
            name,
            tuple(summarise(subset, rows) for subset, rows in group_results(results[name])),
            failed=tuple(r for r in results[name] if r.ndcg == 0),
            queries=tuple(results[name]),
        )
        for name in (*BASELINES, FUSED_LEXICAL)
        if name in results
    )


def add_baselines(
    report: EvalReport,
    queries: Sequence[Query],
    qrels: Qrels,
    corpus_paths: Sequence[Path | str],
    embedder=None,
    k: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> EvalReport:
    """`report` with the baselines' rows after the project's modes (same queries, judgements and cut-off)."""
    rows = run_baselines(queries, qrels, corpus_paths, embedder, k or report.k, progress=progress)
    return dataclasses.replace(report, modes=report.modes + rows)
