"""Types and titles on real documents: the judged set in eval/doctypes/ against ../shared/corpus.

Each judged file is parsed exactly as ingestion parses it (`parse_file`, no
embedding), twice over for the type: once under the source path a folder
ingest gives it (`corpus/us-far/...`), once under the bare name an upload
gives it (`uploads/52.204-9.md`), since an uploaded file has no telling
folder. A title is acceptable when it carries most words of one of the
judged titles (`acceptable_title`); see eval/doctypes/README.md for how the
set was judged.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from eval.shared_set import find_shared_corpus
from ingest.errors import IngestError
from ingest.metadata import fold, guess_doc_type
from ingest.pipeline import parse_file

JUDGED = Path(__file__).with_name("doctypes") / "judged.tsv"
TITLE_RECALL = 0.6  # share of a judged title's words the given title must carry
TITLE_MAX_CHARS = 200  # a "title" longer than this is a paragraph, not a title


@dataclass(frozen=True)
class Judged:
    source: str  # relative to the shared corpus folder
    doc_type: str
    titles: tuple[str, ...]  # acceptable titles, any one will do


@dataclass(frozen=True)
class Miss:
    source: str
    expected: str
    got: str


@dataclass
class DoctypeReport:
    documents: int = 0
    types_folder: int = 0  # correct types, ingested from the corpus folder
    types_upload: int = 0  # correct types, uploaded by file name
    titles: int = 0  # acceptable titles
    type_misses: list[Miss] = field(default_factory=list)
    upload_misses: list[Miss] = field(default_factory=list)
    title_misses: list[Miss] = field(default_factory=list)
    failed: list[Miss] = field(default_factory=list)

    def share(self, count: int) -> float:
        return round(count / self.documents, 3) if self.documents else 0.0


def load_judged(path: Path = JUDGED) -> list[Judged]:
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [Judged(r["source"], r["doc_type"], tuple(t.strip() for t in r["title"].split(" || "))) for r in rows]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


def acceptable_title(given: str, judged: tuple[str, ...]) -> bool:
    """`given` carries at least TITLE_RECALL of the words of one judged title, and is not a paragraph."""
    if len(given) > TITLE_MAX_CHARS:
        return False
    have = set(_words(given))
    for title in judged:
        want = _words(title)
        if want and sum(w in have for w in want) / len(want) >= TITLE_RECALL:
            return True
    return False


def evaluate_doctypes(
    corpus: Path | str | None = None,
    judged: list[Judged] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> DoctypeReport:
    folder = find_shared_corpus(corpus)
    judged = judged if judged is not None else load_judged()
    report = DoctypeReport()
    for n, item in enumerate(judged, start=1):
        path = folder / item.source
        if progress:
            progress(n, len(judged), item.source)
        try:
            parsed = parse_file(path, f"{folder.name}/{item.source}")
        except (IngestError, OSError) as exc:
            report.failed.append(Miss(item.source, item.doc_type, str(exc)))
            continue
        document = parsed.document
        body = "\n".join(page.text for page in parsed.pages)
        if path.suffix.lower() != ".pdf":  # front matter or eForms may give the type: parse as uploaded
            uploaded = parse_file(path, f"uploads/{path.name}").document.doc_type
        else:
            uploaded = guess_doc_type(f"uploads/{path.name}", document.title, body)
        report.documents += 1
        report.types_folder += document.doc_type == item.doc_type
        report.types_upload += uploaded == item.doc_type
        report.titles += acceptable_title(document.title, item.titles)
        if document.doc_type != item.doc_type:
            report.type_misses.append(Miss(item.source, item.doc_type, document.doc_type))
        if uploaded != item.doc_type:
            report.upload_misses.append(Miss(item.source, item.doc_type, uploaded))
        if not acceptable_title(document.title, item.titles):
            report.title_misses.append(Miss(item.source, item.titles[0], document.title))
    return report


def format_report(report: DoctypeReport) -> str:
    lines = [
        f"{report.documents} judged documents ({len(report.failed)} failed to parse)",
        f"types, ingested from the folder: {report.share(report.types_folder):.1%} "
        f"({report.types_folder}/{report.documents})",
        f"types, uploaded by file name:    {report.share(report.types_upload):.1%} "
        f"({report.types_upload}/{report.documents})",
        f"acceptable titles:               {report.share(report.titles):.1%} ({report.titles}/{report.documents})",
    ]
    for label, misses in (
        ("type (folder)", report.type_misses),
        ("type (upload)", report.upload_misses),
        ("title", report.title_misses),
        ("failed", report.failed),
    ):
        lines += [f"  {label}: {m.source}: expected {m.expected!r}, got {m.got!r}" for m in misses]
    return "\n".join(lines)


def doctype_report_dict(report: DoctypeReport) -> dict[str, object]:
    return {
        "documents": report.documents,
        "types_folder": report.share(report.types_folder),
        "types_upload": report.share(report.types_upload),
        "titles": report.share(report.titles),
        "type_misses": [m.__dict__ for m in report.type_misses],
        "upload_misses": [m.__dict__ for m in report.upload_misses],
        "title_misses": [m.__dict__ for m in report.title_misses],
        "failed": [m.__dict__ for m in report.failed],
    }
