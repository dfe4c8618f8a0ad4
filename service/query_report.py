"""A month of the query log, summed up for the network's coordinator: the helpdesk's to-do list.

Questions are counted by their folded form (case, accents and spacing do not split a question in
two), shown as members most often typed them. "Unanswered" lists the questions that found nothing
or only weak matches: the subjects the library lacks.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter, defaultdict

import msgspec

from service.query_log import LoggedOpen, LoggedSearch, QueryLog

TOP = 50


class QuestionCount(msgspec.Struct, frozen=True):
    question: str
    count: int
    results: int  # documents found the last time it was asked
    language: str | None = None


class OpenedCount(msgspec.Struct, frozen=True):
    document_id: str
    opens: int
    mean_rank: float


class MonthReport(msgspec.Struct, frozen=True):
    month: str
    searches: int
    distinct_questions: int
    unanswered_share: float  # searches that found nothing or only weak matches
    frequent: list[QuestionCount]
    unanswered: list[QuestionCount]
    opened: list[OpenedCount]
    months: list[str]  # every month with a log, newest first


def fold(question: str) -> str:
    decomposed = unicodedata.normalize("NFKD", " ".join(question.casefold().split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip(" ?!.")


def _ranked(groups: dict[str, list[LoggedSearch]], limit: int) -> list[QuestionCount]:
    def count(entries: list[LoggedSearch]) -> QuestionCount:
        spelling = Counter(e.query for e in entries).most_common(1)[0][0]
        return QuestionCount(spelling, len(entries), entries[-1].results, entries[-1].language)

    counted = [count(entries) for entries in groups.values()]
    return sorted(counted, key=lambda q: (-q.count, fold(q.question)))[:limit]


def month_report(query_log: QueryLog, month: str, limit: int = TOP) -> MonthReport:
    searches: list[LoggedSearch] = []
    opens: list[LoggedOpen] = []
    for line in query_log.read(month):
        if isinstance(line, LoggedOpen):
            opens.append(line)
        else:
            searches.append(line)
    groups: dict[str, list[LoggedSearch]] = defaultdict(list)
    missed: dict[str, list[LoggedSearch]] = defaultdict(list)
    for entry in searches:
        groups[fold(entry.query)].append(entry)
        if entry.results == 0 or entry.weak:
            missed[fold(entry.query)].append(entry)
    ranks: dict[str, list[int]] = defaultdict(list)
    for opened in opens:
        ranks[opened.document_id].append(opened.rank)
    opened_counts = sorted(
        (OpenedCount(doc, len(r), round(sum(r) / len(r), 1)) for doc, r in ranks.items()),
        key=lambda o: (-o.opens, o.document_id),
    )[:limit]
    unanswered = sum(len(v) for v in missed.values())
    return MonthReport(
        month=month,
        searches=len(searches),
        distinct_questions=len(groups),
        unanswered_share=round(unanswered / len(searches), 3) if searches else 0.0,
        frequent=_ranked(groups, limit),
        unanswered=_ranked(missed, limit),
        opened=opened_counts,
        months=query_log.months(),
    )


def report_csv(report: MonthReport) -> str:
    """One table a spreadsheet opens: list, question or document, count, results or mean rank."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["month", "list", "question_or_document", "count", "results_or_mean_rank", "language"])
    for name, rows in (("frequent", report.frequent), ("unanswered", report.unanswered)):
        for q in rows:
            writer.writerow([report.month, name, q.question, q.count, q.results, q.language or ""])
    for o in report.opened:
        writer.writerow([report.month, "opened", o.document_id, o.opens, o.mean_rank, ""])
    return out.getvalue()
