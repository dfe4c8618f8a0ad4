"""`procsearch eval --fields`: per-field precision and recall of tender-field extraction on a judged set.

Each judged document (eval/fields/judged.jsonl) is parsed by the real ingestion pipeline
(`ingest.pipeline.parse_file`, with the bundled catalog entry when it has one) and the fields it
stores under `metadata['fields']` are compared with what a reader recorded from the document. Scores
are kept apart for structured notices (eForms XML) and free text, and for the development part (the
rules were written while looking at it) and the held-out part (judged before the rules ran on it).

Matching: names (buyer, awardees) match when one, folded and without punctuation, contains the other
as whole words; dates on their day; amounts to the cent with their currency; criteria as
'category:weight'; lots by number; CPV codes exactly. Lists are scored item by item; a wrong scalar
counts once as a false positive and once as a miss.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import IngestError
from ingest.metadata import fold, read_catalog
from ingest.pipeline import parse_file
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
JUDGED = ROOT / "eval" / "fields" / "judged.jsonl"
SHARED = Settings.from_env().shared_dir  # ../shared unless PROCSEARCH_SHARED says
BUNDLED = ROOT / "corpus" / "documents"
FIELDS = ("buyer", "cpv_main", "cpv", "procedure", "lots", "criteria", "values", "published", "deadline", "awardees")
_NAMES = {"buyer", "awardees"}
_LISTS = {"cpv", "lots", "criteria", "values", "awardees"}


@dataclass(frozen=True)
class Judged:
    """One judged document: where it is, which set and split it belongs to, its true fields."""

    path: str  # 'corpus/documents/…' (bundled) or 'shared:<folder>/…' (../shared/corpus)
    set: str  # 'structured' or 'text'
    split: str  # 'dev' or 'heldout'
    fields: dict[str, object]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class FieldsReport:
    documents: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    counts: dict[tuple[str, str, str], Counts] = field(default_factory=dict)  # (set, split, field) → counts
    misses: list[str] = field(default_factory=list)  # 'path field: predicted … / judged …'

    def add(self, key: tuple[str, str, str], counts: Counts) -> None:
        total = self.counts.setdefault(key, Counts())
        total.tp, total.fp, total.fn = total.tp + counts.tp, total.fp + counts.fp, total.fn + counts.fn


def load_judged(path: Path = JUDGED) -> list[Judged]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                raw = json.loads(line)
                rows.append(Judged(raw["path"], raw["set"], raw["split"], raw.get("fields") or {}))
            except (json.JSONDecodeError, KeyError) as exc:
                raise ValueError(f"{path}:{number}: not a judged document ({exc})") from exc
    return rows


def resolve(judged: Judged, shared: Path = SHARED) -> tuple[Path, dict[str, object]]:
    """The file on disk and its catalog entry (bundled documents have one)."""
    if judged.path.startswith("shared:"):
        return shared / "corpus" / judged.path.removeprefix("shared:"), {}
    path = ROOT / judged.path
    relative = path.relative_to(BUNDLED).as_posix() if BUNDLED in path.parents else path.name
    return path, read_catalog(BUNDLED).get(relative, {}) if BUNDLED in path.parents else {}


def _name(value: object) -> str:
    text = fold(str(value)).replace("’", "'")
    return " ".join(re.sub(r"[^\w&]+", " ", text).split())


def _amount(value: object) -> str:
    if isinstance(value, dict):
        amount, currency = float(value["amount"]), str(value["currency"])
    else:
        number, currency = str(value).split()
        amount = float(number)
    return f"{round(amount, 2):.2f}".rstrip("0").rstrip(".") + " " + currency.upper()


def normalise(name: str, value: object) -> list[str]:
    """A field's value as comparable strings (one per list item)."""
    if value in (None, "", []):
        return []
    items: list[Any] = value if isinstance(value, list) else [value]
    if name == "criteria":
        return [
            c if isinstance(c, str) else f"{c['category']}:{float(c['weight']):g}"
            for c in items
            if isinstance(c, str) or c.get("weight") is not None
        ]
    if name == "lots":
        return [str(i["number"] if isinstance(i, dict) else i) for i in items]
    if name == "values":
        return [_amount(i) for i in items]
    if name in ("published", "deadline"):
        return [str(i)[:10] for i in items]
    if name in _NAMES:
        return [_name(i) for i in items]
    return [str(i) for i in items]


