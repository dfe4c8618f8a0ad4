"""Decisions about the store read its capability (`sole_writer`), never its display name (`backend`)."""

from __future__ import annotations

import pytest

from index.indexer import ingest_paths

pytestmark = pytest.mark.integration


def _count_retrieves(collection) -> list[int]:
    calls = [0]
    real = collection.store.retrieve

    def counted(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    collection.store.retrieve = counted
    return calls


@pytest.mark.parametrize("store", ["edge_collection", "server_collection"])
def test_records_are_kept_only_by_the_sole_writer_whatever_the_backend_is_called(store, request, small_corpus):
    collection = request.getfixturevalue(store)
    ingest_paths(collection, [small_corpus], workers=0)
    collection.store.backend = "renamed for display"  # a name for people: no decision may depend on it
    ids = [r.document_id for r in collection.documents()]
    calls = _count_retrieves(collection)
    first, again = collection.records(ids), collection.records(ids)
    assert first == again and set(first) == set(ids)
    assert calls[0] == (1 if collection.store.sole_writer else 2)


def test_the_embedded_store_is_the_sole_writer_and_a_server_is_not(edge_collection, server_collection):
    assert edge_collection.store.sole_writer is True
    assert server_collection.store.sole_writer is False
