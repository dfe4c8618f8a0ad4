"""`procsearch ingest --server URL`: send files through a running server.

The embedded store has one owner; when a server holds it, other processes
add documents through its API instead of opening the store themselves.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from ingest.errors import ProcsearchError
from ingest.walk import walk_paths


def upload_paths(server: str, paths: list[Path], doc_type: str | None = None) -> int:
    """Upload every supported file; prints one line per file; returns the exit code (2 if any failed)."""
    key = os.environ.get("PROCSEARCH_ADMIN_KEY")
    if not key:
        raise ProcsearchError("set PROCSEARCH_ADMIN_KEY to the server's admin key to upload through it")
    walk = walk_paths(paths)
    failed = 0
    with httpx.Client(base_url=server.rstrip("/"), headers={"Authorization": f"Bearer {key}"}, timeout=600) as client:
        for item in walk.files:
            data = {"doc_type": doc_type} if doc_type else {}
            try:
                response = client.post("/v1/documents", files={"files": (item.path.name, item.path.read_bytes())},
                                       data=data)
            except httpx.HTTPError as exc:
                raise ProcsearchError(f"cannot reach {server}: {exc}") from exc
            if response.status_code == 201:
                print(f"{response.json()['files'][0]['status']:9} {item.source}")
            else:
                failed += 1
                print(f"failed    {item.source}: {response.json().get('detail', response.text)}")
    print(f"uploaded {len(walk.files) - failed}, failed {failed}, skipped {len(walk.skipped)}")
    return 2 if failed else 0
