"""Language detection: deterministic on documents, robust on short queries."""

from ingest.language import detect_language, query_languages


def test_document_language_is_deterministic():
    text = "Le marché public de nettoyage comporte une clause sociale d'insertion pour les demandeurs d'emploi."
    assert {detect_language(text) for _ in range(5)} == {"fr"}
    assert detect_language("The contract is awarded to the most economically advantageous tender.") == "en"


def test_short_queries_use_stopwords_and_accents():
    assert query_languages("marché réservé ESAT")[0] == "fr"
    assert query_languages("award criteria for the catering")[0] == "en"
    assert query_languages("ESAT")[0] is None
