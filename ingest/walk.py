"""Which files an ingest run covers, and under which stable source path.

A folder argument keeps its own name in the source path
(`ingest ../shared/corpus/minumeco` → `minumeco/pdf/guide.pdf`), so two
folders ingested together never collide and a file keeps its id across runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingest.converters import SUPPORTED, skip_reason
from ingest.metadata import read_catalog

_SIDECARS = {"catalog.toml"}


@dataclass(frozen=True)
class SourceFile:
    path: Path
    source: str
    catalog: dict[str, object] = field(default_factory=dict)


@dataclass
class Walk:
    files: list[SourceFile] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    roots: list[str] = field(default_factory=list)  # source prefixes covered, for --prune


def _hidden(relative: Path) -> bool:
    return any(part.startswith((".", "_")) and part not in (".", "..") for part in relative.parts)


def walk_paths(paths: list[Path]) -> Walk:
    """Supported files under `paths` (recursively), plus what was skipped and why.

    Raises ValueError for a path that does not exist: that is a typo, not a bad file.
    """
    walk = Walk()
    for given in paths:
        if not given.exists():
            raise ValueError(f"{given}: no such file or folder")
        given = given.resolve()
        if given.is_file():
            walk.files.append(SourceFile(given, given.name, read_catalog(given.parent).get(given.name, {})))
            continue
        walk.roots.append(given.name + "/")
        catalogs: dict[Path, dict[str, dict[str, object]]] = {}
        for path in sorted(given.rglob("*")):
            relative = path.relative_to(given)
            if not path.is_file() or _hidden(relative) or path.name in _SIDECARS:
                continue
            source = f"{given.name}/{relative.as_posix()}"
            if path.suffix.lower() not in SUPPORTED:
                walk.skipped.append((source, skip_reason(path)))
                continue
            walk.files.append(SourceFile(path, source, _catalog_entry(path, given, catalogs)))
    return walk


def _catalog_entry(path: Path, root: Path, cache: dict[Path, dict[str, dict[str, object]]]) -> dict[str, object]:
    """The nearest catalog.toml entry for `path`, looking up from its folder to the root."""
    folder = path.parent
    while True:
        if folder not in cache:
            cache[folder] = read_catalog(folder)
        entry = cache[folder].get(path.relative_to(folder).as_posix())
        if entry is not None or folder == root or root not in folder.parents:
            return entry or {}
        folder = folder.parent
