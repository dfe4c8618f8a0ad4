"""Oversized documents are indexed up to a limit, in bounded memory, and the summary says what was left out.

The fast tests lower the limits (module constants read at call time); the slow one ingests a real
100 MB text file and a real 2,000-page PDF in a subprocess and reads its peak memory.
"""

import hashlib
import json
import subprocess
import sys

import pytest
from conftest import ROOT, make_pdf

from index.indexer import ingest_paths
from ingest import limits
from ingest.limits import cap_pages
from ingest.pipeline import parse_file

LINE = "Le titulaire du marché respecte les clauses sociales et environnementales du cahier des charges.\n"


@pytest.mark.unit
def test_cap_pages_cuts_the_page_that_crosses_the_budget():
    pages, warning = cap_pages(["a" * 10, "b" * 10, "c" * 10], budget=15)
    assert pages == ["a" * 10, "b" * 5] and "page 2 of 3" in warning
    assert cap_pages(["a" * 10], budget=15) == (["a" * 10], None)


@pytest.mark.unit
def test_oversized_text_file_is_read_up_to_its_head(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TEXT_FILE_BYTES", 20_000)
    path = tmp_path / "journal.txt"
    path.write_text(LINE * 2_000, encoding="utf-8")
    parsed = parse_file(path, "journal.txt")
    assert any(w.startswith("file truncated") for w in parsed.warnings), parsed.warnings
    text = "\n".join(p.text for p in parsed.pages)
    assert 15_000 < len(text) <= 20_000 and text.rstrip().endswith("charges.")  # cut at a line end
    assert parsed.document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert parsed.document.size == path.stat().st_size


@pytest.mark.unit
def test_pdf_pages_past_the_text_budget_are_not_extracted(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TEXT_CHARS", 3_000)
    path = make_pdf(tmp_path / "compilation.pdf", [f"Article {n}. " + LINE * 8 for n in range(1, 11)])
    parsed = parse_file(path, "compilation.pdf")
    assert parsed.document.pages < 10
    assert any("pages" in w and "not indexed" in w for w in parsed.warnings), parsed.warnings


@pytest.mark.unit
def test_chunk_cap_keeps_the_first_passages_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_CHUNKS_PER_DOCUMENT", 3)
    path = tmp_path / "long.md"
    path.write_text("\n\n".join(f"## Article {n}\n\n" + LINE * 30 for n in range(12)), encoding="utf-8")
    parsed = parse_file(path, "long.md")
    assert [c.index for c in parsed.chunks] == [0, 1, 2]
    assert any("passage limit reached" in w for w in parsed.warnings)


@pytest.mark.integration
def test_warnings_reach_the_ingest_summary(tmp_path, monkeypatch, edge_collection):
    monkeypatch.setattr(limits, "MAX_CHUNKS_PER_DOCUMENT", 2)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "long.md").write_text("\n\n".join(f"## Article {n}\n\n" + LINE * 30 for n in range(6)), encoding="utf-8")
    report = ingest_paths(edge_collection, [docs], workers=0)
    assert report.added == ["docs/long.md"] and report.chunks == 2
    assert [source for source, _ in report.warnings] == ["docs/long.md"]


PEAK = """
import json, resource, sys
from pathlib import Path
from ingest.pipeline import parse_file
parsed = parse_file(Path(sys.argv[1]), Path(sys.argv[1]).name)
print(json.dumps({"chunks": len(parsed.chunks), "pages": parsed.document.pages, "warnings": parsed.warnings,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


@pytest.mark.slow
def test_100_mb_text_and_2000_page_pdf_parse_in_bounded_memory(tmp_path):
    text = tmp_path / "export.txt"
    with text.open("w", encoding="utf-8") as handle:
        for _ in range(100_000_000 // len(LINE.encode())):
            handle.write(LINE)
    pdf = make_pdf(tmp_path / "recueil.pdf", [f"Article {n}. " + LINE * 12 for n in range(2_000)])
    results = {}
    for path in (text, pdf):
        out = subprocess.run(
            [sys.executable, "-c", PEAK, str(path)], cwd=ROOT, capture_output=True, text=True, check=True
        )
        results[path.name] = json.loads(out.stdout)
    print(results)
    assert results["recueil.pdf"]["pages"] == 2_000 and not results["recueil.pdf"]["warnings"]
    assert results["export.txt"]["warnings"] and results["export.txt"]["chunks"] < limits.MAX_CHUNKS_PER_DOCUMENT
    assert all(r["peak_mb"] < 1_000 for r in results.values()), results
