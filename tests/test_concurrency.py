"""Searches from many threads at once (the server's thread pool) give the same answers as one at a time."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from index.glossary import stem_sequence
from index.highlight import highlight

pytestmark = pytest.mark.unit


def test_stemming_and_highlighting_are_thread_safe():
    words = (
        "marchés réservés aux établissements et services d'aide par le travail, clauses sociales "
        "d'insertion, critères environnementaux, restauration scolaire biologique "
    ) * 3
    expected = [highlight(words, "clauses sociales insertion"), stem_sequence(words, "fr")]
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(
            pool.map(lambda _: [highlight(words, "clauses sociales insertion"), stem_sequence(words, "fr")], range(400))
        )
    assert all(result == expected for result in results)
