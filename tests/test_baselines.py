"""Plain baselines (eval/baselines.py, eval/windows.py) on a tiny corpus made here, and their CLI rows."""

import json

import numpy as np
import pytest

from eval.baselines import BASELINES, fuse, rank, run_baselines
from eval.beir import Query
from eval.windows import WINDOW_WORDS, Windows, load_windows, split_words, window_vectors
from service.cli import main

FILLER = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore"


@pytest.fixture
def tiny_corpus(tmp_path):
    """Two French and two English documents; the answer to each query sits in one of them only."""
    corpus = tmp_path / "corpus"
    (corpus / "fr").mkdir(parents=True)
    (corpus / "en").mkdir(parents=True)
    (corpus / "fr" / "retenue.md").write_text(
        "# Retenue de garantie\n\nLe marché peut prévoir une retenue de garantie prélevée sur les acomptes, "
        "remplacée au gré du titulaire par une garantie à première demande.\n",
        encoding="utf-8",
    )
    (corpus / "fr" / "lots.md").write_text(
        "# Allotissement\n\nLe pouvoir adjudicateur passe le marché en lots séparés afin de susciter la plus "
        "large concurrence entre les entreprises.\n",
        encoding="utf-8",
    )
    (corpus / "en" / "debarment.md").write_text(
        "# Debarment\n\nThe debarring official may debar a contractor convicted of fraud in obtaining a public "
        "contract.\n",
        encoding="utf-8",
    )
    (corpus / "en" / "shuttles.md").write_text(
        "# Board minutes\n\nThe board awarded the contract for battery electric shuttle buses to the lowest "
        "responsive bidder.\n",
        encoding="utf-8",
    )
    return corpus


QUERIES = [
    Query("q1", "retenues de garanties sur les marchés", "fr", ("fr",)),  # plural forms: the stemmer's job
    Query("q2", "lots séparés", "fr", ("fr",)),
    Query("q3", "debarring contractors for frauds", "en", ("en",)),
    Query("q4", "which vendor was awarded the electric shuttle bus contract", "en", ("en",)),
]
QRELS = {"q1": {"fr/retenue.md": 2}, "q2": {"fr/lots.md": 2}, "q3": {"en/debarment.md": 2}, "q4": {"en/shuttles.md": 2}}


@pytest.mark.unit
def test_windows_are_plain_consecutive_runs_of_220_words():
    words = [f"w{i}" for i in range(2 * WINDOW_WORDS + 5)]
    windows = split_words("\n".join(words))
    assert [len(w.split()) for w in windows] == [WINDOW_WORDS, WINDOW_WORDS, 5]
    assert windows[1].split()[0] == f"w{WINDOW_WORDS}"
    assert split_words("   \n ") == []


@pytest.mark.unit
def test_a_document_scores_its_best_window_not_the_sum_of_its_windows():
    windows = Windows(sources=("a", "b"), starts=np.array([0, 3]), texts=("x",) * 4, key="k")
    scores = windows.best_per_document(np.array([0.5, 2.0, 1.0, 1.5]))
    assert scores.tolist() == [2.0, 1.5]  # a sum would give a 3.5


@pytest.mark.unit
def test_rrf_weighs_every_list_equally_and_favours_agreement():
    fused = fuse([[1, 2, 3], [2, 4], [5, 2]])
    assert fused[0] == 2  # second, first and second: ahead of every list's own winner
    assert fuse([[1, 2], [2, 1]]) == (1, 2)  # a tie keeps document order: runs repeat
    assert rank(np.array([0.0, 3.0, 1.0]), positive_only=True) == (1, 2)