def _same(name: str, predicted: str, judged: str) -> bool:
    if name in _NAMES:
        return bool(predicted and judged) and (f" {predicted} " in f" {judged} " or f" {judged} " in f" {predicted} ")
    if name == "criteria":
        (pc, pw), (jc, jw) = predicted.split(":"), judged.split(":")
        return pc == jc and abs(float(pw) - float(jw)) < 0.01
    return predicted == judged


def compare(name: str, predicted: object, judged: object) -> Counts:
    """True positives, false positives and misses of one field of one document."""
    got, want = list(dict.fromkeys(normalise(name, predicted))), list(dict.fromkeys(normalise(name, judged)))
    counts = Counts()
    unmatched = list(want)
    for item in got:
        match = next((w for w in unmatched if _same(name, item, w)), None)
        if match is None:
            counts.fp += 1
        else:
            counts.tp += 1
            unmatched.remove(match)
    counts.fn = len(unmatched)
    return counts


def evaluate_fields(
    judged: list[Judged] | None = None, shared: Path = SHARED, progress: Callable[[int, int, str], None] | None = None
) -> FieldsReport:
    """Parse every judged document and score the fields the pipeline stored for it."""
    rows = judged if judged is not None else load_judged()
    report = FieldsReport()
    for number, row in enumerate(rows, start=1):
        if progress:
            progress(number, len(rows), row.path)
        path, catalog = resolve(row, shared)
        if not path.is_file():
            report.failed.append((row.path, "not found (../shared missing?)"))
            continue
        try:
            parsed = parse_file(path, row.path, catalog=catalog)
        except IngestError as exc:
            report.failed.append((row.path, str(exc)))
            continue
        report.documents += 1
        fields = parsed.document.extra.get("fields")
        predicted: dict[str, object] = fields if isinstance(fields, dict) else {}
        for name in FIELDS:
            counts = compare(name, predicted.get(name), row.fields.get(name))
            for split in (row.split, "all"):
                report.add((row.set, split, name), counts)
            if counts.fp or counts.fn:
                report.misses.append(
                    f"{row.path} {name}: got {normalise(name, predicted.get(name))} "
                    f"/ judged {normalise(name, row.fields.get(name))}"
                )
    return report


def _figure(value: float | None) -> str:
    return "   –" if value is None else f"{value:.2f}"


def micro(report: FieldsReport, set_name: str, split: str) -> Counts:
    total = Counts()
    for name in FIELDS:
        counts = report.counts.get((set_name, split, name), Counts())
        total.tp, total.fp, total.fn = total.tp + counts.tp, total.fp + counts.fp, total.fn + counts.fn
    return total


def format_fields_table(report: FieldsReport) -> str:
    """Precision / recall per field, one column pair per (set, split) present in the report."""
    columns = [
        (s, p)
        for s in ("structured", "text")
        for p in ("dev", "heldout", "all")
        if any(k[:2] == (s, p) for k in report.counts)
    ]
    head = f"{'field':<11}" + "".join(f" {s[:6] + ' ' + p:>15}" for s, p in columns)
    lines = [head, f"{'':<11}" + "".join(f" {'P     R':>15}" for _ in columns)]
    for name in (*FIELDS, "micro"):
        cells = []
        for set_name, split in columns:
            counts = (
                micro(report, set_name, split)
                if name == "micro"
                else report.counts.get((set_name, split, name), Counts())
            )
            cells.append(f" {_figure(counts.precision):>7} {_figure(counts.recall):>5}  ")
        lines.append(f"{name:<11}" + "".join(cells))
    return "\n".join(lines)


def fields_report_to_dict(report: FieldsReport) -> dict[str, object]:
    scores: dict[str, dict[str, dict[str, object]]] = {}
    for (set_name, split, name), counts in sorted(report.counts.items()):
        scores.setdefault(f"{set_name}/{split}", {})[name] = {
            "precision": counts.precision,
            "recall": counts.recall,
            "tp": counts.tp,
            "fp": counts.fp,
            "fn": counts.fn,
        }
    return {"documents": report.documents, "failed": report.failed, "scores": scores, "misses": report.misses}
