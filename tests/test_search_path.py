"""The search path's conversation with the store: one batch of queries, and payloads read once.

A search's chunk query, its French document-level BM25 query and its nothing-found probe travel as one
batch (one round trip to a Qdrant server); the embedded store keeps the payload keys searches read and
forgets them on every write.
"""

from __future__ import annotations

from collections import Counter

import pytest

from index.indexer import ingest_paths
from index.point_ids import document_point_id
from index.search import search
from index.store import Where
from index.store.payload_cache import PayloadCache


def _count_calls(client) -> Counter:
    calls: Counter = Counter()
    for name in ("query_points", "query_batch_points"):
        method = getattr(client, name)

        def counted(*args, _name=name, _method=method, **kwargs):
            calls[_name] += 1
            return _method(*args, **kwargs)

        setattr(client, name, counted)
    return calls


@pytest.mark.integration
@pytest.mark.parametrize("question", ["nettoyage des locaux durée du marché", "school catering menus"])
def test_a_search_sends_its_queries_in_one_batch(server_collection, small_corpus, question):
    ingest_paths(server_collection, [small_corpus], workers=0)
    calls = _count_calls(server_collection.store._client)
    result = search(server_collection, question)
    assert result.documents, "the question matches terms: answered, not emptied"
    assert sum(calls.values()) == 1 and calls["query_batch_points"] == 1


@pytest.mark.integration
def test_nonsense_is_still_emptied_with_the_probe_in_the_batch(server_collection, small_corpus):
    ingest_paths(server_collection, [small_corpus], workers=0)
    assert search(server_collection, "xqzzyv blorf").documents == []


@pytest.mark.integration
def test_a_write_clears_what_the_embedded_store_kept(edge_collection, small_corpus):
    ingest_paths(edge_collection, [small_corpus], workers=0)
    first = search(edge_collection, "school catering menus")
    document_id = first.documents[0].document_id
    assert first.facets["doc_type"]  # the pool's keys were read (and kept)
    point = document_point_id(document_id)
    edge_collection.store.set_payload(Where(kind="chunk", document_ids=(document_id,)), {"doc_type": "minutes"})
    again = search(edge_collection, "school catering menus")
    types = {d.document_id: d.document.doc_type for d in again.documents}
    assert types[document_id] == "minutes"
    assert edge_collection.store.retrieve([point])  # the record is still read


@pytest.mark.unit
def test_a_read_that_started_before_a_write_is_not_kept():
    cache = PayloadCache()
    generation = cache.generation
    cache.clear()  # a write lands while the read is under way
    cache.payloads(["a"], ["k"], lambda ids, keys: {"a": {"k": "old"}}, generation)
    assert cache.payloads(["a"], ["k"], lambda ids, keys: {"a": {"k": "new"}}, cache.generation) == {"a": {"k": "new"}}


@pytest.mark.unit
def test_a_caller_changing_a_payload_does_not_change_the_next_one():
    cache = PayloadCache()
    first = cache.payloads(["a"], ["k"], lambda ids, keys: {"a": {"k": 1}}, cache.generation)
    first["a"]["k"] = 2
    assert cache.payloads(["a"], ["k"], lambda ids, keys: {}, cache.generation) == {"a": {"k": 1}}
