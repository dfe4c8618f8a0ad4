"""The CLI beside a running server (`search`/`stats --server`), its progress lines, help and first-run message."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest

from service import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    """The real app under uvicorn on a free port, over a store that this server owns."""
    from conftest import CATERING_EN, serving

    from index.collection import open_collection
    from index.indexer import ingest_paths
    from service.app import create_app
    from service.settings import Settings

    base = tmp_path_factory.mktemp("cli-server")
    docs = base / "docs"
    docs.mkdir()
    (docs / "catering-rfp.md").write_text(
        "---\ntitle: RFP School Catering\ndoc_type: tender\nyear: 2024\n---\n"
        "# RFP School Catering\n\n" + CATERING_EN + "\n",
        encoding="utf-8",
    )
    settings = Settings(data_dir=base / "data")
    with open_collection(data_dir=settings.data_dir, create=True, embedder=embedder) as collection:
        ingest_paths(collection, [docs], workers=0)
        with serving(create_app(settings, collection=collection)) as url:
            yield url, settings.data_dir


@pytest.mark.integration
def test_search_and_stats_read_through_the_server_that_owns_the_store(server, capsys, tmp_path):
    url, _ = server
    assert cli.main(["--data", str(tmp_path / "unused"), "search", "school meals catering", "--server", url]) == 0
    out = capsys.readouterr().out
    assert "RFP School Catering" in out and "catering-rfp.md" in out
    assert cli.main(["stats", "--server", url]) == 0
    out = capsys.readouterr().out
    assert '"documents": 1' in out and url in out
    assert not (tmp_path / "unused").exists(), "the CLI opened a store of its own"


@pytest.mark.integration
def test_a_server_refusal_is_one_line_and_exit_1(server, capsys):
    url, _ = server
    assert cli.main(["search", "catering", "--server", url, "--type", "tender", "--k", "0"]) == 1
    assert "answered 400" in capsys.readouterr().err
    assert cli.main(["stats", "--server", "http://127.0.0.1:9"]) == 1
    assert "cannot reach" in capsys.readouterr().err


@pytest.mark.unit
def test_ingest_help_lists_every_format(capsys):
    from ingest.converters import SUPPORTED

    with pytest.raises(SystemExit):
        cli.main(["ingest", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert all(ext in text for ext in SUPPORTED)


class _Log(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.mark.unit
def test_progress_without_a_terminal_is_a_line_every_few_seconds(monkeypatch):
    clock = iter([0.0, 1.0, 2.0, 6.0, 7.0, 12.5, 13.0])
    monkeypatch.setattr(cli.time, "monotonic", lambda: next(clock))
    stream = _Log()
    update, close = cli._progress(stream=stream)
    for done in range(1, 7):
        update(done, 6, f"file{done}.pdf")
    close()
    lines = stream.getvalue().splitlines()
    assert lines == [
        "ingest: 3/6 files, 0.5 files/s, 6 s",
        "ingest: 5/6 files, 0.4 files/s, 12 s",
        "ingest: 6/6 files, 0.5 files/s, 13 s",
    ]


@pytest.mark.unit
def test_the_first_model_export_is_announced_once(monkeypatch, tmp_path, caplog):
    from index import onnx_backend

    def fake_export(model_path: str, out: Path) -> None:
        (out / "settings.json").write_text("{}")

    def fake_quantize(fp32: Path, out: Path) -> None:
        (out / "settings.json").write_text("{}")

    monkeypatch.setattr(onnx_backend, "local_folder", lambda model, allow_download=False: tmp_path)
    monkeypatch.setattr(onnx_backend, "model_hash", lambda folder: "0123456789abcdef")
    monkeypatch.setattr(onnx_backend, "_export", fake_export)
    monkeypatch.setattr(onnx_backend, "_quantize", fake_quantize)
    with caplog.at_level(logging.INFO, logger="index.onnx_backend"):
        onnx_backend.ensure_export("model", "onnx-int8", tmp_path / "cache")
        onnx_backend.ensure_export("model", "onnx-int8", tmp_path / "cache")
    said = [r.getMessage() for r in caplog.records if r.name == "index.onnx_backend"]
    assert len(said) == 1 and said[0].startswith("preparing the embedding model for first use")


@pytest.mark.unit
def test_the_quantizer_advice_stays_off_the_console(monkeypatch, tmp_path):
    pytest.importorskip("onnxruntime.quantization")
    import onnxruntime.quantization as quantization

    from index import onnx_backend

    onnx = pytest.importorskip("onnx")
    graph = onnx.helper.make_graph([], "empty", [], [])
    fp32 = tmp_path / "fp32"
    fp32.mkdir()
    onnx.save(onnx.helper.make_model(graph), str(fp32 / "model.onnx"))
    for name in ("tokenizer.json", "settings.json"):
        (fp32 / name).write_text("{}")
    monkeypatch.setattr(
        quantization,
        "quantize_dynamic",
        lambda *a, **k: logging.warning("Please consider to run pre-processing before quantization"),
    )
    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger().addHandler(handler)
    try:
        out = tmp_path / "int8"
        out.mkdir()
        onnx_backend._quantize(fp32, out)
    finally:
        logging.getLogger().removeHandler(handler)
    assert seen == []


@pytest.mark.unit
def test_make_run_installs_the_runtime_dependencies_only():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run = re.search(r"^run: (\S+)", makefile, re.M)
    assert run, "no run target"
    recipe = re.search(rf"^{re.escape(run.group(1))}:.*?\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe and "pip install" in recipe.group(1) and "[dev]" not in recipe.group(1)
