"""The search page's words, in French and English, and the choice between them.

The language comes from `?ui=fr|en` when the URL has it (so a link keeps it), else from the browser's
Accept-Language, else English.
"""

from __future__ import annotations

from service.tender_view import PROCEDURE_NAMES
from service.tender_view import WORDS as TENDER_WORDS

UI_LANGUAGES = ("fr", "en")
DEFAULT_UI = "en"

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "site_name": "procsearch",
        "tagline": "Recherche dans les documents de la commande publique",
        "skip": "Aller au contenu",
        "switch_label": "Langue de l'interface",
        "page_title": "Rechercher",
        "results_title": "Résultats pour « {q} »",
        "query_label": "Votre question ou des mots-clés",
        "query_hint": "Par exemple : « Peut-on réserver un lot à un ESAT ? » ou « clauses sociales nettoyage ».",
        "submit": "Rechercher",
        "filters": "Filtres",
        "filter_language": "Langue du document",
        "filter_type": "Type de document",
        "filter_years": "Années",
        "year_from": "De l'année",
        "year_to": "À l'année",
        "advanced": "Recherche avancée",
        "mode_label": "Méthode de recherche",
        "mode_hybrid": "Hybride (sens + mots, recommandé)",
        "mode_dense": "Sens seulement",
        "mode_lexical": "Mots seulement",
        "k_label": "Documents par page",
        "filter_buyer": "Acheteur",
        "sort_label": "Trier par",
        "sort_relevance": "Pertinence",
        "sort_date": "Date (plus récents d'abord)",
        "facet_count": "{n} documents",
        "date": "Date",
        "reset": "Effacer la recherche",
        "summary": "{total} documents trouvés ; documents {first} à {last} ({ms} ms)",
        "summary_one_doc": "1 document trouvé ({ms} ms)",
        "no_results": "Aucun résultat pour cette recherche.",
        "no_results_filters": "Des filtres sont actifs : essayez de les retirer.",
        "remove_filters": "Relancer sans filtres",
        "no_results_words": "Essayez d'autres mots ou une question plus courte.",
        "error_title": "La recherche n'a pas abouti",
        "error_intro": "Le service a répondu :",
        "error_bad_year": "l'année doit être un nombre entier entre 1900 et 2100 ('{value}' reçu)",
        "error_bad_k": "le nombre de documents doit être un entier entre 1 et 100 ('{value}' reçu)",
        "error_not_found": "Document introuvable.",
        "error_auth": "Ce serveur exige une clé d'API ; la page de recherche n'est pas disponible sans elle.",
        "doc_meta": "Métadonnées",
        "type": "Type",
        "language": "Langue",
        "year": "Année",
        "buyer": "Acheteur",
        "pages_count": "{n} pages",
        "page_one": "1 page",
        "page": "p. {n}",
        "pages_range": "p. {n}–{m}",
        "open_at_page": "Ouvrir le document à la page {n}",
        "ocr_passage": "texte reconnu (OCR)",
        "open_file": "Ouvrir le document",
        "view_original": "Fichier d'origine",
        "pdf": "PDF",
        "passages_of": "Passages de ce document",
        "similar": "Documents similaires",
        "similar_title": "Documents similaires à « {title} »",
        "similar_intro": "Documents proches de celui-ci, par type : marchés précédents, comptes rendus, guides.",
        "similar_none": "Aucun document similaire.",
        "back_to_search": "Nouvelle recherche",
        "other_versions": "Autres versions de ce document :",
        "next_page": "Documents suivants",
        "prev_page": "Documents précédents",
        "pages_nav": "Pages de résultats",
        "api_docs": "API et documentation",
        "any": "Tous",
        "score": "score",
        "section": "Section",
        "colon": "\u00a0: ",
    },
    "en": {
        "site_name": "procsearch",
        "tagline": "Search public-procurement documents",
        "skip": "Skip to content",
        "switch_label": "Interface language",
        "page_title": "Search",
        "results_title": "Results for “{q}”",
        "query_label": "Your question or keywords",
        "query_hint": "For example: “what award criteria did other cities use for school catering?” or "
        "“social value cleaning”.",
        "submit": "Search",
        "filters": "Filters",
        "filter_language": "Document language",
        "filter_type": "Document type",
        "filter_years": "Years",
        "year_from": "From year",
        "year_to": "To year",
        "advanced": "Advanced search",
        "mode_label": "Search method",
        "mode_hybrid": "Hybrid (meaning + words, recommended)",
        "mode_dense": "Meaning only",
        "mode_lexical": "Words only",
        "k_label": "Documents per page",
        "filter_buyer": "Buyer",
        "sort_label": "Sort by",
        "sort_relevance": "Relevance",
        "sort_date": "Date (newest first)",
        "facet_count": "{n} documents",
        "date": "Date",
        "reset": "Clear the search",
        "summary": "{total} documents found; documents {first} to {last} ({ms} ms)",
        "summary_one_doc": "1 document found ({ms} ms)",
        "no_results": "No results for this search.",
        "no_results_filters": "Some filters are on: try removing them.",
        "remove_filters": "Search again without filters",
        "no_results_words": "Try other words or a shorter question.",
        "error_title": "The search failed",
        "error_intro": "The service answered:",
        "error_bad_year": "the year must be a whole number between 1900 and 2100 (got '{value}')",
        "error_bad_k": "the number of documents must be a whole number between 1 and 100 (got '{value}')",
        "error_not_found": "Document not found.",
        "error_auth": "This server requires an API key; the search page is not available without it.",
        "doc_meta": "Metadata",
        "type": "Type",
        "language": "Language",
        "year": "Year",
        "buyer": "Buyer",
        "pages_count": "{n} pages",
        "page_one": "1 page",
        "page": "p. {n}",
        "pages_range": "pp. {n}–{m}",
        "open_at_page": "Open the document at page {n}",
        "ocr_passage": "text read by OCR",
        "open_file": "Open the document",
        "view_original": "Original file",
        "pdf": "PDF",
        "passages_of": "Passages from this document",
        "similar": "Similar documents",
        "similar_title": "Documents similar to “{title}”",
        "similar_intro": "Documents close to this one, by type: precedent tenders, minutes, guides.",
        "similar_none": "No similar documents.",
        "back_to_search": "New search",
        "other_versions": "Other versions of this document:",
        "next_page": "Next documents",
        "prev_page": "Previous documents",
        "pages_nav": "Result pages",
        "api_docs": "API and documentation",
        "any": "All",
        "score": "score",
        "section": "Section",
        "colon": ": ",
    },
}

