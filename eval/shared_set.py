"""The real-documents set: the project's questions, judged against ../shared/corpus.

The bundled set (eval/queries.jsonl) measures retrieval on the project's own 52
documents; PIAF measures French retrieval outside procurement. Neither says how
search behaves on the real French and US procurement documents that sit in
../shared/corpus (about 3,900 files: French law article by article, French
guides, US regulation, US tenders and minutes), where most of a question's
candidates are in the other language. This set does: its questions were written
and judged by the project (eval/shared/README.md); the documents stay in
../shared and are never copied into the repository.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from eval.baselines import add_baselines
from eval.beir import Query, load_qrels, load_queries, write_queries
from eval.run import ROOT, EvalReport, evaluate
from ingest.vocabulary import MODES
from service.settings import Settings

SET_DIR = ROOT / "eval" / "shared"
DEFAULT_CORPUS = Settings.from_env().shared_dir / "corpus"  # ../shared unless PROCSEARCH_SHARED says
HALVES = ("tune", "test")  # each query's `half` field, fixed once before any tuning (eval/shared/README.md)


def select_half(queries: Sequence[Query], half: str | None) -> list[Query]:
    """The queries of one half (all of them for None); ValueError for an unknown half."""
    if half is None:
        return list(queries)
    if half not in HALVES:
        raise ValueError(f"unknown half '{half}': use one of {', '.join(HALVES)}")
    return [q for q in queries if q.metadata.get("half") == half]


def find_shared_corpus(corpus: Path | str | None = None) -> Path:
    """The corpus folder the set is judged against; FileNotFoundError saying where it looked."""
    folder = Path(corpus) if corpus else DEFAULT_CORPUS
    if not (folder / "code-marches-publics").is_dir() or not (folder / "us-far").is_dir():
        raise FileNotFoundError(
            f"the shared corpus was not found at {folder.resolve()} (it ships in "
            "../shared/corpus beside the repository; --corpus DIR points elsewhere)"
        )
    return folder


def evaluate_shared(
    modes: Sequence[str] = MODES,
    corpus: Path | str | None = None,
    data_dir: Path | str | None = None,
    k: int = 10,
    model: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    embedder=None,
    half: str | None = None,
    baselines: bool = False,
) -> EvalReport:
    """Ingest ../shared/corpus (or reuse `data_dir`'s store) and score the set on it.

    Ingesting the whole corpus takes many minutes on a small machine: pass `data_dir`
    (the CLI's --reuse-data) to ingest once and re-score in seconds. `half` keeps
    the tuning or the test half; `baselines` adds the plain baselines' rows.
    """
    queries = select_half(load_queries(SET_DIR / "queries.jsonl"), half)  # before the slow part: a typo fails fast
    qrels = load_qrels(SET_DIR / "qrels.tsv")
    folder = find_shared_corpus(corpus)
    embedder = embedder or Settings.from_env().embedder(model)
    with tempfile.TemporaryDirectory(prefix="procsearch-shared-") as scratch:
        queries_path = Path(scratch) / "queries.jsonl"
        write_queries(queries_path, queries)
        report = evaluate(
            queries_path,
            SET_DIR / "qrels.tsv",
            [folder],
            modes,
            data_dir=data_dir,
            k=k,
            progress=progress,
            embedder=embedder,
        )
    if baselines:
        report = add_baselines(report, queries, qrels, [folder], embedder, k=k, progress=progress)
    return report
