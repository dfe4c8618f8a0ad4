"""The real-documents evaluation set (eval/shared): consistent judgements, files that exist, a runnable harness."""

import shutil

import pytest

from eval.beir import load_qrels, load_queries
from eval.piaf import piaf_half, prepare_piaf
from eval.shared_set import DEFAULT_CORPUS, HALVES, SET_DIR, evaluate_shared, select_half
from service.cli import main

# the language of each part of ../shared/corpus (README there); the set judges no TED notice
FOLDER_LANGUAGE = {
    "code-marches-publics": "fr",
    "minumeco": "fr",
    "us-far": "en",
    "us-18f-rfq": "en",
    "us-techfar": "en",
    "us-minutes-denver": "en",
}
QUERIES = load_queries(SET_DIR / "queries.jsonl")
QRELS = load_qrels(SET_DIR / "qrels.tsv")


@pytest.mark.unit
def test_every_query_is_judged_and_its_languages_follow_its_judgements():
    assert len(QUERIES) >= 40 and set(QRELS) == {q.id for q in QUERIES}
    for query in QUERIES:
        judged = QRELS[query.id]
        assert 2 in judged.values(), f"{query.id} has no document that answers it"
        languages = {FOLDER_LANGUAGE[path.split("/", 1)[0]] for path in judged}
        assert sorted(languages) == sorted(query.answer_languages), query.id
        assert query.cross_lingual == (query.language not in languages), query.id


@pytest.mark.unit
def test_both_directions_of_cross_lingual_search_are_covered():
    directions = [q.language for q in QUERIES if q.cross_lingual]
    assert directions.count("fr") >= 12 and directions.count("en") >= 12


@pytest.mark.unit
def test_every_judged_file_exists_in_the_shared_corpus():
    if not DEFAULT_CORPUS.is_dir():
        pytest.skip(f"shared corpus absent: {DEFAULT_CORPUS} does not exist")
    missing = sorted({path for judged in QRELS.values() for path in judged if not (DEFAULT_CORPUS / path).is_file()})
    assert not missing


@pytest.mark.integration
def test_the_set_runs_end_to_end_on_its_judged_files(tmp_path, embedder):
    """A corpus of the judged files of four queries (two cross-lingual), laid out as ../shared/corpus."""
    if not DEFAULT_CORPUS.is_dir():
        pytest.skip(f"shared corpus absent: {DEFAULT_CORPUS} does not exist")
    chosen = ("s020", "s031", "s041", "s011")
    corpus = tmp_path / "corpus"
    for query_id in chosen:
        for path in QRELS[query_id]:
            (corpus / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(DEFAULT_CORPUS / path, corpus / path)
    (corpus / "us-far").mkdir(exist_ok=True)
    report = evaluate_shared(modes=("hybrid",), corpus=corpus, data_dir=tmp_path / "data", embedder=embedder)
    results = {r.query_id: r for r in report.modes[0].queries}
    for query_id in chosen:  # on so small a corpus each finds a judged document first
        assert results[query_id].first_relevant_rank == 1, (query_id, results[query_id].top)


@pytest.mark.integration
def test_a_missing_shared_corpus_is_one_line_and_a_non_zero_exit(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "data"), "eval", "--shared", "--corpus", str(tmp_path / "nowhere")]) == 1
    error = capsys.readouterr().err
    assert error.startswith("procsearch: error: the shared corpus was not found") and error.count("\n") == 1


# --------------------------------------------------------------------------- the 150-question set and its halves


def direction(query):
    return f"{query.language}-{'cross' if query.cross_lingual else 'same'}"


@pytest.mark.unit
def test_the_set_covers_both_directions_styles_and_kinds_of_answer():
    assert len(QUERIES) >= 150
    directions = [direction(q) for q in QUERIES]
    for name in ("fr-same", "fr-cross", "en-same", "en-cross"):
        assert directions.count(name) >= 30, name
    styles = [q.style for q in QUERIES]
    assert styles.count("keyword") >= 25 and styles.count("helpdesk") >= 15
    assert sum(1 for q in QUERIES if q.style == "keyword" and len(q.text.split()) <= 3) >= 10  # 2-3 word searches
    kinds = {q.metadata.get("answer_type") for q in QUERIES}
    assert {"law", "guide", "tender", "minutes"} <= kinds


@pytest.mark.unit
def test_every_query_has_a_fixed_half_and_the_halves_are_balanced():
    halves = [q.metadata.get("half") for q in QUERIES]
    assert set(halves) == set(HALVES)
    assert abs(halves.count("tune") - halves.count("test")) <= 1
    for key in {direction(q) for q in QUERIES} | {q.style for q in QUERIES}:
        group = [q.metadata["half"] for q in QUERIES if key in (direction(q), q.style)]
        assert abs(group.count("tune") - group.count("test")) <= 2, key


@pytest.mark.unit
def test_select_half_keeps_one_half_and_rejects_a_typo():
    test = select_half(QUERIES, "test")
    assert test and all(q.metadata["half"] == "test" for q in test)
    assert len(test) + len(select_half(QUERIES, "tune")) == len(QUERIES)
    assert select_half(QUERIES, None) == QUERIES
    with pytest.raises(ValueError, match="unknown half"):
        select_half(QUERIES, "train")


@pytest.mark.unit
def test_piaf_is_split_in_file_order_first_half_to_tune():
    assert [piaf_half(n, 535) for n in (1, 268, 269, 535)] == ["tune", "tune", "test", "test"]
    assert [piaf_half(n, 4) for n in (1, 2, 3, 4)] == ["tune", "tune", "test", "test"]


@pytest.mark.unit
def test_prepare_piaf_writes_only_the_requested_half(tmp_path):
    piaf = DEFAULT_CORPUS.parent / "eval" / "piaf"
    if not piaf.is_dir():
        pytest.skip(f"PIAF benchmark absent: {piaf} does not exist")
    _, queries_path, qrels_path = prepare_piaf(DEFAULT_CORPUS.parent, tmp_path / "test", half="test")
    test = load_queries(queries_path)
    assert test[0].id == "piaf-269" and {q.metadata["half"] for q in test} == {"test"}
    assert set(load_qrels(qrels_path)) == {q.id for q in test}
    _, tune_path, _ = prepare_piaf(DEFAULT_CORPUS.parent, tmp_path / "tune", half="tune")
    assert len(load_queries(tune_path)) + len(test) == 535


@pytest.mark.unit
def test_half_is_refused_outside_the_split_sets(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "data"), "eval", "--half", "test"]) == 2
    assert "--half" in capsys.readouterr().err