DOC_TYPES: dict[str, dict[str, str]] = {
    "fr": {
        "tender": "Dossier de consultation",
        "minutes": "Compte rendu / délibération",
        "guide": "Guide",
        "law": "Texte juridique",
        "notice": "Avis de marché",
        "other": "Autre",
    },
    "en": {
        "tender": "Tender",
        "minutes": "Minutes / decision",
        "guide": "Guide",
        "law": "Law / regulation",
        "notice": "Contract notice",
        "other": "Other",
    },
}

DOC_TYPES_PLURAL: dict[str, dict[str, str]] = {
    "fr": {
        "tender": "Dossiers de consultation",
        "minutes": "Comptes rendus et délibérations",
        "guide": "Guides",
        "law": "Textes juridiques",
        "notice": "Avis de marché",
        "other": "Autres documents",
    },
    "en": {
        "tender": "Tenders",
        "minutes": "Minutes and decisions",
        "guide": "Guides",
        "law": "Laws and regulations",
        "notice": "Contract notices",
        "other": "Other documents",
    },
}

LANGUAGES: dict[str, dict[str, str]] = {
    "fr": {
        "fr": "Français",
        "en": "Anglais",
        "de": "Allemand",
        "es": "Espagnol",
        "it": "Italien",
        "nl": "Néerlandais",
        "pl": "Polonais",
        "pt": "Portugais",
        "und": "Indéterminée",
    },
    "en": {
        "fr": "French",
        "en": "English",
        "de": "German",
        "es": "Spanish",
        "it": "Italian",
        "nl": "Dutch",
        "pl": "Polish",
        "pt": "Portuguese",
        "und": "Undetermined",
    },
}

# Each UI language's own name, for the switch (written in that language).
NATIVE_NAMES = {"fr": "Français", "en": "English"}


def accept_language(header: str | None) -> str | None:
    """The UI language the browser prefers most among ours, by q-value then order; None if it names neither."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((header or "").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        tag = pieces[0].lower()
        if not tag:
            continue
        quality = 1.0
        for param in pieces[1:]:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        primary = tag.split("-")[0]
        if primary not in UI_LANGUAGES or quality <= 0:
            continue
        key = (-quality, position, primary)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def choose_ui(explicit: str | None, header: str | None) -> str:
    if explicit in UI_LANGUAGES:
        return explicit
    return accept_language(header) or DEFAULT_UI


def translations(ui: str) -> dict[str, object]:
    """Everything the templates need to speak `ui`."""
    return {
        "t": STRINGS[ui],
        "doc_types": DOC_TYPES[ui],
        "doc_types_plural": DOC_TYPES_PLURAL[ui],
        "language_names": LANGUAGES[ui],
        "tw": TENDER_WORDS[ui],  # the procurement filters, fields and precedents (service.tender_view)
        "procedure_names": PROCEDURE_NAMES[ui],
    }
