"""Read and write evaluation sets in the BEIR layout.

BEIR (queries.jsonl + a qrels TSV) is what public retrieval benchmarks ship,
so keeping our own set in it lets one harness run both. Errors name the file
and line: a hand-edited query file is the usual culprit and must be easy to fix.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

Qrels = dict[str, dict[str, int]]  # query-id → corpus-id → grade
QRELS_HEADER = ("query-id", "corpus-id", "score")


@dataclass(frozen=True)
class Query:
    """One query; the metadata keys the harness breaks results down by are lifted into fields."""

    id: str
    text: str
    language: str | None = None
    answer_languages: tuple[str, ...] = ()
    cross_lingual: bool = False
    style: str | None = None
    metadata: dict[str, object] = field(default_factory=dict)


def parse_query(row: dict[str, object]) -> Query:
    """A Query from one BEIR row; `cross_lingual` is derived from the languages when not given."""
    meta = row.get("metadata") or {}
    if not isinstance(meta, dict):
        raise ValueError("'metadata' must be an object")
    if "_id" not in row or not str(row.get("text") or "").strip():
        raise ValueError("a query needs an '_id' and a non-empty 'text'")
    language = str(meta["language"]) if meta.get("language") else None
    answers = meta.get("answer_languages") or ()
    answers = (answers,) if isinstance(answers, str) else tuple(str(a) for a in answers)
    if "cross_lingual" in meta:
        cross = bool(meta["cross_lingual"])
    else:
        cross = bool(language and answers and language not in answers)
    style = str(meta["style"]) if meta.get("style") else None
    return Query(str(row["_id"]), str(row["text"]).strip(), language, answers, cross, style, dict(meta))


def load_queries(path: Path | str) -> list[Query]:
    """Queries from a BEIR queries.jsonl, in file order; blank lines are ignored."""
    path = Path(path)
    queries: list[Query] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                query = parse_query(json.loads(line))
            except (ValueError, AttributeError) as exc:
                raise ValueError(f"{path}:{number}: invalid query ({exc})") from exc
            if query.id in seen:
                raise ValueError(f"{path}:{number}: duplicate query id '{query.id}'")
            seen.add(query.id)
            queries.append(query)
    return queries


def load_qrels(path: Path | str) -> Qrels:
    """Graded judgements from a BEIR qrels TSV (header `query-id corpus-id score`)."""
    path = Path(path)
    qrels: Qrels = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t"), start=1):
            if not row or not "".join(row).strip():
                continue
            if number == 1 and tuple(c.strip() for c in row[:3]) == QRELS_HEADER:
                continue
            if len(row) < 3:
                raise ValueError(f"{path}:{number}: expected 'query-id<TAB>corpus-id<TAB>score', got {row!r}")
            try:
                grade = int(float(row[2]))
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: score '{row[2]}' is not a number") from exc
            qrels.setdefault(row[0].strip(), {})[row[1].strip()] = grade
    return qrels


def write_queries(path: Path | str, queries: list[Query]) -> None:
    """Write queries as BEIR jsonl; the lifted fields go back into metadata."""
    with Path(path).open("w", encoding="utf-8") as out:
        for query in queries:
            meta = dict(query.metadata)
            if query.language:
                meta["language"] = query.language
            if query.answer_languages:
                meta["answer_languages"] = list(query.answer_languages)
            meta["cross_lingual"] = query.cross_lingual
            if query.style:
                meta["style"] = query.style
            out.write(json.dumps({"_id": query.id, "text": query.text, "metadata": meta}, ensure_ascii=False) + "\n")


def write_qrels(path: Path | str, qrels: Qrels) -> None:
    """Write judgements as a BEIR qrels TSV with its header."""
    with Path(path).open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(QRELS_HEADER)
        for query_id, judged in qrels.items():
            for corpus_id, grade in judged.items():
                writer.writerow((query_id, corpus_id, grade))
