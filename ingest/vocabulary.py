"""The words every layer shares: document types, languages and search modes.

Each list is written once, as a `Literal` type (so the API schema, mypy and the CLI agree), and its tuple is
derived from it. Ingestion is the bottom layer, so the index, the service and the evaluation may all import this.
Labels shown to people (French and English) live with the page (`service.i18n`), keyed on these values.
"""

from __future__ import annotations

from typing import Literal, get_args

DocType = Literal["guide", "tender", "minutes", "law", "notice", "other"]
DOC_TYPES: tuple[DocType, ...] = get_args(DocType)  # the classifier breaks ties in this order
DEFAULT_DOC_TYPE: DocType = "other"

# Document languages a search can filter on: those langdetect names for procurement documents of the networks
Language = Literal["fr", "en", "de", "es", "it", "nl", "pl", "pt"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
MAIN_LANGUAGES: tuple[Language, ...] = ("fr", "en")  # analysed by BM25, detected in queries, offered first on the page
UNDETERMINED = "und"  # a text with no usable language signal

Mode = Literal["hybrid", "dense", "lexical"]
MODES: tuple[Mode, ...] = get_args(Mode)
DEFAULT_MODE: Mode = "hybrid"
