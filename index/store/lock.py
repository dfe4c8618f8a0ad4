"""One process owns an embedded store; the others are told who and what to do.

Qdrant Edge holds its WAL exclusively; a second opener gets a bare
'WouldBlock'. This lock comes first and names the holder instead.
"""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path
from typing import TextIO

from ingest.errors import StoreError


class DataLock:
    def __init__(self, folder: Path):
        self.path = folder / "procsearch.lock"
        self._handle: TextIO | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open as long as the lock
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise StoreError(
                f"the data folder {self.path.parent} is in use by {holder}. Stop it, or go through the running "
                "server (procsearch ingest --server http://127.0.0.1:8000 PATH...), or use a Qdrant server "
                "(set QDRANT_URL)."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(
            f"process {os.getpid()} ({' '.join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv))[:200]})"
        )
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