@pytest.mark.integration
def test_each_baseline_finds_the_answers_of_a_tiny_corpus(tmp_path, tiny_corpus, embedder):
    reports = {
        r.mode: r for r in run_baselines(QUERIES, QRELS, [tiny_corpus], embedder, k=10, cache_dir=tmp_path / "cache")
    }
    assert tuple(reports) == BASELINES
    first = {mode: {q.query_id: q.first_relevant_rank for q in r.queries} for mode, r in reports.items()}
    assert first["bm25-fr"]["q1"] == 1 and first["bm25-fr"]["q2"] == 1  # French stemming: retenues → retenu
    assert first["bm25-en"]["q3"] == 1  # English stemming: debarring → debar, frauds → fraud
    assert first["dense-exact"]["q4"] == 1
    assert all(rank == 1 for rank in first["rrf"].values())
    subsets = {b.subset for b in reports["rrf"].breakdowns}
    assert {"all", "en", "fr"} <= subsets
    assert reports["rrf"].breakdowns[0].ndcg == pytest.approx(1.0)


@pytest.mark.integration
def test_windows_and_vectors_are_cached_by_corpus_content_and_model(tmp_path, tiny_corpus, embedder):
    cache = tmp_path / "cache"
    windows = load_windows([tiny_corpus], cache)
    vectors = window_vectors(windows, embedder, cache)
    assert len(list(cache.glob("windows-*.json.gz"))) == 1 and len(list(cache.glob("vectors-*.npy"))) == 1
    assert vectors.shape == (len(windows.texts), embedder.dimension)
    np.save(next(cache.glob("vectors-*.npy")), np.full_like(vectors, 7.0))  # a cache hit must not re-encode
    assert float(window_vectors(load_windows([tiny_corpus], cache), embedder, cache)[0, 0]) == 7.0
    (tiny_corpus / "fr" / "lots.md").write_text("# Allotissement\n\nUn autre texte.\n", encoding="utf-8")
    changed = load_windows([tiny_corpus], cache)
    assert changed.key != windows.key and len(list(cache.glob("windows-*.json.gz"))) == 2


@pytest.mark.integration
def test_the_eval_command_prints_baselines_beside_the_modes(tmp_path, tiny_corpus, capsys, monkeypatch):
    monkeypatch.setenv("PROCSEARCH_BASELINE_CACHE", str(tmp_path / "cache"))
    queries, qrels = tmp_path / "queries.jsonl", tmp_path / "qrels.tsv"
    queries.write_text(
        "".join(
            json.dumps({"_id": q.id, "text": q.text, "metadata": {"language": q.language}}) + "\n" for q in QUERIES
        ),
        encoding="utf-8",
    )
    qrels.write_text(
        "query-id\tcorpus-id\tscore\n"
        + "".join(f"{q}\t{d}\t{g}\n" for q, judged in QRELS.items() for d, g in judged.items()),
        encoding="utf-8",
    )
    code = main(
        [
            "--data",
            str(tmp_path / "data"),
            "eval",
            "--queries",
            str(queries),
            "--qrels",
            str(qrels),
            "--corpus",
            str(tiny_corpus),
            "--mode",
            "lexical",
            "--baselines",
        ]
    )
    assert code == 0
    rows = [line.split()[:2] for line in capsys.readouterr().out.splitlines()]
    modes = {row[0] for row in rows if len(row) == 2 and row[1] == "all"}
    assert modes == {"lexical", *BASELINES}


@pytest.mark.integration
def test_an_interrupted_encoding_resumes_from_its_saved_batches(tmp_path, tiny_corpus, embedder):
    cache = tmp_path / "cache"
    windows = load_windows([tiny_corpus], cache)
    first = window_vectors(windows, embedder, cache)
    final = next(cache.glob("vectors-*.npy"))
    assert not list(cache.glob("*.batches"))  # joined and removed once complete
    final.unlink()  # as if the run had stopped after its first batch
    batches = final.with_name(final.stem + ".batches")
    batches.mkdir()
    np.save(batches / "00000000.npy", np.full_like(first, 7.0))
    assert float(window_vectors(windows, embedder, cache)[0, 0]) == 7.0


@pytest.mark.unit
def test_without_a_model_the_bm25_lists_are_fused_under_their_own_name(tmp_path, tiny_corpus):
    reports = run_baselines(QUERIES, QRELS, [tiny_corpus], None, cache_dir=tmp_path / "cache")
    assert [r.mode for r in reports] == ["bm25-fr", "bm25-en", "rrf-bm25"]
