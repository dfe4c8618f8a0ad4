"""Front matter whose metadata would be huge once stored is refused with the reason (issue 15, item 10)."""

from __future__ import annotations

import pytest

from index.indexer import ingest_paths
from ingest.errors import IngestError
from ingest.metadata import MAX_METADATA_CHARS, metadata_exceeds
from ingest.pipeline import parse_file

# 289 bytes of YAML; its aliases expand to 9**6 strings (over 3 MB of JSON) when written out
BOMB = """---
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
---
# Avis de marché

Nettoyage des locaux communautaires : le marché est conclu pour trois ans.
"""


@pytest.mark.unit
def test_metadata_size_is_counted_as_written_and_stops_early():
    assert not metadata_exceeds({"buyer": "Pays de Rance", "themes": ["insertion", "nettoyage"]})
    assert metadata_exceeds({"notes": "x" * (MAX_METADATA_CHARS + 1)})
    shared = ["lol"] * 9
    for _ in range(20):  # 9**20 leaves: counting must stop at the budget, not walk them all
        shared = [shared] * 9
    assert metadata_exceeds({"bomb": shared})


@pytest.mark.unit
def test_an_alias_bomb_in_front_matter_fails_the_file_with_its_reason(tmp_path):
    path = tmp_path / "avis.md"
    path.write_text(BOMB, encoding="utf-8")
    with pytest.raises(IngestError, match="front matter too large"):
        parse_file(path, "avis.md")
    fine = tmp_path / "fine.md"
    fine.write_text("---\ntitle: Avis\nbuyer: Pays de Rance\n---\n# Avis\n\nNettoyage des locaux.\n", encoding="utf-8")
    assert parse_file(fine, "fine.md").document.extra == {"buyer": "Pays de Rance"}


@pytest.mark.integration
def test_ingest_reports_the_bomb_as_failed_and_keeps_the_rest(tmp_path, edge_collection):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "avis.md").write_text(BOMB, encoding="utf-8")
    (docs / "ok.txt").write_text("Le marché de nettoyage est attribué pour trois ans.", encoding="utf-8")
    report = ingest_paths(edge_collection, [docs], workers=0)
    assert report.added == ["docs/ok.txt"]
    assert [(source, "front matter too large" in reason) for source, reason in report.failed] == [
        ("docs/avis.md", True)
    ]
