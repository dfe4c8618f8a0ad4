"""ONNX Runtime backends of the embedder, on the real packaged MiniLM exported into a temporary cache.

The export runs once for the module (fp32, then int8 quantized from it); both are compared with the
torch (sentence-transformers) vectors of the same model.
"""

from __future__ import annotations

import numpy as np
import pytest

from index import onnx_backend
from index.embedder import MINILM, Embedder
from tests.conftest import BUSES_EN, CATERING_EN, SOCIAL_FR

pytestmark = pytest.mark.integration

TEXTS = [
    SOCIAL_FR,
    CATERING_EN,
    BUSES_EN,
    "Marché public de fournitures de bureau",
    "award criteria",
    "Le pouvoir adjudicateur peut rejeter une offre anormalement basse après avoir demandé des précisions.",
]
INT8_MIN_COSINE = 0.98  # mean cosine of onnx-int8 to torch fp32 on corpus chunks is ~0.99 (README)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="module")
def torch_embedder():
    embedder = Embedder(MINILM, backend="torch")
    embedder.embed_query("warm up")
    return embedder


@pytest.fixture(scope="module")
def onnx_fp32(cache):
    embedder = Embedder(MINILM, backend="onnx", model_cache=cache)
    embedder.embed_query("warm up")
    return embedder


@pytest.fixture(scope="module")
def onnx_int8(cache, onnx_fp32):
    embedder = Embedder(MINILM, backend="onnx-int8", model_cache=cache)
    embedder.embed_query("warm up")
    return embedder


def cosines(a: list[list[float]], b: list[list[float]]) -> np.ndarray:
    return np.sum(np.asarray(a) * np.asarray(b), axis=1)


def test_fp32_matches_torch(torch_embedder, onnx_fp32):
    embedder = torch_embedder
    assert onnx_fp32.dimension == embedder.dimension == 384
    assert cosines(onnx_fp32.embed_passages(TEXTS), embedder.embed_passages(TEXTS)).min() >= 0.9999
    queries = ["clause sociale d'insertion", "battery warranty of the buses"]
    vectors = [onnx_fp32.embed_query(q) for q in queries], [embedder.embed_query(q) for q in queries]
    assert cosines(*vectors).min() >= 0.9999
    assert np.allclose(np.linalg.norm(onnx_fp32.encode_uncached(TEXTS), axis=1), 1.0, atol=1e-5)


def test_int8_stays_close_to_torch(torch_embedder, onnx_int8):
    values = cosines(onnx_int8.embed_passages(TEXTS), torch_embedder.embed_passages(TEXTS))
    assert values.mean() >= INT8_MIN_COSINE and values.min() >= INT8_MIN_COSINE - 0.02


@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_query_ranks_the_right_passage_first(onnx_fp32, onnx_int8, backend):
    embedder = {"onnx": onnx_fp32, "onnx-int8": onnx_int8}[backend]
    passages = embedder.embed_passages([SOCIAL_FR, CATERING_EN, BUSES_EN])
    for query, expected in [
        ("heures d'insertion des personnes éloignées de l'emploi", 0),
        ("organic produce in school meals", 1),
        ("winter range of electric buses", 2),
    ]:
        scores = np.asarray(passages) @ np.asarray(embedder.embed_query(query))
        assert int(np.argmax(scores)) == expected, (query, scores)


def test_export_is_cached_and_reused(cache, onnx_fp32, onnx_int8, monkeypatch):
    files = {"onnx": onnx_fp32.model.folder / "model.onnx", "onnx-int8": onnx_int8.model.folder / "model.onnx"}
    assert all(f.parent.parent == cache for f in files.values())
    before = {b: f.stat().st_mtime_ns for b, f in files.items()}

    def no_export(*args):
        raise AssertionError("exported again instead of reusing the cache")

    monkeypatch.setattr(onnx_backend, "_export", no_export)
    monkeypatch.setattr(onnx_backend, "_quantize", no_export)
    for backend, file in files.items():
        again = Embedder(MINILM, backend=backend, model_cache=cache)
        assert again.model.folder == file.parent
        first = onnx_fp32 if backend == "onnx" else onnx_int8
        assert again.embed_query("reuse") == pytest.approx(first.embed_query("reuse"), abs=1e-6)
    assert {b: f.stat().st_mtime_ns for b, f in files.items()} == before
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no temporary folder left over


def test_failed_export_leaves_nothing(tmp_path, monkeypatch):
    def broken(model_path, out):
        (out / "model.onnx").write_bytes(b"half a model")
        raise KeyboardInterrupt  # as if the export were killed half way

    monkeypatch.setattr(onnx_backend, "_export", broken)
    with pytest.raises(KeyboardInterrupt):
        _ = Embedder(MINILM, backend="onnx", model_cache=tmp_path / "cache").model
    assert list((tmp_path / "cache").iterdir()) == []


def test_backend_comes_from_the_settings_not_the_library(monkeypatch, tmp_path):
    from index.embedder import DEFAULT_BACKEND
    from service.settings import Settings

    monkeypatch.setenv("PROCSEARCH_BACKEND", "torch")
    assert Embedder(MINILM).backend == DEFAULT_BACKEND  # the library reads no environment variable
    settings = Settings.from_env({"PROCSEARCH_BACKEND": "torch", "PROCSEARCH_ONNX_CACHE": str(tmp_path)})
    embedder = settings.embedder(MINILM)
    assert embedder.backend == "torch" and embedder.model_cache == tmp_path and not embedder.allow_download
    assert Settings.from_env({"PROCSEARCH_ALLOW_DOWNLOAD": "1"}).embedder().allow_download


def test_unknown_backend_is_refused(monkeypatch):
    with pytest.raises(ValueError, match="torch, onnx, onnx-int8"):
        Embedder(MINILM, backend="tensorflow")
    from service.settings import Settings

    with pytest.raises(ValueError, match="openvino"):
        Settings.from_env({"PROCSEARCH_BACKEND": "openvino"})

    with pytest.raises(ValueError):
        Settings.from_env({"PROCSEARCH_BACKEND": "gpu"})
    assert Settings.from_env({"PROCSEARCH_BACKEND": "ONNX"}).backend == "onnx"


def test_a_model_loaded_in_the_background_is_the_one_used(cache, onnx_int8):
    embedder = Embedder(MINILM, backend="onnx-int8", model_cache=cache)
    embedder.load_in_background().join()
    loaded = embedder._model
    assert loaded is not None
    assert embedder.embed_query(SOCIAL_FR) == onnx_int8.embed_query(SOCIAL_FR)
    assert embedder.model is loaded  # loaded once


def test_a_background_load_that_fails_is_reported_by_the_first_use(tmp_path):
    from ingest.errors import ModelError

    embedder = Embedder(str(tmp_path / "no-such-model"), backend="onnx-int8")
    embedder.load_in_background().join()  # the thread keeps the error to itself
    with pytest.raises(ModelError, match="no-such-model"):
        _ = embedder.model
