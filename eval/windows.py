"""Plain 220-word windows of a corpus, and their vectors, cached on disk for the baselines.

The baselines (eval/baselines.py) must not depend on how the project chunks,
weights or stores passages, or they would share its mistakes. So they take the
text of each file as the converters extract it (the part every search engine
needs), cut it into fixed windows of whitespace-separated words, and nothing
else: no headings, no titles, no overlap.

Parsing about 4,000 files and encoding their windows takes long on a small
machine, so both are cached: the windows under a key made of the corpus's
content (every file's source and SHA-256) and the recipe, the vectors under
that key plus the model's name and backend.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.clean import clean_pages
from ingest.converters import convert
from ingest.errors import IngestError
from ingest.walk import walk_paths
from service.settings import Settings

log = logging.getLogger(__name__)

WINDOW_WORDS = 220
RECIPE = "windows-v1"  # part of the cache key: bump when the windowing or text extraction changes
ENCODE_BATCH = 256  # windows per progress step while encoding


def cache_root() -> Path:
    """Where windows and vectors are cached (PROCSEARCH_BASELINE_CACHE, else beside the ONNX exports)."""
    return Settings.from_env().baseline_cache


@dataclass(frozen=True)
class Windows:
    """Every window of a corpus, grouped by document: document d owns texts[starts[d]:starts[d + 1]]."""

    sources: tuple[str, ...]  # one per document, the source path ingest gives it ("corpus/us-far/…")
    starts: np.ndarray  # index of each document's first window (increasing; each document has one or more)
    texts: tuple[str, ...]
    key: str  # hash of the corpus content and the recipe
    failed: tuple[str, ...] = ()  # sources without extractable text

    def best_per_document(self, window_scores: np.ndarray) -> np.ndarray:
        """The best window's score of each document (the document's score)."""
        return np.maximum.reduceat(window_scores, self.starts) if len(self.texts) else np.zeros(0)


def split_words(text: str, size: int = WINDOW_WORDS) -> list[str]:
    """Consecutive windows of `size` words (the last one shorter); none for a text without words."""
    words = text.split()
    return [" ".join(words[i : i + size]) for i in range(0, len(words), size)]


def _extract(path: Path) -> str:
    with path.open("rb") as handle:
        data = handle.read()
    extracted = convert(path, data)
    return "\n".join(clean_pages(extracted.pages, extracted.is_pdf))


def corpus_key(files: Sequence[tuple[str, Path]]) -> str:
    digest = hashlib.sha256(f"{RECIPE}:{WINDOW_WORDS}\n".encode())
    for source, path in sorted(files):
        digest.update(f"{source}\t{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()[:24]


def load_windows(
    corpus_paths: Sequence[Path | str],
    cache_dir: Path | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Windows:
    """The windows of every supported file under `corpus_paths` (the files ingest would take), cached."""
    walk = walk_paths([Path(p) for p in corpus_paths])
    files = [(f.source, f.path) for f in walk.files]
    key = corpus_key(files)
    cache = (cache_dir or cache_root()) / f"windows-{key}.json.gz"
    if cache.is_file():
        data = json.loads(gzip.decompress(cache.read_bytes()))
        return Windows(
            tuple(data["sources"]),
            np.array(data["starts"], dtype=np.int64),
            tuple(data["texts"]),
            key,
            tuple(data["failed"]),
        )
    sources: list[str] = []
    starts: list[int] = []
    texts: list[str] = []
    failed: list[str] = []
    for number, (source, path) in enumerate(sorted(files), start=1):
        try:
            windows = split_words(_extract(path))
        except (IngestError, OSError, ValueError) as exc:
            log.info("baseline windows: %s has no text (%s)", source, exc)
            windows = []
        if windows:
            sources.append(source)
            starts.append(len(texts))
            texts.extend(windows)
        else:
            failed.append(source)
        if progress:
            progress(number, len(files), f"windows {source}")
    _write_atomically(
        cache,
        gzip.compress(
            json.dumps(
                {"sources": sources, "starts": starts, "texts": texts, "failed": failed}, ensure_ascii=False
            ).encode()
        ),
    )
    return Windows(tuple(sources), np.array(starts, dtype=np.int64), tuple(texts), key, tuple(failed))


def _write_atomically(path: Path, data: bytes) -> None:
    """Temporary file then rename: an interrupted run never leaves a half-written cache entry."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def window_vectors(
    windows: Windows, embedder, cache_dir: Path | None = None, progress: Callable[[int, int, str], None] | None = None
) -> np.ndarray:
    """Normalised passage vectors of every window (float32, one row each), cached by model and corpus.

    Encoding a whole corpus takes long on a small machine, so each batch is
    saved as it is encoded: an interrupted run resumes where it stopped, and
    the batches are joined into one file at the end.
    """
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", str(embedder.name))[-60:]
    cache = (cache_dir or cache_root()) / f"vectors-{slug}-{embedder.backend}-{windows.key}.npy"
    if cache.is_file():
        vectors = np.load(cache)
        if vectors.shape[0] == len(windows.texts):
            return vectors
    batches = cache.with_name(cache.stem + ".batches")
    batches.mkdir(parents=True, exist_ok=True)
    parts = []
    for start in range(0, len(windows.texts), ENCODE_BATCH):
        done = batches / f"{start:08d}.npy"
        if done.is_file():
            parts.append(np.load(done))
        else:
            batch = list(windows.texts[start : start + ENCODE_BATCH])
            parts.append(np.asarray(embedder.embed_passages(batch), dtype=np.float32))
            _save_atomically(done, parts[-1])
        if progress:
            progress(min(start + ENCODE_BATCH, len(windows.texts)), len(windows.texts), "encoding windows")
    vectors = np.concatenate(parts) if parts else np.zeros((0, embedder.dimension), dtype=np.float32)
    _save_atomically(cache, vectors)
    shutil.rmtree(batches, ignore_errors=True)
    return vectors


def _save_atomically(path: Path, array: np.ndarray) -> None:
    temporary = path.with_name(path.stem + f".{os.getpid()}.tmp.npy")
    np.save(temporary, array)
    temporary.replace(path)
