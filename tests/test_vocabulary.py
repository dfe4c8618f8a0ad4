"""Document types, languages and modes are listed once (ingest/vocabulary.py); every other list derives from it."""

from __future__ import annotations

from typing import get_args

import pytest

from index.tuning import DEFAULT_TUNING
from ingest import vocabulary
from ingest.vocabulary import DOC_TYPES, LANGUAGES, MAIN_LANGUAGES, MODES, UNDETERMINED
from service import i18n
from service.cli import build_parser
from service.routes import pages
from service.schemas import SearchRequest

pytestmark = pytest.mark.unit


def test_the_api_accepts_exactly_the_vocabulary():
    hints = SearchRequest.__annotations__
    assert "DocType" in str(hints["type"]) and "Language" in str(hints["lang"]) and "Mode" in str(hints["mode"])
    assert get_args(vocabulary.DocType) == DOC_TYPES and get_args(vocabulary.Mode) == MODES


def test_the_cli_offers_exactly_the_vocabulary():
    parser = build_parser()
    search = next(a for a in parser._subparsers._group_actions[0].choices["search"]._actions if a.dest == "mode")
    assert tuple(search.choices) == MODES
    for value in (*DOC_TYPES, "leaflet"):
        args = ["search", "q", "--type", value]
        if value == "leaflet":
            with pytest.raises(SystemExit):
                parser.parse_args(args)
        else:
            assert parser.parse_args(args).type == [value]
    assert parser.parse_args(["search", "q", "--lang", LANGUAGES[-1]]).lang == [LANGUAGES[-1]]


def test_every_mode_has_its_weights_and_the_page_offers_the_vocabulary():
    assert set(DEFAULT_TUNING) == set(MODES)
    assert pages.TYPE_CHOICES == DOC_TYPES and pages.LANGUAGE_CHOICES == MAIN_LANGUAGES


@pytest.mark.parametrize("ui", i18n.UI_LANGUAGES)
def test_the_page_labels_every_type_and_language_and_nothing_else(ui):
    assert set(i18n.DOC_TYPES[ui]) == set(DOC_TYPES) == set(i18n.DOC_TYPES_PLURAL[ui])
    assert set(i18n.LANGUAGES[ui]) == {*LANGUAGES, UNDETERMINED}
    assert all(f"mode_{mode}" in i18n.STRINGS[ui] for mode in MODES)
