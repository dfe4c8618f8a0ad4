"""Service settings, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from index.embedder import DEFAULT_BACKEND, DEFAULT_MODEL, resolve_backend


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
        )

    def open_collection(self, create: bool = False, embedder=None, check_model: bool = True):
        from index.collection import open_collection

        return open_collection(
            data_dir=self.data_dir,
            url=self.qdrant_url,
            model=self.model,
            collection=self.collection,
            create=create,
            embedder=embedder,
            api_key=self.qdrant_api_key,
            reranker=self.reranker,
            embedding_backend=self.backend,
            min_free_mb=self.min_free_mb,
            check_model=check_model,
        )
