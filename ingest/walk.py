"""Which files an ingest run covers, and under which stable source path.

A folder argument keeps its own name in the source path
(`ingest ../shared/corpus/minumeco` → `minumeco/pdf/guide.pdf`), so two
folders ingested together never collide and a file keeps its id across runs.

Symbolic links inside a folder are never followed: one pointing out of the
folder could make the index (and the file endpoint) disclose any file the
service can read; one pointing inside names a file that is ingested under its
own path anyway. Each is reported as skipped, with the reason.
"""

from __future__ import annotations

import os
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
        for path in _files_under(given):
            relative = path.relative_to(given)
            if _hidden(relative) or path.name in _SIDECARS:
                continue
            source = f"{given.name}/{relative.as_posix()}"
            if path.is_symlink():
                walk.skipped.append((source, _link_reason(path, given)))
                continue
            if not path.is_file():
                continue
            if path.suffix.lower() not in SUPPORTED:
                walk.skipped.append((source, skip_reason(path)))
                continue
            walk.files.append(SourceFile(path, source, _catalog_entry(path, given, catalogs)))
    return walk


def _files_under(root: Path) -> list[Path]:
    """Every entry below `root` that is not a real folder, sorted; links to folders are not descended."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        base = Path(folder)
        found.extend(base / name for name in files)
        found.extend(base / name for name in dirs if (base / name).is_symlink())
    return sorted(found)


def _link_reason(path: Path, root: Path) -> str:
    target = Path(os.path.realpath(path))
    if not target.is_relative_to(root):
        kind = "a folder" if target.is_dir() else "a file"
        return f"symbolic link to {kind} outside the ingested folder: not followed"
    return "symbolic link: not followed (a file it points to in this folder is ingested under its own path)"


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
