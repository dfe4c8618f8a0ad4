"""Markdown with optional front matter (YAML between `---`, TOML between `+++`).

Front matter is metadata, not text: it is parsed into `metadata` and removed,
so keys like `doc_type` or `year` reach the Document and never the index.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from ingest.converters.base import Extracted, decode_text

_FRONT = re.compile(r"\A(---|\+\+\+)[ \t]*\n(.*?)\n\1[ \t]*(\n|\Z)", re.S)
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


def split_front_matter(text: str) -> tuple[dict[str, object], str, list[str]]:
    """(metadata, body, warnings); broken front matter is a warning, not a failure."""
    match = _FRONT.match(text)
    if not match:
        return {}, text, []
    fence, raw = match.group(1), match.group(2)
    body = text[match.end():]
    try:
        meta = tomllib.loads(raw) if fence == "+++" else yaml.safe_load(raw)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        return {}, body, [f"front matter ignored: {str(exc).splitlines()[0]}"]
    if not isinstance(meta, dict):
        return {}, body, []
    return {str(k): v for k, v in meta.items()}, body, []


def extract_markdown(path: Path, data: bytes) -> Extracted:
    text = decode_text(data).replace("\r\n", "\n")
    meta, body, warnings = split_front_matter(text)
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        heading = _HEADING.search(body)
        title = heading.group(1).strip() if heading else None
    return Extracted(pages=[body], title=title, metadata=meta, warnings=warnings)
