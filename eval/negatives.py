"""Where "nothing found" starts: the evidence of nonsense and out-of-domain queries against real questions.

For each query, `index.relevance.evidence` gives the best BM25 chunk score of its sparse sources and
its nearest chunk's cosine. The floors of `index.relevance` must empty no real question of the
evaluation sets (eval/queries.jsonl on the bundled corpus, eval/shared/queries.jsonl on the judged
files of ../shared/corpus, a sample of PIAF on its sheets) and as many of eval/negatives.jsonl as
they can. `python -m eval.negatives --data DIR [--shared N] [--piaf N]` prints both sides.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from eval.beir import Query, load_qrels, load_queries
from eval.piaf import prepare_piaf
from eval.run import DEFAULT_CORPUS, DEFAULT_QUERIES, ROOT
from index.collection import Collection, open_collection
from index.indexer import ingest_paths
from index.query_sources import sources
from index.relevance import evidence, nothing_found
from index.search import SearchFilters
from service.settings import Settings

NEGATIVES = ROOT / "eval" / "negatives.jsonl"
SHARED = Settings.from_env().shared_dir


@dataclass(frozen=True)
class Evidence:
    query_id: str
    text: str
    lexical: float
    dense: float
    emptied: bool


def measure(collection: Collection, queries: list[Query], mode: str = "hybrid") -> list[Evidence]:
    out = []
    where = SearchFilters().where()
    for query in queries:
        vector_queries, _ = sources(collection, query.text, mode, score_fusion=True)
        lexical, dense = evidence(collection, vector_queries, where)
        out.append(
            Evidence(
                query.id,
                query.text,
                round(lexical, 3),
                round(dense, 3),
                nothing_found(collection, vector_queries, where),
            )
        )
    return out


def _summary(label: str, rows: list[Evidence]) -> dict[str, object]:
    return {
        "set": label,
        "queries": len(rows),
        "emptied": sum(r.emptied for r in rows),
        "max_dense_without_terms": max((r.dense for r in rows if r.lexical == 0), default=None),
        "min_dense": min((r.dense for r in rows), default=None),
        "min_lexical": min((r.lexical for r in rows), default=None),
        "rows": [r.__dict__ for r in rows],
    }


def _collection(folder: Path, paths: list[Path]) -> Collection:
    collection = open_collection(folder, create=True)
    if collection.store.count(SearchFilters().where("document")) == 0:
        ingest_paths(collection, paths, workers=1)
    return collection


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="scratch folder for the indexes (reused)")
    parser.add_argument(
        "--shared", type=int, default=0, help="also the shared set's questions, on the judged files of its first N"
    )
    parser.add_argument("--piaf", type=int, default=0, help="also the first N PIAF questions, on their sheets")
    args = parser.parse_args()
    report = []
    bundled = _collection(args.data / "bundled", [DEFAULT_CORPUS])
    report += [
        _summary("negatives (bundled corpus)", measure(bundled, load_queries(NEGATIVES))),
        _summary("eval/queries.jsonl", measure(bundled, load_queries(DEFAULT_QUERIES))),
    ]
    bundled.close()
    if args.shared:
        questions = load_queries(ROOT / "eval" / "shared" / "queries.jsonl")[: args.shared]
        qrels = load_qrels(ROOT / "eval" / "shared" / "qrels.tsv")
        judged = sorted({c for q in questions for c in qrels.get(q.id, {})})
        shared = _collection(args.data / "shared", [SHARED / "corpus" / c for c in judged])
        report += [
            _summary("negatives (shared judged files)", measure(shared, load_queries(NEGATIVES))),
            _summary(
                f"eval/shared/queries.jsonl on the judged files of its first {args.shared}",
                measure(shared, load_queries(ROOT / "eval" / "shared" / "queries.jsonl")),
            ),
        ]
        shared.close()
    if args.piaf:
        with tempfile.TemporaryDirectory(prefix="procsearch-negatives-") as scratch:
            corpus, queries_path, qrels_path = prepare_piaf(SHARED, scratch)
            sample = load_queries(queries_path)[: args.piaf]
            qrels = load_qrels(qrels_path)
            sheets = sorted({sheet for q in sample for sheet in qrels[q.id]})
            piaf = _collection(args.data / "piaf", [corpus / f"{s}.txt" for s in sheets])
            report += [
                _summary("negatives (PIAF sample)", measure(piaf, load_queries(NEGATIVES))),
                _summary(f"PIAF first {args.piaf}", measure(piaf, sample)),
            ]
            piaf.close()
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
