"""eval.metrics against values worked out by hand (the arithmetic is in the comments)."""

import math

import pytest

from eval.metrics import (
    average_precision,
    dedupe,
    first_relevant_rank,
    mean,
    mrr_at_k,
    ndcg_at_k,
    percentile,
    recall_at_k,
)

pytestmark = pytest.mark.unit

LOG2_3 = math.log2(3)  # 1.58496…
LOG2_5 = math.log2(5)  # 2.32193…


def test_ndcg_with_graded_judgements():
    # ranked a b c d, grades a=0(unjudged) b=2 c=0 d=1
    # DCG  = 0/log2(2) + 2/log2(3) + 0/log2(4) + 1/log2(5) = 1.26186 + 0.43068 = 1.69254
    # IDCG = 2/log2(2) + 1/log2(3)                          = 2 + 0.63093     = 2.63093
    # nDCG = 1.69254 / 2.63093 = 0.64332
    qrels = {"b": 2, "d": 1}
    expected = (2 / LOG2_3 + 1 / LOG2_5) / (2 + 1 / LOG2_3)
    assert ndcg_at_k(["a", "b", "c", "d"], qrels, 10) == pytest.approx(expected)
    assert ndcg_at_k(["a", "b", "c", "d"], qrels, 10) == pytest.approx(0.64332, abs=1e-5)


def test_ndcg_cutoff_and_perfect_order():
    qrels = {"b": 2, "d": 1}
    # perfect order: DCG == IDCG → 1
    assert ndcg_at_k(["b", "d", "x"], qrels, 10) == pytest.approx(1.0)
    # k=2 on a b c d: DCG = 2/log2(3) = 1.26186; IDCG@2 = 2 + 1/log2(3) = 2.63093 → 0.47962
    assert ndcg_at_k(["a", "b", "c", "d"], qrels, 2) == pytest.approx((2 / LOG2_3) / (2 + 1 / LOG2_3))
    # the ideal list is cut at k too: one slot, best grade 2 → IDCG@1 = 2; ranked b first → 2/2 = 1
    assert ndcg_at_k(["b"], qrels, 1) == pytest.approx(1.0)


def test_ndcg_gain_is_the_grade_not_exponential():
    # grades x=3, y=1; ranked y x: DCG = 1 + 3/log2(3) = 2.89279; IDCG = 3 + 1/log2(3) = 3.63093 → 0.79671
    # (exponential gains 2^g-1 would give (1 + 7/log2(3)) / (7 + 1/log2(3)) = 0.70984 instead)
    assert ndcg_at_k(["y", "x"], {"x": 3, "y": 1}, 10) == pytest.approx((1 + 3 / LOG2_3) / (3 + 1 / LOG2_3))


def test_recall():
    qrels = {"b": 2, "d": 1, "z": 1}
    # top 2 of a b c d holds b: 1 of 3 relevant
    assert recall_at_k(["a", "b", "c", "d"], qrels, 2) == pytest.approx(1 / 3)
    # top 10 holds b and d: 2 of 3
    assert recall_at_k(["a", "b", "c", "d"], qrels, 10) == pytest.approx(2 / 3)


def test_mrr_counts_only_grade_one_and_above():
    # a is judged 0 (non-relevant), b relevant at rank 2 → 1/2
    assert mrr_at_k(["a", "b"], {"a": 0, "b": 1}, 10) == pytest.approx(0.5)
    # first relevant at rank 3 but k=2 → 0
    assert mrr_at_k(["a", "c", "b"], {"b": 1}, 2) == 0.0
    assert first_relevant_rank(["a", "c", "b"], {"b": 1}) == 3


def test_average_precision_over_all_relevant_docs():
    # relevant b (rank 2) and d (rank 4), plus z never retrieved
    # precisions at hits: 1/2, 2/4 → sum 1.0; divided by 3 relevant → 0.33333
    assert average_precision(["a", "b", "c", "d"], {"b": 1, "d": 2, "z": 1}) == pytest.approx(1 / 3)
    # relevant at ranks 1 and 3: (1/1 + 2/3) / 2 = 0.83333
    assert average_precision(["b", "a", "d"], {"b": 1, "d": 1}) == pytest.approx((1 + 2 / 3) / 2)


def test_no_relevant_document_retrieved_scores_zero():
    qrels = {"z": 2}
    ranked = ["a", "b", "c"]
    assert ndcg_at_k(ranked, qrels, 10) == 0.0
    assert recall_at_k(ranked, qrels, 10) == 0.0
    assert mrr_at_k(ranked, qrels, 10) == 0.0
    assert average_precision(ranked, qrels) == 0.0
    assert first_relevant_rank(ranked, qrels) is None
    assert ndcg_at_k([], qrels, 10) == 0.0


def test_empty_or_non_relevant_qrels_score_zero():
    # documented convention: undefined metric → 0.0; eval.run skips such queries instead of averaging them
    for qrels in ({}, {"a": 0}):
        assert ndcg_at_k(["a"], qrels, 10) == 0.0
        assert recall_at_k(["a"], qrels, 10) == 0.0
        assert mrr_at_k(["a"], qrels, 10) == 0.0
        assert average_precision(["a"], qrels) == 0.0


def test_duplicates_count_once():
    qrels = {"b": 1, "d": 1}
    ranked = ["b", "b", "a", "b", "d"]  # deduplicated: b a d
    assert dedupe(ranked) == ["b", "a", "d"]
    # deduplicated b a d: DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.63093 → 0.91972
    assert ndcg_at_k(ranked, qrels, 10) == pytest.approx(1.5 / (1 + 1 / LOG2_3))
    # a repeated relevant doc must not push nDCG above 1 nor recall above 1
    assert ndcg_at_k(["b", "b", "b"], {"b": 1}, 10) == pytest.approx(1.0)
    assert recall_at_k(["b", "b", "b"], {"b": 1}, 10) == 1.0
    # d is at rank 3 after deduplication, so it is inside k=3 although it is 5th in the raw list
    assert recall_at_k(ranked, qrels, 3) == 1.0
    # AP on b a d: (1/1 + 2/3) / 2 = 0.83333 (not (1 + 2/2 + 3/4 …) from counting b thrice)
    assert average_precision(ranked, qrels) == pytest.approx((1 + 2 / 3) / 2)


def test_mean_and_percentile():
    assert mean([]) == 0.0
    assert mean([1.0, 2.0, 6.0]) == pytest.approx(3.0)
    assert percentile([], 50) == 0.0
    assert percentile([5.0, 1.0, 3.0], 50) == 3.0
    # even count: the median interpolates between 2 and 3 → 2.5
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == pytest.approx(2.5)
    # p90 of 1..11: position (11-1)*0.9 = 9 → the 10th value, 10
    assert percentile([float(i) for i in range(1, 12)], 90) == pytest.approx(10.0)
