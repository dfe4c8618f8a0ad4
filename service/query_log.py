"""What members ask: one JSON line per search and per opened result, kept for a set number of days.

The coordinator of a network reads it to learn which questions the library answers badly or not at
all, and so which guides to write next. It holds no key, no address and no account: only the
question (with e-mail addresses and phone numbers masked), its filters, the language it was read
in, how many documents answered, and which result was opened. Lines go to one file per month under
the data folder, appended in a single write each, so that several service processes sharing a
Qdrant server can log to the same folder.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+\d{1,3}[ .-]?)?(?:\(?\d{1,4}\)?[ .-]?){2,}\d{2,4}(?!\d)")
MAX_QUERY_CHARS = 1000
PRUNE_EVERY_S = 3600.0


class LoggedSearch(msgspec.Struct, frozen=True, omit_defaults=True, tag_field="kind", tag="search"):
    """One search as the coordinator sees it."""

    id: str
    time: str  # ISO 8601, UTC, seconds
    query: str
    language: str | None = None  # the language the question was read in
    results: int = 0  # documents that matched (0: nothing found)
    weak: bool = False  # matched, but nothing close: the caller's judgement, recorded as it was made
    source: str = "api"  # api, page or cli
    lang: list[str] = []
    types: list[str] = []
    year_from: int | None = None
    year_to: int | None = None
    buyers: list[str] = []  # public buyers, not people
    cpv: list[str] = []
    procedures: list[str] = []


class LoggedOpen(msgspec.Struct, frozen=True, omit_defaults=True, tag_field="kind", tag="open"):
    """A result opened from the search page: which search, which document, at which rank (1-based)."""

    search_id: str
    time: str
    document_id: str
    rank: int


_Line = LoggedSearch | LoggedOpen
_decoder = msgspec.json.Decoder(_Line)


def mask_personal_data(text: str) -> str:
    """The question without e-mail addresses or phone numbers, which members sometimes paste in."""
    text = _EMAIL.sub("[email]", text)
    return _PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group()) >= 9 else m.group(), text)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class QueryLog:
    """Append-only monthly JSON-lines files under `folder`; `retention_days` 0 turns logging off."""

    folder: Path
    retention_days: int = 180

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._pruned_at = time.monotonic()  # the service prunes at startup, then hourly as it writes

    @property
    def enabled(self) -> bool:
        return self.retention_days > 0

    def new_id(self) -> str:
        return uuid.uuid4().hex[:16]

    def record_search(self, entry: LoggedSearch) -> None:
        self._append(entry, entry.time)

    def record_open(self, entry: LoggedOpen) -> None:
        self._append(entry, entry.time)

    def _append(self, entry: _Line, when: str) -> None:
        if not self.enabled:
            return
        line = msgspec.json.encode(entry) + b"\n"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.folder / f"{when[:7]}.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        except OSError as exc:  # the log must never fail a member's search
            log.warning("query log not written: %s", exc)
            return
        if time.monotonic() - self._pruned_at > PRUNE_EVERY_S:
            self.prune()

    def months(self) -> list[str]:
        """The months that have a log, newest first ("2026-12")."""
        if not self.folder.is_dir():
            return []
        return sorted((p.stem for p in self.folder.glob("????-??.jsonl")), reverse=True)

    def read(self, month: str) -> Iterator[_Line]:
        """Every line of `month`; a line cut short by a crash is skipped."""
        path = self.folder / f"{month}.jsonl"
        if not re.fullmatch(r"\d{4}-\d{2}", month) or not path.is_file():
            return
        with path.open("rb") as handle:
            for raw in handle:
                try:
                    yield _decoder.decode(raw)
                except msgspec.DecodeError:  # ValidationError is a DecodeError
                    continue

    def prune(self, now: datetime | None = None) -> int:
        """Drop lines older than the retention period; returns how many went."""
        with self._lock:
            self._pruned_at = time.monotonic()
            cutoff = ((now or _now()) - timedelta(days=self.retention_days)).isoformat()[:19]
            dropped = 0
            for month in self.months():
                path = self.folder / f"{month}.jsonl"
                if f"{month}-31T23:59:59" < cutoff:
                    dropped += sum(1 for _ in path.open("rb"))
                    path.unlink(missing_ok=True)
                elif f"{month}-01T00:00:00" < cutoff:
                    dropped += self._rewrite_after(path, cutoff)
            return dropped

    def _rewrite_after(self, path: Path, cutoff: str) -> int:
        kept, dropped = [], 0
        for raw in path.open("rb"):
            when = re.search(rb'"time":"([^"]+)"', raw)
            if when and when.group(1).decode() < cutoff:
                dropped += 1
            else:
                kept.append(raw)
        if dropped:
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(b"".join(kept))
            os.replace(temporary, path)
        return dropped


def searched_now(
    log_: QueryLog,
    query: str,
    *,
    language: str | None,
    results: int,
    weak: bool = False,
    source: str = "api",
    lang: tuple[str, ...] = (),
    types: tuple[str, ...] = (),
    year_from: int | None = None,
    year_to: int | None = None,
    buyers: tuple[str, ...] = (),
    cpv: tuple[str, ...] = (),
    procedures: tuple[str, ...] = (),
) -> LoggedSearch:
    """A search entry stamped now, its question masked and bounded."""
    return LoggedSearch(
        id=log_.new_id(),
        time=stamp(),
        query=mask_personal_data(" ".join(query.split()))[:MAX_QUERY_CHARS],
        language=language,
        results=results,
        weak=weak,
        source=source,
        lang=list(lang),
        types=list(types),
        year_from=year_from,
        year_to=year_to,
        buyers=list(buyers),
        cpv=list(cpv),
        procedures=list(procedures),
    )


def stamp(when: datetime | None = None) -> str:
    """The log's time format: ISO 8601 in UTC, to the second, with a Z."""
    return (when or _now()).astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
