"""Ruled tables and bullets on scans: rules found and erased, words put back cell by cell, bullets restored."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.ocr_layout import RULE_PX, Rule, Rules, erase_rules, restore_bullets, words_in_order

pytestmark = pytest.mark.unit


def _grid_page() -> np.ndarray:
    """A white page with a 2 × 3 ruled grid (3 px rules) and short 'letter' strokes inside and beside it."""
    page = np.full((1200, 1000), 255, np.uint8)
    for y in (100, 400, 700):
        page[y : y + 3, 100:901] = 0
    for x in (100, 500, 900):
        page[100:703, x : x + 3] = 0
    page[200:204, 150 : 150 + RULE_PX // 2] = 0  # a letter's bar, half a rule long
    page[900:960, 300:304] = 0  # a letter's stem below the table
    return page


def test_rules_are_found_and_erased_but_letter_strokes_stay():
    page = _grid_page()
    clean, rules = erase_rules(page)
    assert sorted(r.at for r in rules.horizontal) == [101, 401, 701]
    assert sorted(r.at for r in rules.vertical) == [101, 501, 901]
    assert all(r.start <= 100 and r.end >= 900 for r in rules.horizontal)
    assert (clean[100:103, 100:901] == 255).all() and (clean[100:703, 500:503] == 255).all()
    assert (clean[200:204, 150 : 150 + RULE_PX // 2] == 0).all() and (clean[900:960, 300:304] == 0).all()
    assert (page[100:103, 100:901] == 0).all()  # the page itself is left alone


def test_a_page_without_rules_is_returned_as_it_is():
    page = np.full((300, 400), 255, np.uint8)
    page[100:140, 50:54] = 0
    clean, rules = erase_rules(page)
    assert clean is page and rules == Rules((), ())


def _data(words: list[tuple[int, int, int, str, int, int]]) -> dict[str, list]:
    """image_to_data's DICT for words given as (block, paragraph, line, text, x, y), each 40 × 30 px."""
    keys = ("block_num", "par_num", "line_num", "text", "left", "top", "width", "height", "conf")
    rows = [(b, p, ln, t, x, y, 40, 30, 90.0) for b, p, ln, t, x, y in words]
    rows.insert(0, (1, 0, 0, "", 0, 0, 1000, 1000, -1))  # a block row: not a word
    return {k: [r[i] for r in rows] for i, k in enumerate(keys)}


def test_a_ruled_table_is_read_cell_by_cell_in_place_of_line_by_line():
    rules = Rules(
        horizontal=tuple(Rule(y, 100, 900) for y in (100, 400, 700)),
        vertical=tuple(Rule(x, 100, 700) for x in (100, 500, 900)),
    )
    # Tesseract's order: line by line across both columns; the one-line cells sit between the lines
    # of their two-line neighbours.
    words = [
        (1, 1, 1, "Before", 120, 20),
        (2, 1, 1, "Entreprises", 120, 150),
        (2, 1, 2, "adaptées", 120, 230),
        (2, 1, 2, "50", 520, 230),
        (2, 1, 2, "%", 570, 230),
        (2, 1, 3, "(EA)", 120, 310),
        (2, 2, 1, "Structures", 120, 450),
        (2, 2, 1, "30", 520, 520),
        (2, 2, 2, "d'insertion", 120, 600),
        (3, 1, 1, "After", 120, 800),
        (3, 1, 1, "the", 200, 800),
        (3, 2, 1, "table.", 120, 860),
    ]
    text = words_in_order(_data(words), rules)
    assert text.rstrip("\n").split("\n") == [
        "Before",
        "Entreprises",
        "adaptées",
        "(EA)",
        "50 %",
        "Structures",
        "d'insertion",
        "30",
        "After the",
        "",
        "table.",
    ]


def test_without_rules_tesseract_order_is_kept():
    words = [(1, 1, 1, "Le", 10, 10), (1, 1, 1, "marché", 60, 10), (1, 1, 2, "réservé", 10, 50)]
    assert words_in_order(_data(words), Rules((), ())) == "Le marché\nréservé\n"


@pytest.mark.parametrize(
    ("read", "true"),
    [
        ("+ La réservation vise", "• La réservation vise"),
        ("¢ Is the vehicle needed", "• Is the vehicle needed"),
        ('¢" Could a car club', "• Could a car club"),
        ("* Can routes be optimised", "• Can routes be optimised"),
        ("e Can vehicles be shared", "• Can vehicles be shared"),
        ("¢« mettre en relation le titulaire", "• mettre en relation le titulaire"),
    ],
)
def test_bullets_read_as_other_signs_are_restored(read, true):
    assert restore_bullets(f"Intro:\n{read}\n") == f"Intro:\n{true}\n"


@pytest.mark.parametrize("kept", ["+ 5 % sur le lot 2", "Le prix + la qualité", "e-procurement is used", "* 12 mois"])
def test_signs_that_are_not_bullets_are_kept(kept):
    assert restore_bullets(kept) == kept
