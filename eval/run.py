"""Run an evaluation set through `index.search.search` and score it per document.

The harness calls the very function the API and CLI call, so what it measures
is what users get. Judgements are per document, and a result page's unit is
the document (near-duplicate versions folded into their first), so the ranking
scored is the documents search returns, asked 20 deep (MAP reads them all).
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from eval.beir import Qrels, Query, load_qrels, load_queries
from eval.metrics import (
    average_precision,
    first_relevant_rank,
    mean,
    mrr_at_k,
    ndcg_at_k,
    percentile,
    recall_at_k,
    relevant_ids,
)
from index.collection import Collection, open_collection
from index.embedder import Embedder
from index.indexer import IngestReport, ingest_paths
from index.results import DocumentHit
from index.search import Hit, search
from ingest.vocabulary import MODES
from service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUERIES = ROOT / "eval" / "queries.jsonl"
DEFAULT_QRELS = ROOT / "eval" / "qrels.tsv"
DEFAULT_CORPUS = ROOT / "corpus" / "documents"
DOCUMENTS = 20  # documents asked of search per query (the ranking MAP reads; nDCG, recall and MRR read the first k)
WARM_UP = "a warm-up query long enough for language detection"  # six words or more load its profiles


@dataclass(frozen=True)
class QueryResult:
    query_id: str
    text: str
    language: str | None
    cross_lingual: bool
    ndcg: float
    recall: float
    mrr: float
    ap: float
    took_ms: float
    first_relevant_rank: int | None  # among the retrieved documents; None when never retrieved
    expected: tuple[str, ...]  # relevant corpus-ids
    top: tuple[str, ...]  # sources of the first three documents, to see what won instead


@dataclass(frozen=True)
class Breakdown:
    subset: str
    n: int
    ndcg: float
    recall: float
    mrr: float
    map: float
    p50_ms: float


@dataclass(frozen=True)
class ModeReport:
    mode: str
    breakdowns: tuple[Breakdown, ...]
    failed: tuple[QueryResult, ...]  # no relevant document in the top k
    queries: tuple[QueryResult, ...]


@dataclass(frozen=True)
class EvalReport:
    k: int
    modes: tuple[ModeReport, ...]
    skipped: tuple[str, ...] = ()  # query ids without any relevant judgement: not scorable
    documents: int = 0  # documents in the index when the run started
    ingest: dict[str, float] = field(default_factory=dict)  # counts of the ingest that preceded the run


def match_keys(document_id: str, source: str | None) -> tuple[str, ...]:
    """The ids a qrels file may use for one document, most specific first.

    `documents/fr/x.pdf` is known as its document id, `documents/fr/x.pdf`,
    `fr/x.pdf` (without the ingested folder's name) and `x` (BEIR sets whose
    ids are file stems, like PIAF's sheet ids).
    """
    keys = [document_id]
    if source:
        keys.append(source)
        if "/" in source:
            keys.append(source.split("/", 1)[1])
        keys.append(PurePosixPath(source).stem)
    return tuple(dict.fromkeys(keys))


def ranked_documents(hits: Iterable[Hit | DocumentHit]) -> list[tuple[str, str | None]]:
    """(document_id, source) of the distinct documents behind passage hits, in first-occurrence order."""
    seen: dict[str, str | None] = {}
    for hit in hits:
        if hit.document_id not in seen:
            seen[hit.document_id] = hit.document.source or None
    return list(seen.items())


def judged_ranking(documents: Sequence[tuple[str, str | None]], judged: dict[str, int]) -> list[str]:
    """Each retrieved document named by the corpus-id that judges it, else by its own document id."""
    out = []
    for document_id, source in documents:
        keys = match_keys(document_id, source)
        out.append(next((key for key in keys if key in judged), document_id))
    return out


def score_query(
    collection: Collection, query: Query, judged: dict[str, int], mode: str, k: int, depth: int = DOCUMENTS
) -> QueryResult:
    result = search(collection, query.text, k=max(k, depth), mode=mode)
    documents = ranked_documents(result.documents)
    ranking = judged_ranking(documents, judged)
    return QueryResult(
        query_id=query.id,
        text=query.text,
        language=query.language,
        cross_lingual=query.cross_lingual,
        ndcg=ndcg_at_k(ranking, judged, k),
        recall=recall_at_k(ranking, judged, k),
        mrr=mrr_at_k(ranking, judged, k),
        ap=average_precision(ranking, judged),
        took_ms=result.took_ms,
        first_relevant_rank=first_relevant_rank(ranking, judged),
        expected=tuple(sorted(relevant_ids(judged))),
        top=tuple(source or document_id for document_id, source in documents[:3]),
    )


def summarise(subset: str, results: Sequence[QueryResult]) -> Breakdown:
    return Breakdown(
        subset,
        len(results),
        mean(r.ndcg for r in results),
        mean(r.recall for r in results),
        mean(r.mrr for r in results),
        mean(r.ap for r in results),
        percentile((r.took_ms for r in results), 50),
    )


def group_results(results: Sequence[QueryResult]) -> list[tuple[str, list[QueryResult]]]:
    """all, then each query language, then cross-lingual / same-language.

    A subset holding every query repeats the `all` row, so it is left out
    (PIAF, all French and same-language, prints one row per mode).
    """
    groups: list[tuple[str, list[QueryResult]]] = []
    for language in sorted({r.language for r in results if r.language}):
        groups.append((language, [r for r in results if r.language == language]))
    groups.append(("cross-lingual", [r for r in results if r.cross_lingual]))
    groups.append(("same-language", [r for r in results if not r.cross_lingual]))
    return [("all", list(results))] + [(name, rows) for name, rows in groups if 0 < len(rows) < len(results)]


def check_modes(modes: Sequence[str]) -> None:
    """Fail on a mistyped mode before anything slow happens."""
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise ValueError(f"unknown mode(s) '{', '.join(unknown)}': use one or more of {', '.join(MODES)}")


def run_eval(
    collection: Collection,
    queries: Sequence[Query],
    qrels: Qrels,
    modes: Sequence[str] = MODES,
    k: int = 10,
    depth: int = DOCUMENTS,
    progress: Callable[[int, int, str], None] | None = None,
) -> EvalReport:
    """Score every judged query in every mode; queries without a relevant judgement are listed as skipped.

    `progress(done, total, label)` is called after each query, as ingest does per file.
    """
    check_modes(modes)
    judged = [q for q in queries if relevant_ids(qrels.get(q.id, {}))]
    skipped = tuple(q.id for q in queries if not relevant_ids(qrels.get(q.id, {})))
    reports: list[ModeReport] = []
    total = len(judged) * len(modes)
    for mode in modes:
        collection.embedder.clear_cache()  # a later mode must not get its embeddings for free
        search(collection, WARM_UP, k=1, mode=mode)  # model, language profiles: kept out of the latencies
        results = []
        for query in judged:
            results.append(score_query(collection, query, qrels[query.id], mode, k, depth))
            if progress:
                progress(len(results) + len(reports) * len(judged), total, f"{mode} {query.id}")
        reports.append(
            ModeReport(
                mode,
                tuple(summarise(name, rows) for name, rows in group_results(results)),
                failed=tuple(r for r in results if r.ndcg == 0),
                queries=tuple(results),
            )
        )
    documents = int(collection.stats()["documents"])
    return EvalReport(k=k, modes=tuple(reports), skipped=skipped, documents=documents)


def format_table(report: EvalReport) -> str:
    """One plain-text table: a row per mode × subset."""
    k = report.k
    header = ("mode", "subset", "n", f"nDCG@{k}", f"R@{k}", f"MRR@{k}", "MAP", "p50 ms")
    rows = [header]
    for mode in report.modes:
        for b in mode.breakdowns:
            rows.append(
                (
                    mode.mode,
                    b.subset,
                    str(b.n),
                    f"{b.ndcg:.3f}",
                    f"{b.recall:.3f}",
                    f"{b.mrr:.3f}",
                    f"{b.map:.3f}",
                    f"{b.p50_ms:.1f}",
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def report_to_dict(report: EvalReport) -> dict[str, object]:
    """The whole report as JSON-ready data (for `--json`)."""
    return dataclasses.asdict(report)


def summarise_ingest(ingest: IngestReport) -> dict[str, float]:
    return {
        "added": len(ingest.added),
        "updated": len(ingest.updated),
        "unchanged": len(ingest.unchanged),
        "failed": len(ingest.failed),
        "skipped": len(ingest.skipped),
        "chunks": ingest.chunks,
        "seconds": round(ingest.seconds, 1),
    }


def prepare_store(
    data_dir: Path | str,
    corpus_paths: Sequence[Path | str],
    embedder: Embedder | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> IngestReport:
    """Ingest the corpus into the store at `data_dir` (created if needed); unchanged files are skipped.

    The collection is closed on return: the embedded store admits one open
    handle per folder, and the caller opens its own to search.
    """
    with open_collection(data_dir=data_dir, create=True, embedder=embedder) as collection:
        return ingest_paths(collection, [Path(p) for p in corpus_paths], progress=progress)


def evaluate(
    queries_path: Path | str | None = None,
    qrels_path: Path | str | None = None,
    corpus_paths: Sequence[Path | str] | None = None,
    modes: Sequence[str] = MODES,
    data_dir: Path | str | None = None,
    k: int = 10,
    model: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    embedder: Embedder | None = None,
) -> EvalReport:
    """Ingest, run, score: the whole evaluation in one call (defaults: the project's own set and corpus).

    Without `data_dir` the corpus goes into a temporary store removed afterwards,
    so a run never pollutes the service's index; with it, the store is reused
    and incremental ingest only pays for changed files. `progress` is called
    per ingested file, then per query.
    """
    check_modes(modes)
    queries = load_queries(queries_path or DEFAULT_QUERIES)  # read first: a typo must not cost a full ingest
    qrels = load_qrels(qrels_path or DEFAULT_QRELS)
    corpus = [Path(p) for p in (corpus_paths or [DEFAULT_CORPUS])]
    embedder = embedder or Settings.from_env().embedder(model)  # loaded once
    with tempfile.TemporaryDirectory(prefix="procsearch-eval-") as scratch:
        folder = Path(data_dir) if data_dir else Path(scratch) / "data"
        ingest = prepare_store(folder, corpus, embedder, progress)
        with open_collection(data_dir=folder, embedder=embedder) as collection:
            report = run_eval(collection, queries, qrels, modes, k, progress=progress)
    return dataclasses.replace(report, ingest=summarise_ingest(ingest))
