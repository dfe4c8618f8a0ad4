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
from ingest.errors import IngestError
from ingest.metadata import MAX_METADATA_CHARS, metadata_exceeds

_FRONT = re.compile(r"\A(---|\+\+\+)[ \t]*\n(.*?)\n\1[ \t]*(\n|\Z)", re.S)
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


def split_front_matter(text: str) -> tuple[dict[str, object], str, list[str]]:
    """(metadata, body, warnings); broken front matter is a warning, not a failure; oversized fails the file."""
    match = _FRONT.match(text)
    if not match:
        return {}, text, []
    fence, raw = match.group(1), match.group(2)
    body = text[match.end() :]
    try:
        meta = tomllib.loads(raw) if fence == "+++" else yaml.safe_load(raw)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        return {}, body, [f"front matter ignored: {str(exc).splitlines()[0]}"]
    if not isinstance(meta, dict):
        return {}, body, []
    if metadata_exceeds(meta):
        raise IngestError(
            f"front matter too large: its metadata would take over {MAX_METADATA_CHARS:,} "
            "characters (YAML aliases expand when stored); shorten it"
        )
    return {str(k): v for k, v in meta.items()}, body, []


_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def strip_inline_markup(body: str) -> str:
    """Bold markers, link targets and comments are markup, not words a passage should quote."""
    return _EMPHASIS.sub(r"\2", _LINK.sub(r"\1", _COMMENT.sub("", body)))


def extract_markdown(path: Path, data: bytes) -> Extracted:
    text = decode_text(data).replace("\r\n", "\n")
    meta, body, warnings = split_front_matter(text)
    body = strip_inline_markup(body)
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        heading = _HEADING.search(body)
        title = heading.group(1).strip() if heading else None
    return Extracted(pages=[body], title=title, metadata=meta, warnings=warnings)


# MDX: Markdown plus JSX. ESM lines (import/export) are code; a JSX tag alone on its
# line is layout (<Summary>, </ExternalResources>); the text between tags is content.
_ESM = re.compile(r"^(import|export)\b")
_JSX_LINE = re.compile(r"^\s*</?[A-Za-z][\w.:-]*(\s[^<>]*)?/?>.*>\s*$|^\s*</?[A-Za-z][\w.:-]*(\s[^<>]*)?/?>\s*$")
_JSX_OPEN = re.compile(r"^\s*<[A-Z][\w.]*(\s[^>]*)?$")  # a component tag whose attributes span lines
_TAG = re.compile(r"</?[A-Za-z][\w.:-]*(?:\s+[^<>]*?)?\s*/?>")
_VISIBLE_ATTRIBUTE = re.compile(r"""\b(?:heading|title|label)\s*=\s*(?:"([^"]+)"|'([^']+)')""")
_JSX_COMMENT = re.compile(r"\{/\*.*?\*/\}", re.S)


def _balance(text: str) -> int:
    return sum(text.count(c) for c in "({[") - sum(text.count(c) for c in ")}]")


def strip_mdx(body: str) -> str:
    """Markdown of an MDX body: ESM statements and JSX-only lines out, their visible text kept."""
    body = _JSX_COMMENT.sub("", body)
    out: list[str] = []
    lines = body.split("\n")
    i, fenced = 0, False
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or line.lstrip().startswith(("```", "~~~")):
            out.append(line)
            i += 1
            continue
        if _ESM.match(line):  # the statement runs until its brackets close
            depth = _balance(line)
            while depth > 0 and i + 1 < len(lines):
                i += 1
                depth += _balance(lines[i])
            i += 1
            continue
        if _JSX_OPEN.match(line):  # <Component a="x"\n  b="y">: gather the tag first
            while ">" not in line and i + 1 < len(lines):
                i += 1
                line += " " + lines[i].strip()
        if _JSX_LINE.match(line) or _JSX_OPEN.match(line):
            shown = [a or b for a, b in _VISIBLE_ATTRIBUTE.findall(line)]
            text = _TAG.sub(" ", line).strip()
            out.extend(shown + ([text] if text else []) or [""])
        else:
            out.append(line)
        i += 1
    return "\n".join(out)


def extract_mdx(path: Path, data: bytes) -> Extracted:
    extracted = extract_markdown(path, data)
    body = strip_mdx(extracted.pages[0])
    title = extracted.metadata.get("title")
    if not isinstance(title, str) or not title.strip():
        # MDX sites often name the page `heading` or `meta_title` in front matter
        named = extracted.metadata.get("heading") or extracted.metadata.get("meta_title")
        heading = _HEADING.search(body)
        title = named if isinstance(named, str) and named.strip() else (heading.group(1).strip() if heading else None)
    return Extracted(pages=[body], title=title, metadata=extracted.metadata, warnings=extracted.warnings)
