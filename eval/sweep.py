"""Sweep the fusion weights over a stored index: the tool behind docs/retrieval-experiments.md.

Weights are chosen on tuning halves only (eval/shared and PIAF), then reported once on the test
halves by `procsearch eval`. The store is opened once and each question is encoded once, so a
grid of settings costs only Qdrant queries:

    python -m eval.sweep --data DIR --set shared --half tune --grid "dense_fr=0.5,1;rrf_k=20,60"

`--set piaf` reads PIAF's questions (the store must hold its sheets: `procsearch eval --piaf
--reuse-data` builds it); `--set bundled` the project's own set, a smoke test never tuned on
(`--half` does not apply to it). Each row is one setting of the grid; columns are nDCG@10 by subset, then Recall@10.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.beir import Qrels, Query, load_qrels, load_queries
from eval.metrics import mean, ndcg_at_k, recall_at_k, relevant_ids
from eval.piaf import prepare_piaf
from eval.run import DEFAULT_QRELS, DEFAULT_QUERIES, DOCUMENTS, judged_ranking, ranked_documents
from eval.shared_set import SET_DIR, select_half
from index.collection import Collection, open_collection
from index.search import search
from index.tuning import Tuning, default_tuning

SUBSETS = ("all", "fr", "en", "same", "cross")
COLUMNS = (*SUBSETS, "R@10")


def parse_grid(text: str) -> list[dict[str, Any]]:
    """`name=v1,v2;other=v3` → every combination, typed like the Tuning field it sets."""
    fields = {f.name: f for f in dataclasses.fields(Tuning)}
    axes: list[tuple[str, list[Any]]] = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, _, values = part.partition("=")
        name = name.strip()
        if name not in fields:
            raise SystemExit(f"unknown weight '{name}': use one of {', '.join(fields)}")
        kind = type(getattr(Tuning(), name))
        if kind is tuple:
            axes.append((name, [tuple(filter(None, v.split("+"))) for v in values.split(",")]))
        else:
            axes.append((name, [kind(v) for v in values.split(",")]))
    return [dict(zip([a[0] for a in axes], combo, strict=True)) for combo in itertools.product(*[a[1] for a in axes])]


def subsets_of(query: Query) -> tuple[str, ...]:
    return ("all", query.language or "?", "cross" if query.cross_lingual else "same")


def score(
    collection: Collection, queries: Sequence[Query], qrels: Qrels, tuning: Tuning, mode: str
) -> dict[str, float]:
    """Mean nDCG@10 per subset for one setting, and Recall@10 over all questions."""
    rows: dict[str, list[float]] = {s: [] for s in SUBSETS}
    recalls: list[float] = []
    for query in queries:
        result = search(collection, query.text, k=DOCUMENTS, mode=mode, tuning=tuning)
        ranking = judged_ranking(ranked_documents(result.documents), qrels[query.id])
        value = ndcg_at_k(ranking, qrels[query.id], 10)
        recalls.append(recall_at_k(ranking, qrels[query.id], 10))
        for subset in subsets_of(query):
            rows.setdefault(subset, []).append(value)
    return {**{s: mean(v) for s, v in rows.items() if v}, "R@10": mean(recalls)}


def load_set(name: str, half: str, scratch: Path) -> tuple[list[Query], Qrels]:
    if name == "bundled":
        return load_queries(DEFAULT_QUERIES), load_qrels(DEFAULT_QRELS)
    if name == "piaf":
        _, queries_path, qrels_path = prepare_piaf(None, scratch, half)
        return load_queries(queries_path), load_qrels(qrels_path)
    qrels = load_qrels(SET_DIR / "qrels.tsv")
    return select_half(load_queries(SET_DIR / "queries.jsonl"), half), qrels


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.sweep", description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a store that holds the set's documents")
    parser.add_argument("--set", choices=("shared", "piaf", "bundled"), default="shared")
    parser.add_argument("--half", choices=("tune", "test"), default="tune")
    parser.add_argument("--mode", default="hybrid")
    parser.add_argument("--model", default=None, help="the store's model when it is not the default")
    parser.add_argument("--grid", default="", help='e.g. "dense_fr=0.5,1;score_fused=fr,none"; empty: defaults')
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="procsearch-sweep-") as scratch:
        queries, qrels = load_set(args.set, args.half, Path(scratch))
    queries = [q for q in queries if relevant_ids(qrels.get(q.id, {}))]
    settings = parse_grid(args.grid) or [{}]
    print(f"{len(queries)} questions ({args.set}, {args.half} half), mode {args.mode}")
    print("\t".join([*COLUMNS, "setting"]))
    with open_collection(data_dir=args.data, model=args.model) as collection:
        for setting in settings:
            tuning = dataclasses.replace(default_tuning(args.mode, collection.embedder.name), **setting)
            figures = score(collection, queries, qrels, tuning, args.mode)
            cells = [f"{figures[s]:.3f}" if s in figures else "-" for s in COLUMNS]
            print("\t".join([*cells, " ".join(f"{k}={v}" for k, v in setting.items()) or "defaults"]), flush=True)


if __name__ == "__main__":
    main()
