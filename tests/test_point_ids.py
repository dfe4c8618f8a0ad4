"""Point ids live with the store (index.point_ids) and never change: every existing store is keyed by them."""

from __future__ import annotations

import pytest

import ingest.ids
from index.point_ids import chunk_point_id, document_point_id, meta_point_id

pytestmark = pytest.mark.unit


def test_point_ids_are_the_ones_existing_stores_hold():
    doc = "0123456789abcdef"
    assert chunk_point_id(doc, "ff" * 32, 3) == "e6e91caa-afd5-5cec-a884-f74d0efd0f53"
    assert document_point_id(doc) == "563c0dc4-9953-543c-949b-bacf95806158"
    assert meta_point_id() == "97dc6dba-e2ff-51f4-b02d-0cefaa4cf69d"


def test_ingestion_builds_no_store_ids():
    assert not [name for name in vars(ingest.ids) if name.endswith("point_id")]
