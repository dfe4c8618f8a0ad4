"""Optional second stage: a cross-encoder rescoring the best candidates (PROCSEARCH_RERANKER).

Off by default: no multilingual cross-encoder installs offline here, and an
English one would hurt French queries. Any sentence-transformers CrossEncoder
id or local path can be given where one is available; it reads each
(question, passage) pair whole, which the bi-encoder cannot.
"""

from __future__ import annotations

import dataclasses
import threading

from index.onnx_backend import local_folder
from ingest.errors import ModelError

RERANK_TOP = 30  # candidates rescored; the rest keep their fused order below them


class Reranker:
    """Loads the cross-encoder once, on first use; `allow_download` as for the Embedder (off: local files only)."""

    def __init__(self, name: str, allow_download: bool = False):
        self.name = name
        self.allow_download = allow_download
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                from sentence_transformers import CrossEncoder

                try:
                    name = self.name if self.allow_download else str(local_folder(self.name))
                    self._model = CrossEncoder(name, device="cpu", local_files_only=not self.allow_download)
                except Exception as exc:  # noqa: BLE001 - one message for the person who set the variable
                    raise ModelError(
                        f"cannot load reranker '{self.name}': {exc}. Unset PROCSEARCH_RERANKER or "
                        "give a local CrossEncoder folder."
                    ) from exc
            return self._model

    def rerank(self, query: str, hits: list, top: int = RERANK_TOP) -> list:
        """`hits` with the first `top` reordered by cross-encoder score (their `score` becomes that score)."""
        head, tail = hits[:top], hits[top:]
        if not head:
            return hits
        scores = self.model.predict([(query, hit.text) for hit in head], show_progress_bar=False)
        rescored = [dataclasses.replace(hit, score=float(score)) for hit, score in zip(head, scores, strict=True)]
        return sorted(rescored, key=lambda hit: -hit.score) + tail
