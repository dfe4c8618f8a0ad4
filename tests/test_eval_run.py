"""The evaluation harness end to end: a real store, the real search, a tiny judged corpus.

Nothing is mocked: the point of the harness is to measure `index.search.search`
as users get it, so the test ingests files into Qdrant Edge and searches them.
"""

import json
from pathlib import Path

import pytest
from conftest import SHARED

from eval.beir import Query, load_qrels, load_queries, write_qrels, write_queries
from eval.piaf import prepare_piaf
from eval.run import EvalReport, evaluate, format_table, judged_ranking, match_keys, report_to_dict, run_eval
from index.collection import open_collection
from index.indexer import ingest_paths
from ingest.ids import document_id

MODES = ("hybrid", "dense", "lexical")

DOCUMENTS = {
    "fr/nettoyage-locaux.md": (
        "# Marché de nettoyage des locaux municipaux\n\n"
        "Le présent marché porte sur le nettoyage des bureaux, des écoles et des gymnases de la commune. "
        "Les produits d'entretien utilisés doivent porter l'Écolabel européen ou un label équivalent. "
        "Le titulaire assure le nettoyage quotidien des sanitaires et le lavage des vitres chaque trimestre."
    ),
    "fr/restauration-scolaire.txt": (
        "Restauration scolaire durable\n\n"
        "La cantine des écoles primaires sert 1 200 repas par jour. Conformément à la loi EGalim, 50 % des "
        "produits sont durables et de qualité, dont 20 % issus de l'agriculture biologique. Un menu végétarien "
        "est proposé chaque semaine et le gaspillage alimentaire est mesuré."
    ),
    "fr/offre-anormalement-basse.md": (
        "# Détecter une offre anormalement basse\n\n"
        "Lorsqu'une offre paraît anormalement basse, l'acheteur demande par écrit des précisions sur le prix "
        "proposé. Il ne peut rejeter l'offre qu'après avoir examiné les justifications du candidat."
    ),
    "en/electric-buses.md": (
        "# Battery electric buses\n\n"
        "The transit authority will purchase twenty battery electric buses with depot charging equipment. "
        "Bidders must state the battery capacity, the range in winter conditions and the charging time."
    ),
    "en/refurbished-laptops.txt": (
        "Request for quotation: refurbished laptops\n\n"
        "The council seeks 300 refurbished laptops for schools, with a three-year warranty, replaceable "
        "batteries and certified data wiping of the previous owner's drives."
    ),
    "en/fairtrade-coffee.md": (
        "# Fairtrade coffee and tea supply\n\n"
        "Supply of Fairtrade certified coffee beans and tea bags to council offices and meeting rooms, "
        "delivered monthly in recyclable packaging."
    ),
}

QUERIES = [
    Query("q1", "nettoyage des bureaux et des écoles avec des produits écolabellisés", "fr", ("fr",)),
    Query("q2", "battery electric buses with depot charging", "en", ("en",)),
    Query("q3", "ordinateurs portables reconditionnés pour les écoles", "fr", ("en",), cross_lingual=True),
    Query("q4", "Fairtrade coffee and tea for council offices", "en", ("en",)),
    Query("q5", "a query nobody judged", "en", ("en",)),
]
# Each relevant document is named a different way, as qrels files in the wild do.
QRELS = {
    "q1": {"docs/fr/nettoyage-locaux.md": 2},  # full source
    "q2": {"electric-buses": 1},  # file stem
    "q3": {"en/refurbished-laptops.txt": 1},  # source without the ingested folder's name
    "q4": {document_id("docs/en/fairtrade-coffee.md"): 1},  # document id
}
OBVIOUS = ("q1", "q2", "q4")


def write_corpus(root: Path) -> Path:
    folder = root / "docs"
    for relative, text in DOCUMENTS.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def report(tmp_path_factory, embedder) -> EvalReport:
    root = tmp_path_factory.mktemp("eval")
    corpus = write_corpus(root)
    with open_collection(data_dir=root / "data", create=True, embedder=embedder) as collection:
        ingested = ingest_paths(collection, [corpus], workers=0)
        assert ingested.ok and len(ingested.added) == len(DOCUMENTS)
        return run_eval(collection, QUERIES, QRELS, modes=MODES, k=10)


@pytest.mark.integration
def test_report_structure(report):
    assert report.k == 10
    assert report.documents == len(DOCUMENTS)
    assert report.skipped == ("q5",)
    assert [m.mode for m in report.modes] == list(MODES)
    for mode in report.modes:
        subsets = {b.subset: b for b in mode.breakdowns}
        assert list(subsets)[0] == "all"
        assert {"all", "fr", "en", "cross-lingual", "same-language"} <= set(subsets)
        assert subsets["all"].n == 4 and subsets["fr"].n == 2 and subsets["cross-lingual"].n == 1
        assert [q.query_id for q in mode.queries] == ["q1", "q2", "q3", "q4"]
        assert all(0.0 <= b.ndcg <= 1.0 and b.p50_ms > 0 for b in mode.breakdowns)
        assert all(q.ndcg == 0 for q in mode.failed)


