"""Ruled tables and bullets on a scanned page: what Tesseract's plain text gets wrong.

A typed PDF's text layer gives a ruled table cell by cell (a cell's lines
together, row after row); Tesseract reads it line by line across the columns,
so a cell of three lines is cut into three pieces spread among its neighbours,
and the rules themselves come out as `|` or eat the characters they touch. On
the scan set of docs/ocr.md those tables made most of the character error
rate. So the rules are found in the image (dark runs longer than RULE_PX),
erased before recognition, and used afterwards to put each word in its cell:
Tesseract's words (image_to_data) outside the tables keep its order, and a
table is written in place of its first word, cell by cell, row by row.
Tables without vertical rules keep Tesseract's line order.

Bullets ("•") come out as `+`, `¢`, `*` or `e` at the start of a line; they
are written back as "•" when a word follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

RULE_PX = 120  # 10 mm at 300 dpi: longer than any stroke of a letter, shorter than a table's narrowest column
DARK = 160  # grey level under which a pixel is ink
_SLACK = 6  # pixels: rules of one grid meet within this distance
_BULLET = re.compile(r"^[+¢*e©•][\"'.”’«]?[ \t]+(?=[^\W\d_])", re.MULTILINE)


@dataclass(frozen=True)
class Rule:
    """A straight rule: `at` is its y (horizontal) or x (vertical); it spans `start`–`end` on the other axis."""

    at: int
    start: int
    end: int


@dataclass(frozen=True)
class Rules:
    horizontal: tuple[Rule, ...]
    vertical: tuple[Rule, ...]


def _long_runs(dark: np.ndarray, length: int, band: int = 256) -> np.ndarray:
    """Mask of the pixels that lie in a run of at least `length` dark pixels along a row (bands of rows keep
    the running sums small: a 300 dpi A3 page at once would take some 300 MB)."""
    rows, width = dark.shape
    covered = np.zeros_like(dark)
    if width < length:
        return covered
    x = np.arange(width)
    for top in range(0, rows, band):
        part = dark[top : top + band]
        sums = np.zeros((part.shape[0], width + 1), np.int32)
        np.cumsum(part, axis=1, out=sums[:, 1:])
        full = (sums[:, length:] - sums[:, :-length]) == length  # full[:, j]: the window from j is all ink
        starts = np.zeros((part.shape[0], full.shape[1] + 1), np.int32)
        np.cumsum(full, axis=1, out=starts[:, 1:])
        hits = starts[:, np.minimum(x + 1, full.shape[1])] - starts[:, np.maximum(x - length + 1, 0)]
        covered[top : top + band] = hits > 0
    return covered


def _segments(mask: np.ndarray) -> tuple[Rule, ...]:
    """The horizontal rules of a mask: runs on neighbouring rows that overlap make one rule."""
    found: list[list[int]] = []  # [first row, last row, start, end]
    for y in np.flatnonzero(mask.any(axis=1)):
        edges = np.flatnonzero(np.diff(np.concatenate(([0], mask[y].astype(np.int8), [0]))))
        for start, end in zip(edges[::2], edges[1::2], strict=True):
            for rule in found:
                if rule[1] >= y - 1 and start <= rule[3] and end >= rule[2]:
                    rule[1], rule[2], rule[3] = int(y), min(rule[2], int(start)), max(rule[3], int(end))
                    break
            else:
                found.append([int(y), int(y), int(start), int(end)])
    return tuple(Rule((a + b) // 2, s, e) for a, b, s, e in found)


def erase_rules(grey: np.ndarray) -> tuple[np.ndarray, Rules]:
    """The page with its long rules painted white, and the rules (for `words_in_order`)."""
    dark = grey < DARK
    across, down = _long_runs(dark, RULE_PX), _long_runs(dark.T, RULE_PX).T
    if not across.any() and not down.any():
        return grey, Rules((), ())
    clean = grey.copy()
    clean[across | down] = 255
    return clean, Rules(_segments(across), _segments(down.T))


def _cell(rules: Rules, x: int, y: int) -> tuple[Rule, Rule] | None:
    """The rules above and to the left of the point, when it is closed in by rules on all four sides."""
    h = [r for r in rules.horizontal if r.start - _SLACK <= x <= r.end + _SLACK]
    v = [r for r in rules.vertical if r.start - _SLACK <= y <= r.end + _SLACK]
    above, below = [r for r in h if r.at < y], [r for r in h if r.at > y]
    left, right = [r for r in v if r.at < x], [r for r in v if r.at > x]
    if not (above and below and left and right):
        return None
    return max(above, key=lambda r: r.at), max(left, key=lambda r: r.at)


def _tables(rules: Rules) -> dict[Rule, int]:
    """Vertical rules grouped into tables: those whose spans overlap on the page belong to one table."""
    groups: dict[Rule, int] = {}
    end = -1
    for rule in sorted(rules.vertical, key=lambda r: r.start):
        groups[rule] = len(set(groups.values())) - (0 if rule.start > end + _SLACK or not groups else 1)
        end = max(end, rule.end) if rule.start <= end + _SLACK else rule.end
    return groups


def words_in_order(data: dict[str, list], rules: Rules) -> str:
    """Text from Tesseract's image_to_data: its order outside ruled tables, cell by cell inside them."""
    words = [
        (int(b), int(p), int(ln), str(t), int(x) + int(w) // 2, int(y) + int(hh) // 2)
        for b, p, ln, t, x, y, w, hh, c in zip(
            data["block_num"],
            data["par_num"],
            data["line_num"],
            data["text"],
            data["left"],
            data["top"],
            data["width"],
            data["height"],
            data["conf"],
            strict=True,
        )
        if str(t).strip() and float(c) >= 0
    ]
    tables = _tables(rules)
    cells: dict[int, dict[tuple[int, int], list[tuple]]] = {}
    placed: list[tuple[tuple, int | None]] = []
    for word in words:
        cell = _cell(rules, word[4], word[5]) if rules.vertical else None
        table = None
        if cell:
            above, left = cell
            table = tables[left]
            cells.setdefault(table, {}).setdefault((above.at, left.at), []).append(word)
        placed.append((word, table))
    out: list[str] = []
    written: set[int] = set()
    line: list[str] = []
    last: tuple[int, int, int] | None = None
    for word, table in placed:
        if table is not None:
            if table not in written:
                written.add(table)
                out.append(" ".join(line))
                line, last = [], None
                out.append("\n".join(_cell_text(cells[table][key]) for key in sorted(cells[table])))
            continue
        key = word[:3]
        if last is not None and key != last:
            out.append(" ".join(line) + ("\n" if key[:2] != last[:2] else ""))
            line = []
        line.append(word[3])
        last = key
    out.append(" ".join(line))
    return restore_bullets("\n".join(part for part in out if part.strip()).strip() + "\n")


def _cell_text(words: list[tuple]) -> str:
    lines: dict[tuple[int, int, int], list[str]] = {}
    for word in words:
        lines.setdefault(word[:3], []).append(word[3])
    return "\n".join(" ".join(w) for w in lines.values())


def restore_bullets(text: str) -> str:
    """'•' where Tesseract read a bullet as another sign at the start of a line, before a word."""
    return _BULLET.sub("• ", text)
