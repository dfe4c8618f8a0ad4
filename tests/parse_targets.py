"""Misbehaving parse targets for tests/test_parsing.py, importable in a spawned worker (stdlib only)."""

import os
import signal
import time

from index.parsing import ParseJob, parse_job


def hang_ignoring_alarm(job: ParseJob, timeout: float):
    """Stuck where the soft time limit cannot reach, like code looping inside a C library."""
    if job.source.startswith("stuck"):
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        while True:
            time.sleep(1)
    return parse_job(job, timeout)


def die_on_crash(job: ParseJob, timeout: float):
    """The worker process dies outright (as on an out-of-memory kill) on files named crash*."""
    if job.source.startswith("crash"):
        os._exit(137)
    return parse_job(job, timeout)


def die_once(job: ParseJob, timeout: float):
    """The worker dies the first time it sees a file named flaky*, beside which it leaves a mark."""
    mark = job.path.with_suffix(".died")
    if job.source.startswith("flaky") and not mark.exists():
        mark.write_text("died once")
        os._exit(137)
    return parse_job(job, timeout)
