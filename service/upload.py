"""`procsearch ingest --server URL`: send files through a running server.

The embedded store has one owner; when a server holds it, other processes
add documents through its API instead of opening the store themselves.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from ingest.errors import ProcsearchError
from ingest.walk import walk_paths


def upload_paths(server: str, paths: list[Path], key: str | None, doc_type: str | None = None) -> int:
    """Upload every supported file under its path relative to the root given, exactly as a local ingest
    names it (`docs/a/index.md`), so same-named files in different folders stay different documents.

    `key` is the server's admin key (PROCSEARCH_ADMIN_KEY in the settings). Prints one line per file;
    returns the exit code (2 if any failed).
    """
    if not key:
        raise ProcsearchError("set PROCSEARCH_ADMIN_KEY to the server's admin key to upload through it")
    walk = walk_paths(paths)
    failed = 0
    with httpx.Client(base_url=server.rstrip("/"), headers={"Authorization": f"Bearer {key}"}, timeout=600) as client:
        for item in walk.files:
            data = {"doc_type": doc_type} if doc_type else {}
            try:
                response = client.post(
                    "/v1/documents", files={"files": (item.source, item.path.read_bytes())}, data=data
                )
            except httpx.HTTPError as exc:
                raise ProcsearchError(f"cannot reach {server}: {exc}") from exc
            except OSError as exc:
                failed += 1
                print(f"failed    {item.source}: unreadable: {exc.strerror or exc}")
                continue
            body = _json(response)
            outcome = (body.get("files") or [{}])[0] if response.status_code in (200, 201, 207) else {}
            if outcome.get("status") in ("added", "updated", "unchanged"):
                print(f"{outcome['status']:9} {item.source}")
            else:
                failed += 1
                print(f"failed    {item.source}: {outcome.get('reason') or body.get('detail') or response.text}")
    for source, reason in walk.skipped:
        print(f"skipped   {source}: {reason}")
    print(f"uploaded {len(walk.files) - failed}, failed {failed}, skipped {len(walk.skipped)}")
    return 2 if failed else 0


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
