"""Parse files in worker processes, each within a time and memory limit.

Extraction is where hostile input bites: a decompression bomb or a PDF whose
object tree nests thousands deep can keep pypdf busy for minutes or fill the
memory. In a worker process one file can be given up on — the worker is
killed, the file reported as failed with its reason — and the batch goes on,
which no in-process guard can do for code stuck inside a C library. Workers
also let PDF extraction on one core overlap with embedding on the other.

Two guards per file: a soft one inside the worker (an interval timer raises
`IngestError` at `timeout`), and a hard one in the caller (the worker is
killed at `timeout + GRACE_S` when the soft one could not fire). A worker that
dies (out of memory, a crash in C) is found out by re-running the files it
held one at a time: only the culprit fails.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from ingest import ocr
from ingest.errors import IngestError
from ingest.pipeline import parse_file
from ingest.types import ParsedDocument

DEFAULT_TIMEOUT_S = 300.0  # per file; a 2,000-page PDF parses in about a minute on one core
DEFAULT_MEMORY_MB = 4096  # address space per worker; a bomb fails with MemoryError instead of swapping
GRACE_S = 15.0  # beyond the soft limit, before the worker is killed
STARTUP_TIMEOUT_S = 120.0
PARSE_NICE = 10
AHEAD_PER_WORKER = 16  # files parsed ahead of the model: enough to keep it fed, few enough to bound memory
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParseJob:
    path: Path
    source: str
    catalog: dict[str, object]
    doc_type: str | None = None
    data: bytes | None = None
    ocr_page_timeout: float = ocr.PAGE_TIMEOUT_S  # seconds per scanned page (rendering, then recognition)


def _init_worker(memory_mb: int) -> None:
    """Workers die with their parent (Linux), cannot take the machine's memory, and yield the CPU.

    At a lower priority (nice +PARSE_NICE) a worker parses in the gaps the model's threads leave
    (during ingest) and never slows searches (an upload in the server). At equal priority it
    preempted one of the model's two threads, and each layer of the model waited for the
    preempted one.
    """
    with contextlib.suppress(OSError):
        os.nice(PARSE_NICE)
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if memory_mb > 0:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _ready() -> int:
    """A warm-up task: returns once this worker has started and imported the parsers."""
    from ingest.converters import load_converters

    load_converters()
    time.sleep(0.05)
    return os.getpid()


def _on_alarm(signum, frame) -> None:
    raise IngestError("parsing took too long (decompression bomb or deeply nested document?)")


def parse_job(job: ParseJob, timeout: float) -> ParsedDocument:
    """Parse one file; with a soft time limit when running on a main thread (workers always are).

    OCR of scanned pages shares the file's limit: each page has `job.ocr_page_timeout`, and OCR stops
    short of `timeout` (with a warning naming the pages left) so the file is indexed, not failed.
    """
    timed = timeout > 0 and threading.current_thread() is threading.main_thread()
    if timed:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        # re-fires every half second: an exception raised while a gc callback or __del__ runs is
        # swallowed by Python, so one alarm is not enough to be sure the parse stops
        signal.setitimer(signal.ITIMER_REAL, timeout, 0.5)
    try:
        with ocr.budget(job.ocr_page_timeout, timeout):
            return parse_file(job.path, job.source, job.catalog, job.doc_type, data=job.data)
    except MemoryError as exc:
        raise IngestError("too large to parse within the memory limit per file") from exc
    except RecursionError as exc:
        raise IngestError("structure nested too deeply to parse") from exc
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


class ParserPool:
    """Worker processes that parse jobs and hand back results in submission order."""

    def __init__(
        self,
        workers: int = 1,
        timeout: float = DEFAULT_TIMEOUT_S,
        memory_mb: int = DEFAULT_MEMORY_MB,
        grace: float = GRACE_S,
        target: Callable[[ParseJob, float], ParsedDocument] = parse_job,
    ):
        """`target` runs in the worker (a module-level function); tests swap in misbehaving ones."""
        if workers < 1:
            raise ValueError(f"ParserPool needs at least one worker, got {workers}; parse in-process with parse_job")
        self.workers, self.timeout, self.memory_mb, self.grace, self.target = workers, timeout, memory_mb, grace, target
        self._pool: ProcessPoolExecutor | None = None
        self._spawner: ThreadPoolExecutor | None = None  # the thread the workers are started from (_executor)
        self._lock = threading.Lock()  # one batch at a time: results are consumed in order

    def _executor(self) -> ProcessPoolExecutor:
        """The pool, with every worker started: a file's clock must not run while Python starts up.

        Workers are started from the pool's own thread, never from the caller's: Linux sends the
        parent-death signal when the *thread* that started a process ends, and the server parses
        uploads in request threads that end after a few idle seconds. Started from such a thread,
        the workers were killed with it and the next upload found the pool broken.
        """
        if self._pool is None:
            if self._spawner is None:
                self._spawner = ThreadPoolExecutor(1, thread_name_prefix="procsearch-parser-spawner")
            self._pool = self._spawner.submit(self._start).result()
        return self._pool

    def _start(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.memory_mb,),
        )
        started: set[int] = set()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while len(started) < self.workers and time.monotonic() < deadline:
            started.update(f.result() for f in [pool.submit(_ready) for _ in range(self.workers)])
        return pool

    def _kill(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
        pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            self._kill()
            if self._spawner is not None:
                self._spawner.shutdown(wait=True)
                self._spawner = None

    def __enter__(self) -> ParserPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def parse(self, jobs: list[ParseJob]) -> Iterator[tuple[ParseJob, ParsedDocument | Exception]]:
        """(job, parsed document or the exception) for every job, in order; never raises for one file."""
        with self._lock:
            yield from self._parse(jobs)

    def _parse(self, jobs: list[ParseJob]) -> Iterator[tuple[ParseJob, ParsedDocument | Exception]]:
        waiting = deque(jobs)
        running: deque[tuple[ParseJob, Future[ParsedDocument]]] = deque()
        alone = 0  # after a worker died: how many jobs still to run one at a time to find the culprit
        retried: set[int] = set()  # jobs whose worker died under them once already

        def submit() -> None:
            fresh = False
            while waiting and len(running) < AHEAD_PER_WORKER * self.workers and (not alone or not running):
                try:
                    future = self._executor().submit(self.target, waiting[0], self.timeout)
                except BrokenProcessPool:  # a worker died while idle (killed from outside): once, a fresh pool
                    if fresh:
                        raise
                    fresh = True
                    self._restart(waiting, running)
                    continue
                running.append((waiting.popleft(), future))

        submit()
        while running:
            job, future = running.popleft()
            try:  # the head started at the latest when the job before it finished: now
                result: ParsedDocument | Exception = future.result(timeout=self.timeout + self.grace)
            except FutureTimeout:
                result = IngestError(
                    f"gave up after {self.timeout:g} s (decompression bomb or deeply nested document?)"
                )
                self._restart(waiting, running)
            except BrokenProcessPool:
                if (alone or not running) and id(job) not in retried:
                    # alone in a fresh pool, its worker died: once more, since in about 1 run in 15 of the stuck-
                    # worker test a good file died so, cause not found; a file that kills its worker dies twice
                    retried.add(id(job))
                    self._restart(waiting, running)
                    waiting.appendleft(job)
                    submit()
                    continue
                if alone or not running:
                    result = IngestError("the parser process died on this file (out of memory or a crash)")
                    self._restart(waiting, running)
                else:
                    alone = len(running) + 1
                    self._restart(waiting, running)
                    waiting.appendleft(job)
                    submit()
                    continue
            except Exception as exc:  # noqa: BLE001 - every failure belongs to its file
                result = exc
            alone = max(0, alone - 1)
            yield job, result
            submit()

    def _restart(self, waiting: deque, running: deque) -> None:
        """Kill the workers; the jobs they held go back to the front of the queue, in order."""
        for job, _ in reversed(running):
            waiting.appendleft(job)
        running.clear()
        self._kill()
        log.warning("parser workers restarted")


def parse_all(
    jobs: list[ParseJob],
    workers: int,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> Iterator[tuple[ParseJob, ParsedDocument | Exception]]:
    """In worker processes, or in-process when `workers` is 0 (tests; a single small file)."""
    if workers <= 0:
        for job in jobs:
            try:
                yield job, parse_job(job, timeout)
            except Exception as exc:  # noqa: BLE001 - every failure belongs to its file
                yield job, exc
        return
    with ParserPool(workers, timeout) as pool:
        yield from pool.parse(jobs)
