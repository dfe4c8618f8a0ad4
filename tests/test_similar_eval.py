"""The precedent-pairs evaluation reads the judged pairs and scores similar_documents on a real store."""

from pathlib import Path

import pytest
from conftest import make_pdf

from eval.similar import DEFAULT_PAIRS, evaluate_similar, load_pairs
from index.indexer import ingest_paths


@pytest.mark.unit
def test_bundled_pairs_are_well_formed():
    pairs = load_pairs(DEFAULT_PAIRS)
    assert sum(len(v) for v in pairs.values()) >= 15
    assert all(grade in (1, 2) for judged in pairs.values() for grade in judged.values())


@pytest.mark.integration
def test_evaluate_similar_on_a_small_store(edge_collection, tmp_path: Path):
    root = tmp_path / "docs"
    root.mkdir()
    catering = "School catering tender: organic fruit and vegetables, award criteria price 40 % and quality. "
    make_pdf(root / "rfp-catering-2024.pdf", [catering * 8], title="RFP school catering 2024")
    make_pdf(root / "itt-catering-2019.pdf", [catering.replace("40", "50") * 8], title="ITT school catering 2019")
    (root / "buses.txt").write_text("Battery-electric buses and depot chargers. " * 30, encoding="utf-8")
    ingest_paths(edge_collection, [root], workers=0)
    pairs_file = tmp_path / "pairs.tsv"
    pairs_file.write_text(
        "document\tsimilar\tscore\nrfp-catering-2024.pdf\titt-catering-2019.pdf\t2\n", encoding="utf-8"
    )
    report = evaluate_similar(edge_collection, load_pairs(pairs_file))
    assert report.documents == 1 and report.ndcg_at_5 == 1.0 and not report.missing
