"""The fusion weights are read-only defaults; a sweep passes its own copy and nothing else sees it."""

from __future__ import annotations

import dataclasses

import pytest

from index.query_sources import sources
from index.tuning import DEFAULT_TUNING, Tuning, default_tuning

pytestmark = pytest.mark.unit

QUESTION = "Peut-on réserver un lot à un établissement et service d'aide par le travail ?"


def test_the_default_weights_cannot_be_changed_in_place():
    with pytest.raises(TypeError):
        DEFAULT_TUNING["hybrid"] = Tuning(rrf_k=1)  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        default_tuning("hybrid").rrf_k = 1  # type: ignore[misc]
    assert default_tuning("lexical").expansion == 0.0 and default_tuning("hybrid").rrf_k == Tuning().rrf_k


def test_a_sweep_passes_its_own_tuning_and_leaves_the_defaults_alone():
    default = default_tuning("lexical")
    swept = dataclasses.replace(default, lexical_other=0.125)
    plain, language = sources(None, QUESTION, "lexical")  # lexical sources never read the collection
    tried, _ = sources(None, QUESTION, "lexical", swept)
    assert language == "fr"
    assert 0.125 in {q.weight for q in tried} and 0.125 not in {q.weight for q in plain}
    assert default_tuning("lexical") is default and default.lexical_other == 1.0


def test_each_model_gets_the_weights_chosen_for_it():
    """An English-only model keeps its own weights; the multilingual default and unknown models get the defaults."""
    minilm = default_tuning("hybrid", "all-MiniLM-L6-v2")
    assert minilm.dense_fr < minilm.dense_en and minilm.score_fused == ("fr",)
    assert default_tuning("hybrid", "/models/all-MiniLM-L6-v2/") is minilm  # a local folder of that model
    assert default_tuning("hybrid", "multilingual-e5-small") is default_tuning("hybrid") is DEFAULT_TUNING["hybrid"]
    assert default_tuning("hybrid").score_fused == ("fr", "en") and default_tuning("hybrid").dense_fr > 1
    lexical = default_tuning("lexical", "all-MiniLM-L6-v2")
    assert lexical.lexical_other == 1.0 and lexical.expansion == 0.0 and lexical.dense_fr == minilm.dense_fr
