"""The audit trail of writes: one JSON line per upload, replacement and delete.

Lines go to `audit.log` under the data folder (appended, one write each, so concurrent requests never
interleave inside a line) and to the `service.audit` logger. A caller is named by a key id, the
first 12 hex digits of the SHA-256 of the bearer key: enough to tell keys apart, useless to reuse.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from pathlib import Path

from litestar import Request

AUDIT_FILE = "audit.log"
log = logging.getLogger(__name__)
_LOCK = threading.Lock()


def key_id(request: Request) -> str:
    """A short hash of the caller's bearer key ('anonymous' without one); never the key itself."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return "anonymous"
    token = header[7:].strip().encode("utf-8", "surrogateescape")
    return hashlib.sha256(token).hexdigest()[:12]


def record(
    data_dir: Path, request: Request, action: str, document_id: str | None, path: str | None, result: str
) -> None:
    """Append one line: time, key id, client, action (upload, replace, delete), document, path, result."""
    entry = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "key_id": key_id(request),
        "client": request.client.host if request.client else None,
        "action": action,
        "document_id": document_id,
        "path": path,
        "result": result,
    }
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    log.info("%s", line.rstrip())
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with _LOCK:
            fd = os.open(data_dir / AUDIT_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
    except OSError as exc:  # the write itself is done: a full disk must not turn it into a failure
        log.error("cannot append to the audit log in %s: %s (entry: %s)", data_dir, exc, line.rstrip())