@pytest.mark.integration
def test_hybrid_finds_the_obvious_answers(report):
    hybrid = next(m for m in report.modes if m.mode == "hybrid")
    by_id = {q.query_id: q for q in hybrid.queries}
    for query_id in OBVIOUS:
        # in a six-document corpus the glossary's cross-language source can lift one document of the other
        # language above the obvious answer; the answer must still lead or follow it
        assert by_id[query_id].ndcg >= 0.6, (query_id, by_id[query_id].top)
        assert by_id[query_id].first_relevant_rank <= 2
    assert not [q for q in hybrid.failed if q.query_id in OBVIOUS]
    # six documents: whatever the rank, the cross-lingual answer is inside the top 10
    assert by_id["q3"].recall == 1.0


@pytest.mark.integration
def test_table_and_json(report):
    table = format_table(report).splitlines()
    assert table[0].split()[:4] == ["mode", "subset", "n", "nDCG@10"]
    assert set(table[1]) <= {"-", " "}
    assert len(table) == 2 + sum(len(m.breakdowns) for m in report.modes)
    assert table[2].split()[:3] == ["hybrid", "all", "4"]
    data = json.loads(json.dumps(report_to_dict(report)))
    assert data["modes"][0]["breakdowns"][0]["subset"] == "all"


@pytest.mark.unit
def test_match_keys_and_judged_ranking():
    keys = match_keys("abc123", "documents/fr/guides/x.pdf")
    assert keys == ("abc123", "documents/fr/guides/x.pdf", "fr/guides/x.pdf", "x")
    assert match_keys("abc123", None) == ("abc123",)
    # two formats of one document share a stem: both map to the judged id, the metric counts it once
    documents = [("d1", "docs/x.md"), ("d2", "docs/y.md"), ("d3", "docs/x.pdf")]
    assert judged_ranking(documents, {"x": 1}) == ["x", "d2", "x"]
    # the most specific key wins when a qrels file names a document twice
    assert judged_ranking([("d1", "docs/x.md")], {"x": 1, "docs/x.md": 2}) == ["docs/x.md"]


@pytest.mark.unit
def test_beir_round_trip_and_errors(tmp_path):
    write_queries(tmp_path / "q.jsonl", QUERIES)
    write_qrels(tmp_path / "qrels.tsv", QRELS)
    loaded = load_queries(tmp_path / "q.jsonl")
    assert [q.id for q in loaded] == [q.id for q in QUERIES]
    assert loaded[2].cross_lingual and loaded[2].answer_languages == ("en",) and loaded[2].language == "fr"
    assert load_qrels(tmp_path / "qrels.tsv") == QRELS
    # cross_lingual is derived from the languages when the metadata does not say
    (tmp_path / "derived.jsonl").write_text(
        '{"_id": "a", "text": "x", "metadata": {"language": "en", "answer_languages": ["fr"]}}\n\n', encoding="utf-8"
    )
    assert load_queries(tmp_path / "derived.jsonl")[0].cross_lingual
    (tmp_path / "bad.jsonl").write_text('{"_id": "a", "text": "x"}\n{"text": "no id"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:2"):
        load_queries(tmp_path / "bad.jsonl")
    (tmp_path / "bad.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\thigh\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.tsv:2"):
        load_qrels(tmp_path / "bad.tsv")


@pytest.mark.integration
def test_evaluate_ingests_into_a_scratch_store(tmp_path, embedder):
    corpus = write_corpus(tmp_path)
    write_queries(tmp_path / "q.jsonl", QUERIES)
    write_qrels(tmp_path / "qrels.tsv", QRELS)
    with pytest.raises(ValueError, match="unknown mode"):
        evaluate(tmp_path / "q.jsonl", tmp_path / "qrels.tsv", [corpus], modes=("fuzzy",))
    report = evaluate(tmp_path / "q.jsonl", tmp_path / "qrels.tsv", [corpus], modes=("lexical",), embedder=embedder)
    assert report.ingest["added"] == len(DOCUMENTS) and report.documents == len(DOCUMENTS)
    assert [m.mode for m in report.modes] == ["lexical"]
    assert not (tmp_path / "data").exists()


@pytest.mark.unit
def test_prepare_piaf_reports_where_it_looked(tmp_path):
    with pytest.raises(FileNotFoundError, match="spf_qr_test.json"):
        prepare_piaf(tmp_path / "nowhere", tmp_path / "out")


@pytest.mark.unit
def test_prepare_piaf(tmp_path):
    if not (SHARED / "eval" / "piaf").is_dir():
        pytest.skip(f"PIAF benchmark absent: {SHARED / 'eval' / 'piaf'} does not exist")
    corpus, queries_path, qrels_path = prepare_piaf(SHARED, tmp_path)
    sheets = json.loads((SHARED / "eval" / "piaf" / "spf_qr_test.json").read_text(encoding="utf-8"))["data"]
    stems = {p.stem for p in corpus.glob("*.txt")}
    assert len(sheets) == 530 and {s["title"] for s in sheets} <= stems
    queries, qrels = load_queries(queries_path), load_qrels(qrels_path)
    assert len(queries) == 535 and all(q.language == "fr" and not q.cross_lingual for q in queries)
    # every question has its sheet in the corpus: the five sheets missing from spf_qr_test.json come from the
    # question rows, so 535 files in all
    assert len(stems) == 535
    assert all(len(judged) == 1 and set(judged) <= stems for judged in qrels.values())
    assert set(qrels) == {q.id for q in queries}
