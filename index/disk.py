"""The data folder's disk: enough free space, writable, and not in use, checked before the store is touched.

The embedded store maps its files (32 MB at a time) into memory: when the disk fills up under a
mapping, the process dies of SIGBUS (exit 135) with no message, even for a read-only command. So
free space is checked before the store is opened and before every write, and a batch stops cleanly
when it runs short; a read-only folder or a second process is one line saying what to do.
"""

from __future__ import annotations

import os
from pathlib import Path

from ingest.errors import StoreError

MIN_FREE_MB = 128  # four of the store's 32 MB files; PROCSEARCH_MIN_FREE_MB overrides it


class DiskFullError(StoreError):
    """Less free space than the minimum: nothing more is written."""


def _existing(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def free_mb(folder: Path) -> float:
    info = os.statvfs(_existing(folder))
    return info.f_bavail * info.f_frsize / (1024 * 1024)


def check_free(folder: Path, min_free_mb: int | None = None) -> None:
    """Raise DiskFullError when the disk holding `folder` has less than `min_free_mb` MB free."""
    needed = MIN_FREE_MB if min_free_mb is None else min_free_mb
    free = free_mb(folder)
    if free < needed:
        raise DiskFullError(
            f"only {free:.0f} MB free on the disk of {folder} (at least {needed} MB needed, "
            "PROCSEARCH_MIN_FREE_MB): free some space or use another data folder (--data), then run again; "
            "the index is intact"
        )


def check_writable(folder: Path) -> None:
    """Raise StoreError when the data folder (or the folder it would be created in) cannot be written."""
    existing = _existing(folder)
    read_only_mount = bool(os.statvfs(existing).f_flag & os.ST_RDONLY)
    if read_only_mount or not os.access(existing, os.W_OK | os.X_OK):
        where = "is on a read-only file system" if read_only_mount else "is not writable by this user"
        raise StoreError(
            f"the data folder {folder} {where}: give this user write access to it, or use "
            "another data folder (--data or PROCSEARCH_DATA)"
        )
    lock = folder / "procsearch.lock"
    if lock.exists() and not os.access(lock, os.W_OK):
        raise StoreError(
            f"{lock} is not writable by this user: give this user write access to the data "
            "folder, or use another one (--data or PROCSEARCH_DATA)"
        )


def preflight(folder: Path, min_free_mb: int | None = None) -> None:
    """Everything `serve` needs of the data folder, checked before the web server starts.

    A failure inside the server's startup surfaces as a long exception group; here it is one line.
    """
    from index.store.lock import DataLock

    folder = folder.resolve()
    check_writable(folder)
    check_free(folder, min_free_mb)
    lock = DataLock(folder)
    lock.acquire()  # raises the 'in use by process N' StoreError
    lock.release()
