"""The layout's promises: imports flow one way, the service does not load the benchmark, the image leaves it out."""

from __future__ import annotations

import ast
import fnmatch
import subprocess
import sys

import pytest
from conftest import ROOT

LAYERS = ("service", "index", "ingest")  # each may import only the ones after it


def _imports(path) -> set[str]:
    """Top-level package names a module imports (at import time or inside functions)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.unit
def test_imports_flow_service_to_index_to_ingest():
    """index/ never imports service/ (or eval/), ingest/ neither of them: the CLI alone reaches eval/, lazily."""
    wrong = []
    for position, layer in enumerate(LAYERS[1:], start=1):
        above = LAYERS[:position] + ("eval",)
        for path in sorted((ROOT / layer).rglob("*.py")):
            for name in _imports(path):
                if name.split(".")[0] in above:
                    wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


@pytest.mark.unit
def test_the_bench_runner_and_its_http_step_do_not_import_each_other():
    assert not {n for n in _imports(ROOT / "eval" / "bench_http.py") if n == "eval.bench"}
    assert "eval.bench_http" in _imports(ROOT / "eval" / "bench.py")  # the runner uses its steps, not the reverse
    for step in ("bench_http", "bench_load", "bench_scale", "bench_startup"):
        assert "eval.bench" not in _imports(ROOT / "eval" / f"{step}.py"), step


@pytest.mark.integration  # a fresh interpreter: about 3 s of imports
def test_starting_the_service_loads_no_benchmark_or_evaluation_code():
    probe = "import sys, service.app, service.cli; print(sorted(m for m in sys.modules if m.split('.')[0] == 'eval'))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.unit
def test_the_container_image_leaves_the_benchmark_out():
    patterns = [
        line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()[:1] not in ("", "#")
    ]

    def ignored(relative: str) -> bool:
        return any(fnmatch.fnmatch(relative, p) or relative.startswith(p.rstrip("/") + "/") for p in patterns)

    bench = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "eval").glob("bench*.py"))
    assert bench and all(ignored(p) for p in bench)
    for kept in ("eval/cli.py", "eval/run.py", "eval/queries.jsonl", "service/app.py", "index/search.py"):
        assert not ignored(kept), kept


@pytest.mark.integration  # a fresh interpreter
def test_bench_where_it_is_not_installed_says_so_in_one_line():
    probe = (
        "import sys; sys.modules['eval.bench'] = None; "  # as in the image: `import eval.bench` fails
        "from service.cli import main; sys.exit(main(['bench', '--quick']))"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("procsearch: error:") and "from a checkout" in lines[0]
