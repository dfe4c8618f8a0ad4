"""Retrieval quality must not regress: hybrid nDCG@10 on the bundled set against eval/baseline.json.

Update the baseline deliberately (`procsearch eval --json`), with the reason in the commit message.
"""

import json

import pytest
from conftest import ROOT

from eval.run import evaluate

TOLERANCE = 0.02
pytestmark = pytest.mark.slow  # a whole evaluation: `make test-all`


def test_hybrid_ndcg_does_not_drop_below_the_baseline(embedder):
    baseline = json.loads((ROOT / "eval" / "baseline.json").read_text())
    report = evaluate(modes=("hybrid",), embedder=embedder)
    overall = next(b for b in report.modes[0].breakdowns if b.subset == "all")
    expected = baseline["hybrid"]["all"]["ndcg@10"]
    assert overall.n >= 90
    assert overall.ndcg >= expected - TOLERANCE, (
        f"hybrid nDCG@10 fell to {overall.ndcg:.3f} from the baseline {expected:.3f}"
    )
