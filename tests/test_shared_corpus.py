"""Every real file of ../shared/corpus and ../shared/pdf-samples: walked, then parsed (no embedding).

Slow (a few minutes): run with `make test-all` or `pytest -m slow -s tests/test_shared_corpus.py`.
Each file ends up parsed, skipped (with a reason) or failed (with an IngestError reason); no other
exception may escape, and a failure is only allowed where the file has no extractable text.
"""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest
from conftest import SHARED

from ingest.converters import convert
from ingest.errors import IngestError
from ingest.pipeline import parse_file
from ingest.walk import walk_paths

ROOTS = [SHARED / "corpus", SHARED / "pdf-samples"]
# reasons that mean "there is no text to extract" (scans, encryption, empty files, image-only decks…)
NO_TEXT = re.compile(r"^(no text layer|no text in|encrypted PDF|empty file|PDF has no pages|no visible text)", re.I)
AFTER_CLEANING = "no text after cleaning"  # only fine when the converter's raw text is blank too (checked)
# failures that are known and explained; anything else with text must parse
KNOWN = {
    # broken xref and page tree: poppler's pdftotext gets 0 words out of it too
    "pdf-samples/017-unreadable-meta-data/unreadablemetadata.pdf": "corrupt PDF",
    # 4 pages with the same single line: ingest/clean.py drops it from every page as a running header
    "pdf-samples/015-arabic/habibi-rotated.pdf": "no text after cleaning",
    # its only text is the word "Background" on 4 of 6 image pages (pdftotext finds none): dropped the same way
    "pdf-samples/007-imagemagick-images/imagemagick-images.pdf": "no text after cleaning",
}


def _generic(reason: str) -> str:
    """A reason without its file-specific details, for counting."""
    return re.sub(r"'[^']*'|\([^)]*\)|\d+", "…", reason).strip()


def _blank(source: str, reason: str) -> bool:
    """A document empty after cleaning is fine only if the converter found no letter in it either."""
    if not reason.startswith(AFTER_CLEANING):
        return False
    path = SHARED / source
    return not any(c.isalpha() for page in convert(path, path.read_bytes()).pages for c in page)


@pytest.mark.slow
@pytest.mark.skipif(not all(root.is_dir() for root in ROOTS), reason=f"{SHARED} (corpus, pdf-samples) is absent")
def test_every_shared_file_is_parsed_skipped_or_fails_for_lack_of_text():
    started = time.perf_counter()
    walk = walk_paths(ROOTS)
    on_disk = {p for root in ROOTS for p in root.rglob("*") if p.is_file()}
    walked = {f.path for f in walk.files} | {ROOTS[0].parent / s for s, _ in walk.skipped}
    ignored = {
        p
        for p in on_disk - walked
        if any(part.startswith((".", "_")) for part in p.relative_to(SHARED).parts) or p.name == "catalog.toml"
    }
    assert on_disk - walked == ignored, f"files neither walked nor hidden: {sorted(on_disk - walked - ignored)[:10]}"

    parsed: Counter[str] = Counter()
    chunks = 0
    failed: list[tuple[str, str]] = []
    unexpected: list[tuple[str, str]] = []
    for item in walk.files:
        try:
            result = parse_file(item.path, item.source, item.catalog)
        except IngestError as exc:
            failed.append((item.source, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - the point of the test
            unexpected.append((item.source, f"{type(exc).__name__}: {exc}"))
            continue
        parsed[item.path.suffix.lower()] += 1
        chunks += len(result.chunks)
    elapsed = time.perf_counter() - started

    skipped_by_reason = Counter(_generic(reason) for _, reason in walk.skipped)
    failed_by_reason = Counter(_generic(reason) for _, reason in failed)
    print(
        f"\nshared corpus: {len(on_disk)} files on disk, {len(ignored)} hidden/sidecar, "
        f"{sum(parsed.values())} parsed ({chunks} chunks), {len(walk.skipped)} skipped, {len(failed)} failed, "
        f"{len(unexpected)} unexpected errors, in {elapsed:.0f} s"
    )
    print("parsed by type:", dict(parsed.most_common()))
    print("skipped by reason:", dict(skipped_by_reason.most_common()))
    print("failed by reason:", dict(failed_by_reason.most_common()))
    for source, reason in failed:
        print(f"  failed {source}: {reason}")

    assert not unexpected, f"exceptions other than IngestError escaped: {unexpected[:10]}"
    assert len(walk.files) == sum(parsed.values()) + len(failed)
    assert all(reason for _, reason in walk.skipped + failed), "every skip and failure says why"
    with_text = [
        (s, r) for s, r in failed if not (NO_TEXT.search(r) or r.startswith(KNOWN.get(s, "\0")) or _blank(s, r))
    ]
    assert not with_text, f"files that have text but failed: {with_text}"
    for suffix in (".pdf", ".md", ".mdx", ".txt", ".docx", ".xml", ".pptx"):
        assert parsed[suffix] > 0, f"no {suffix} file parsed"
