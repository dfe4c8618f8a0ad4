"""Service settings, read once from the environment: the one place that reads it.

Libraries (index/, ingest/) take what they need as parameters; the service, the CLI and the evaluation
build a Settings and pass its values down, so a test can give any configuration without touching
the process's environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from index.embedder import DEFAULT_BACKEND, DEFAULT_MODEL, Embedder, resolve_backend
from index.onnx_backend import DEFAULT_CACHE

CHECKOUT = Path(__file__).resolve().parent.parent  # the source tree (a checkout, or site-packages when installed)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    """PROCSEARCH_DATA: folder of the embedded Qdrant Edge store and of uploaded files."""
    qdrant_url: str | None = None
    """QDRANT_URL: a Qdrant server or cluster (http://host:6333); when set the embedded store is not used."""
    qdrant_api_key: str | None = None
    """QDRANT_API_KEY: API key of that server, if it requires one."""
    collection: str = "procsearch"
    """PROCSEARCH_COLLECTION: collection name on the Qdrant server."""
    model: str = DEFAULT_MODEL
    """PROCSEARCH_MODEL: multilingual-e5-small (default, French and English), all-MiniLM-L6-v2, or a local path."""
    backend: str = DEFAULT_BACKEND
    """PROCSEARCH_BACKEND: what runs the embedding model: torch, onnx (fp32) or onnx-int8; vectors stay compatible."""
    model_cache: Path = DEFAULT_CACHE
    """PROCSEARCH_ONNX_CACHE: where the model is converted and exported once (default ~/.cache/procsearch/onnx)."""
    allow_download: bool = False
    """PROCSEARCH_ALLOW_DOWNLOAD=1: let a model or reranker name that is not a local folder come from the hub."""
    reranker: str | None = None
    """PROCSEARCH_RERANKER: optional cross-encoder (id or local path) rescoring the top 30 passages; off by default."""
    admin_key: str | None = None
    """PROCSEARCH_ADMIN_KEY: bearer key for uploads and deletes; unset means those endpoints answer 403."""
    api_keys: tuple[str, ...] = ()
    """PROCSEARCH_API_KEYS: comma-separated bearer keys; when set, read endpoints need one of them too."""
    max_upload_mb: int = 50
    """PROCSEARCH_MAX_UPLOAD_MB: largest accepted upload, in MiB (413 above it)."""
    parse_timeout: float = 300.0
    """PROCSEARCH_PARSE_TIMEOUT: seconds one file may take to parse before it fails alone (bombs, deep nesting)."""
    query_log_days: int = 180
    """PROCSEARCH_QUERY_LOG_DAYS: days the query log (questions, no keys or addresses) is kept; 0 turns it off."""
    search_workers: int = 2
    """PROCSEARCH_SEARCH_WORKERS: searches run at once (default: the machine's cores); others wait their turn."""
    search_queue: int = 64
    """PROCSEARCH_SEARCH_QUEUE: searches that may wait; past that the service answers 429 with Retry-After."""
    min_free_mb: int | None = None
    """PROCSEARCH_MIN_FREE_MB: free disk space (MB) the embedded store needs to open and to write (default 128)."""
    host: str = "127.0.0.1"
    """PROCSEARCH_HOST: address `procsearch serve` binds to."""
    port: int = 8000
    """PROCSEARCH_PORT: port `procsearch serve` listens on."""
    shared_dir: Path = CHECKOUT.parent / "shared"
    """PROCSEARCH_SHARED: the shared real documents (corpus/, pdf-samples/, eval/piaf/) the evaluations read."""
    baseline_cache: Path = Path.home() / ".cache" / "procsearch" / "baselines"
    """PROCSEARCH_BASELINE_CACHE: where `procsearch eval --baselines` keeps its windows and their vectors."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            data_dir=Path(env.get("PROCSEARCH_DATA", "data")),
            qdrant_url=env.get("QDRANT_URL") or None,
            qdrant_api_key=env.get("QDRANT_API_KEY") or None,
            collection=env.get("PROCSEARCH_COLLECTION", "procsearch"),
            model=env.get("PROCSEARCH_MODEL", DEFAULT_MODEL),
            backend=resolve_backend(env.get("PROCSEARCH_BACKEND") or DEFAULT_BACKEND),
            model_cache=Path(env.get("PROCSEARCH_ONNX_CACHE") or DEFAULT_CACHE),
            allow_download=env.get("PROCSEARCH_ALLOW_DOWNLOAD") == "1",
            reranker=env.get("PROCSEARCH_RERANKER") or None,
            admin_key=env.get("PROCSEARCH_ADMIN_KEY") or None,
            api_keys=tuple(k.strip() for k in env.get("PROCSEARCH_API_KEYS", "").split(",") if k.strip()),
            max_upload_mb=int(env.get("PROCSEARCH_MAX_UPLOAD_MB", "50")),
            parse_timeout=float(env.get("PROCSEARCH_PARSE_TIMEOUT", "300")),
            query_log_days=int(env.get("PROCSEARCH_QUERY_LOG_DAYS", "180")),
            search_workers=int(env.get("PROCSEARCH_SEARCH_WORKERS") or os.cpu_count() or 2),
            search_queue=int(env.get("PROCSEARCH_SEARCH_QUEUE", "64")),
            min_free_mb=int(env["PROCSEARCH_MIN_FREE_MB"]) if env.get("PROCSEARCH_MIN_FREE_MB") else None,
            host=env.get("PROCSEARCH_HOST", "127.0.0.1"),
            port=int(env.get("PROCSEARCH_PORT", "8000")),
            shared_dir=Path(env.get("PROCSEARCH_SHARED") or CHECKOUT.parent / "shared"),
            baseline_cache=Path(env.get("PROCSEARCH_BASELINE_CACHE") or cls.baseline_cache),
        )

    def embedder(self, model: str | None = None, batch_size: int = 32) -> Embedder:
        """The embedding model these settings name (or `model`), run and cached as they say; loaded on first use."""
        return Embedder(
            model or self.model,
            batch_size=batch_size,
            backend=self.backend,
            model_cache=self.model_cache,
            allow_download=self.allow_download,
        )

    def open_collection(self, create: bool = False, embedder=None, check_model: bool = True):
        from index.collection import open_collection

        return open_collection(
            data_dir=self.data_dir,
            url=self.qdrant_url,
            model=self.model,
            collection=self.collection,
            create=create,
            embedder=embedder or self.embedder(),
            api_key=self.qdrant_api_key,
            reranker=self.reranker,
            allow_download=self.allow_download,
            min_free_mb=self.min_free_mb,
            check_model=check_model,
        )
