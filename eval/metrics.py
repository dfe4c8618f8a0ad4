"""Ranking metrics over one query: a ranked list of ids and graded judgements.

Pure functions, no numpy, so the numbers can be checked by hand (see
tests/test_metrics.py). Conventions shared by every function:

* `ranked` is best first. An id repeated further down counts once, at its
  first position: search returns passages, and a document seen twice must not
  be rewarded twice (nor can nDCG then exceed 1).
* `qrels` maps id → grade. A grade ≥ 1 is relevant; 0 or less is a judged
  non-relevant document (BEIR sets carry those too).
* A query with no relevant judgement scores 0.0 everywhere. The metric cannot
  be defined for it, so callers (eval.run) skip such queries instead of
  averaging the zeros in; returning 0.0 keeps these functions total.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence


def dedupe(ranked: Iterable[str]) -> list[str]:
    """The ids in first-occurrence order, each once."""
    seen: set[str] = set()
    out: list[str] = []
    for item in ranked:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def relevant_ids(qrels: Mapping[str, float]) -> set[str]:
    """Ids judged relevant (grade ≥ 1)."""
    return {doc for doc, grade in qrels.items() if grade >= 1}


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain with a log2(rank + 1) discount, ranks from 1."""
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def ndcg_at_k(ranked: Sequence[str], qrels: Mapping[str, float], k: int) -> float:
    """nDCG@k with the grade itself as gain (not 2^grade - 1), ideal order taken from qrels."""
    ideal = sorted((_gain(g) for g in qrels.values()), reverse=True)[:k]
    best = dcg(ideal)
    if best == 0:
        return 0.0
    gains = [_gain(qrels.get(doc, 0)) for doc in dedupe(ranked)[:k]]
    return dcg(gains) / best


def _gain(grade: float) -> float:
    return grade if grade >= 1 else 0.0


def recall_at_k(ranked: Sequence[str], qrels: Mapping[str, float], k: int) -> float:
    """Share of the relevant ids that appear in the top k."""
    relevant = relevant_ids(qrels)
    if not relevant:
        return 0.0
    return len(relevant.intersection(dedupe(ranked)[:k])) / len(relevant)


def first_relevant_rank(ranked: Sequence[str], qrels: Mapping[str, float]) -> int | None:
    """Rank (from 1) of the first relevant id, or None when none was retrieved."""
    relevant = relevant_ids(qrels)
    return next((rank for rank, doc in enumerate(dedupe(ranked), start=1) if doc in relevant), None)


def mrr_at_k(ranked: Sequence[str], qrels: Mapping[str, float], k: int) -> float:
    """Reciprocal rank of the first relevant id, 0 when it is below k or absent."""
    rank = first_relevant_rank(ranked, qrels)
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def average_precision(ranked: Sequence[str], qrels: Mapping[str, float]) -> float:
    """Mean of precision@rank at each relevant hit, divided by all relevant ids (retrieved or not).

    Dividing by every relevant id, not just the retrieved ones, is what makes a
    missed document cost something; the whole list counts, no cut-off.
    """
    relevant = relevant_ids(qrels)
    if not relevant:
        return 0.0
    found = 0
    total = 0.0
    for rank, doc in enumerate(dedupe(ranked), start=1):
        if doc in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean; 0.0 for no values so an empty breakdown prints as 0, not a crash."""
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0–100) with linear interpolation between ranks; 0.0 for no values."""
    items = sorted(values)
    if not items:
        return 0.0
    position = (len(items) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(items) - 1)
    return items[low] + (items[high] - items[low]) * (position - low)
