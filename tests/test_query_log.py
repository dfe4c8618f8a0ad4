"""The query log and the coordinator's report: what members ask, kept without keys or addresses."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from litestar.testing import TestClient

from index.collection import open_collection
from index.indexer import ingest_paths
from service.app import create_app
from service.query_log import LoggedOpen, QueryLog, mask_personal_data, searched_now, stamp
from service.query_report import fold, month_report, report_csv
from service.settings import Settings

ADMIN_KEY = "coordinator-secret-key"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("contact marie.dupont@ville-rennes.fr pour le CCTP", "contact [email] pour le CCTP"),
        ("appelez le 02 99 12 34 56 svp", "appelez le [phone] svp"),
        ("call +1 (303) 555-0142 about the RFQ", "call [phone] about the RFQ"),
        ("CPV 39100000 mobilier 2024", "CPV 39100000 mobilier 2024"),  # codes and years are not phone numbers
        ("marché 2023-045 lot 3", "marché 2023-045 lot 3"),
    ],
)
def test_personal_data_is_masked_but_codes_and_years_stay(text, expected):
    assert mask_personal_data(text) == expected


@pytest.mark.unit
def test_questions_are_counted_whatever_their_case_accents_and_spacing(tmp_path):
    log = QueryLog(tmp_path)
    for question in ("Marchés réservés ESAT ?", "marches  reserves esat", "MARCHÉS RÉSERVÉS ESAT"):
        log.record_search(searched_now(log, question, language="fr", results=4))
    log.record_search(searched_now(log, "xqzzyv blorf", language=None, results=0))
    log.record_search(searched_now(log, "clauses sociales", language="fr", results=7, weak=True))
    report = month_report(log, datetime.now(UTC).strftime("%Y-%m"))
    assert report.searches == 5 and report.distinct_questions == 3
    assert report.frequent[0].count == 3 and fold(report.frequent[0].question) == "marches reserves esat"
    assert {q.question for q in report.unanswered} == {"xqzzyv blorf", "clauses sociales"}
    assert report.unanswered_share == 0.4


@pytest.mark.unit
def test_old_lines_are_pruned_and_a_torn_line_is_skipped(tmp_path):
    log = QueryLog(tmp_path, retention_days=30)
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    for days in (200, 45, 10, 1):
        when = now - timedelta(days=days)
        entry = searched_now(log, f"question {days}", language="fr", results=1)
        log.record_search(msgspec.structs.replace(entry, time=stamp(when)))
    (tmp_path / "2026-11.jsonl").open("ab").write(b'{"id":"cut-sho')
    assert log.prune(now) == 2  # 200 and 45 days old
    kept = [line.query for month in log.months() for line in log.read(month) if not isinstance(line, LoggedOpen)]
    assert sorted(kept) == ["question 1", "question 10"]
    assert not (tmp_path / "2026-05.jsonl").exists()  # a month wholly past the retention is removed


@pytest.mark.unit
def test_logging_off_writes_nothing(tmp_path):
    log = QueryLog(tmp_path / "log", retention_days=0)
    log.record_search(searched_now(log, "anything", language="en", results=1))
    assert not (tmp_path / "log").exists()


@pytest.fixture(scope="module")
def client(tmp_path_factory, embedder):
    base = tmp_path_factory.mktemp("querylog")
    docs = base / "docs"
    docs.mkdir()
    (docs / "guide-esat.md").write_text(
        "---\ntitle: Marchés réservés aux ESAT\ndoc_type: guide\nyear: 2021\n---\n# Marchés réservés\n\n"
        + "Un acheteur peut réserver un lot à un ESAT ou à une entreprise adaptée. " * 8,
        encoding="utf-8",
    )
    (docs / "rfp-catering.md").write_text(
        "---\ntitle: RFP School Catering\ndoc_type: tender\nyear: 2024\n---\n# Award criteria\n\n"
        + "The school catering contract is awarded on price (40%), quality (35%) and sustainability (25%). " * 6,
        encoding="utf-8",
    )
    settings = Settings(data_dir=base / "data", admin_key=ADMIN_KEY)
    with open_collection(data_dir=settings.data_dir, create=True, embedder=embedder) as collection:
        ingest_paths(collection, [docs], workers=0)
        with TestClient(create_app(settings, collection=collection)) as test_client:
            yield test_client


@pytest.mark.integration
def test_a_search_is_logged_without_key_or_address_and_an_opened_result_is_counted(client):
    body = client.get(
        "/v1/search",
        params={"q": "Peut-on réserver un lot à un ESAT ? écrire à a.b@example.org", "k": 3},
        headers={"Authorization": "Bearer some-reader-key", "X-Forwarded-For": "203.0.113.9"},
    ).json()
    assert body["search_id"]
    client.get("/v1/search", params={"q": "Peut-on réserver un lot à un ESAT ?", "offset": 3})  # page 2: not again
    doc = body["documents"][0]["id"]
    opened = client.get(
        f"/open/{doc}",
        params={"s": body["search_id"], "r": 1, "to": f"/v1/documents/{doc}/file"},
        follow_redirects=False,
    )
    assert opened.status_code == 303 and opened.headers["location"] == f"/v1/documents/{doc}/file"
    away = client.get(f"/open/{doc}", params={"to": "//evil.example/x"}, follow_redirects=False)
    assert away.headers["location"] == f"/v1/documents/{doc}/file"  # never sent off the service
    month = datetime.now(UTC).strftime("%Y-%m")
    raw = (client.app.state.settings.data_dir / "query-log" / f"{month}.jsonl").read_text(encoding="utf-8")
    assert "[email]" in raw and "a.b@example.org" not in raw
    assert "some-reader-key" not in raw and "203.0.113.9" not in raw
    report = client.get("/v1/admin/queries", headers=ADMIN).json()
    asked = next(q for q in report["frequent"] if "ESAT" in q["question"])
    assert asked["count"] == 1 and asked["language"] == "fr" and asked["results"] >= 1
    assert report["opened"] == [{"document_id": doc, "opens": 1, "mean_rank": 1.0}]


@pytest.mark.integration
def test_a_search_is_logged_with_its_tender_filters(client):
    """The coordinator sees what members narrowed to: buyer, CPV code and procedure, besides type and year."""
    client.get(
        "/v1/search",
        params={"q": "school catering award criteria", "cpv": "55524000", "procedure": "open", "buyer": "Ville X"},
    )
    month = datetime.now(UTC).strftime("%Y-%m")
    lines = (client.app.state.settings.data_dir / "query-log" / f"{month}.jsonl").read_text(encoding="utf-8")
    logged = [json.loads(line) for line in lines.splitlines() if "school catering award" in line]
    assert logged and logged[-1]["cpv"] == ["55524"] and logged[-1]["procedures"] == ["open"]
    assert logged[-1]["buyers"] == ["Ville X"]


@pytest.mark.integration
def test_the_report_needs_the_admin_key(client):
    assert client.get("/v1/admin/queries").status_code in (401, 403)
    assert client.get("/v1/admin/queries", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/coordinator").status_code in (401, 403)
    assert client.get("/v1/admin/queries", params={"month": "2026-13"}, headers=ADMIN).status_code == 400


@pytest.mark.integration
def test_the_coordinator_page_shows_a_month_of_synthetic_questions_and_exports_it(client):
    log: QueryLog = client.app.state.query_log
    start = datetime(2026, 10, 1, 9, tzinfo=UTC)
    questions = ["clauses sociales nettoyage", "critères d'attribution restauration scolaire", "who won the laptop RFQ"]
    for day in range(31):
        for n, question in enumerate(questions[: 1 + day % 3]):
            entry = searched_now(log, question, language="fr" if n < 2 else "en", results=0 if n == 2 else 5)
            log.record_search(msgspec.structs.replace(entry, time=stamp(start + timedelta(days=day, minutes=n))))
    page = client.get("/coordinator", params={"month": "2026-10", "ui": "en"}, headers=ADMIN)
    assert page.status_code == 200
    assert "What members ask" in page.text and "clauses sociales nettoyage" in page.text
    assert page.text.index("who won the laptop RFQ") < page.text.index("Most frequent questions")  # unanswered first
    exported = client.get("/v1/admin/queries/csv", params={"month": "2026-10"}, headers=ADMIN)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    frequent = {r["question_or_document"]: int(r["count"]) for r in rows if r["list"] == "frequent"}
    assert frequent == {
        "clauses sociales nettoyage": 31,
        "critères d'attribution restauration scolaire": 20,
        "who won the laptop RFQ": 10,
    }
    assert report_csv(month_report(log, "2026-10")) == exported.text
