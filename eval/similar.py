"""Evaluate `/v1/documents/{id}/similar` on judged precedent pairs.

Each judged document is a query; its judged precedents are the relevant
answers (grade 2: same purchase or its other tender documents; 1: the award
minutes or a neighbouring purchase). Same metrics as retrieval, at k = 5.

Two sets (eval/README.md says how each was judged): eval/similar.tsv on the
bundled corpus, and eval/similar_shared.tsv on TED eForms notices and 18F
tenders of ../shared/corpus (with one bundled tender), scored when that
corpus is beside the project.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from eval.metrics import mean, ndcg_at_k, recall_at_k
from eval.run import judged_ranking
from index.collection import Collection
from index.similar import similar_documents

DEFAULT_PAIRS = Path(__file__).with_name("similar.tsv")
SHARED_PAIRS = Path(__file__).with_name("similar_shared.tsv")
SHARED_CORPUS = Path(os.environ.get("PROCSEARCH_SHARED") or Path(__file__).parents[1].parent / "shared") / "corpus"
SHARED_FOLDERS = ("ted-notices", "us-18f-rfq")  # the eForms notices and the 18F tenders the shared pairs name


@dataclass(frozen=True)
class SimilarReport:
    pairs: int
    documents: int
    ndcg_at_5: float
    recall_at_5: float
    missing: tuple[str, ...]


def load_pairs(path: Path = DEFAULT_PAIRS) -> dict[str, dict[str, int]]:
    """document → {similar document: grade}, from a TSV with header `document similar score`."""
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    pairs: dict[str, dict[str, int]] = {}
    for row in rows:
        pairs.setdefault(row["document"], {})[row["similar"]] = int(row["score"])
    return pairs


def evaluate_similar(collection: Collection, pairs: dict[str, dict[str, int]], k: int = 5) -> SimilarReport:
    by_key = {}
    for record in collection.documents():
        for key in (record.source, record.source.split("/", 1)[-1]):
            by_key[key] = record.document_id
    ndcgs, recalls, missing = [], [], []
    for document, judged in pairs.items():
        if document not in by_key:
            missing.append(document)
            continue
        found = similar_documents(collection, by_key[document], k)
        ranking = judged_ranking([(r.document_id, r.source) for r, _ in found], judged)
        ndcgs.append(ndcg_at_k(ranking, judged, k))
        recalls.append(recall_at_k(ranking, judged, k))
    return SimilarReport(
        sum(len(j) for j in pairs.values()), len(ndcgs), round(mean(ndcgs), 3), round(mean(recalls), 3), tuple(missing)
    )


def main(data_dir: str | None = None) -> None:
    """`python -m eval.similar [DATA_DIR]`: ingest the corpora (or reuse DATA_DIR) and print the figures per set.

    The bundled corpus always; the shared folders too when ../shared is there (its pairs are skipped otherwise).
    """
    import sys
    import tempfile

    from eval.run import DEFAULT_CORPUS, prepare_store
    from index.collection import open_collection

    shared = [SHARED_CORPUS / name for name in SHARED_FOLDERS if (SHARED_CORPUS / name).is_dir()]
    with tempfile.TemporaryDirectory(prefix="procsearch-similar-") as scratch:
        folder = Path(data_dir or (sys.argv[1] if len(sys.argv) > 1 else Path(scratch) / "data"))
        prepare_store(folder, [DEFAULT_CORPUS, *shared])
        sets = {"bundled": load_pairs()}
        if len(shared) == len(SHARED_FOLDERS):
            sets["shared"] = load_pairs(SHARED_PAIRS)
            sets["all"] = {**sets["bundled"], **sets["shared"]}
        with open_collection(data_dir=folder) as collection:
            for name, pairs in sets.items():
                print(name, evaluate_similar(collection, pairs))


if __name__ == "__main__":
    main()
