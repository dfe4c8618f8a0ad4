"""Award criteria and their weights in free text: tables (Markdown or flattened from a PDF), bullets, prose.

The text after a criteria cue ('critères d'attribution', 'pondération', 'award criteria', 'weighting'…)
is cut into segments, each a name followed by one weight per column ('Prix 45 % 40 %' in a table with
one column per lot). A set of criteria is a run of consecutive segments whose weights in one column add
up to 100 and that includes a price or cost criterion; every column that has one counts (criteria per
lot). Weights in parentheses right after a name are sub-criteria when the main weights already add up
('Quality 35 % Service plan (15 %); …'), and the criteria themselves otherwise ('price (40%), quality
(35%)'). Anything that does not add up is not reported: a partial list would be a guess.
"""

from __future__ import annotations

import re

from ingest.fields.record import Criterion
from ingest.metadata import fold

_CUE = re.compile(
    r"crit[eè]res? d['’]attribution|crit[eè]res? de (?:jugement|s[ée]lection des offres)|"
    r"pond[ée]ration|jugement des offres|award criteria|evaluation criteria|weightings?|weighted|"
    r"basis (?:for|of) award|crit[eè]res|criteria",
    re.I,
)
_BLOCK_END = re.compile(r"\n\s*(?:#{1,6}\s|\d+(?:\.\d+)+\.?\s+\S|\d+\.\s+[A-ZÀ-Ý]|Article\s+\d)")
_BLOCK_CHARS = 1500
_ONE = r"\d{1,3}(?:[.,]\d+)?\s?%"
_GROUP = re.compile(rf"(?P<open>\(\s*)?(?P<ws>(?:(?:{_ONE}|[—–])\s*\|?\s*)*{_ONE}(?:\s*\|?\s*(?:{_ONE}|[—–](?!\w)))*)")
_POINTS = re.compile(r"([A-Za-zÀ-ÿ][\w'’ -]{1,40}?)\s*/\s*(\d{1,3})\b")  # 'Prix /40 | Qualité /30'
_SLASHED = re.compile(r"((?:[A-Za-zÀ-ÿ][\w'’ -]{1,40}?\s\d{1,3}\s*/\s*)+[A-Za-zÀ-ÿ][\w'’ -]{1,40}?\s\d{1,3})\b")
_HEADER = re.compile(
    r"^.*\b(?:pond[ée]ration|weightings?|lot \d+ weighting|lots? \d+(?:\s*(?:,|et|and)\s*\d+)*|"
    r"sub-criteria|sous-crit[eè]res|content|notes|what is assessed|crit[eè]res?|criterion|"
    r"criteria)\b\s*",
    re.I | re.S,
)
_CATEGORIES = (
    ("price", ("prix", "price", "tarif", "pricing")),
    ("cost", ("cout", "cost")),
    ("environment", ("environ", "durable", "sustainab", "ecolog", "carbon", "carbone", "climat", "green", "energ")),
    ("social", ("social", "insertion", "community", "emploi", "fair work")),
    ("delivery", ("delai", "delivery", "livraison")),
    ("technical", ("technique", "technical", "methodolog", "approach", "demonstration")),
    ("quality", ("qualit", "quality", "service", "merit")),
)
_LEAD = re.compile(r"^[\s\-*•|)>:;,.]*(?:\d+[.)]\s+|[a-z][.)]\s+)?(?:et|and|puis|then|enfin|finally)?\s*", re.I)
_NOT_NAME = re.compile(
    r"^(?:dont|soit|to|at least|au moins|up to|jusqu|from|de|of|total|environ|about|pour|for)\b", re.I
)

_CHANGE = re.compile(r"\b(?:from|reduced|increased|changed|instead of|au lieu de|pass[ée]e? de|rather than)\b", re.I)
# three or more 'name NN %' close together: an inline list of criteria outside any cue
_LISTING = re.compile(rf"(?:[A-Za-zÀ-ÿ][^%.;()]{{0,60}}?\s{_ONE}\s*[,;]?\s*(?:and|et)?\s*){{3,}}")
_STOPWORD = re.compile(r"^(?:de|du|des|d['’]\w*|of|the|la|le|les|l['’]\w*|for|pour|and|et|in|en|a|à|on|sur)$", re.I)
Segment = tuple[str, list[float | None], bool]  # name, one weight per column, weights in parentheses


def categorise(name: str) -> str:
    """The criterion's category from its name (first matching family of words; 'other' when none)."""
    folded = fold(name)
    for category, words in _CATEGORIES:
        if any(word in folded for word in words):
            return category
    return "other"


def _clean(raw: str) -> str:
    name = re.sub(r"\([^()]*\)|^[^()]*\)", " ", raw).replace("(", " ")  # parenthesised details, also cut ones
    cells = [cell for cell in name.split("|") if cell.strip(" -:\n")]
    name = cells[-1] if cells else ""
    lines = [line for line in name.splitlines() if re.search(r"[A-Za-zÀ-ÿ]", line)]
    if len(lines) > 1:  # a flattened table: the criterion is the last lines, from one starting with a capital
        tail = [lines.pop()]
        while lines and not tail[0].lstrip()[:1].isupper():
            tail.insert(0, lines.pop())
        if tail[0].lstrip()[:1].isupper():
            name = " ".join(tail)
    name = _HEADER.sub("", name)
    pieces = [piece for piece in re.split(r"[,;:]\s+|\s[—–]\s", name) if piece.strip(" .")]
    name = pieces[-1] if pieces else ""
    name = _LEAD.sub("", " ".join(name.split())).strip(" *_-—–.")
    words = name.split()
    if len(words) > 8:
        words = words[-4:]
        while len(words) > 1 and _STOPWORD.match(words[0]):
            words = words[1:]
    return " ".join(words)


def _weights(raw: str) -> list[float | None]:
    return [
        None if token in "—–" else float(token.rstrip("% ").replace(",", "."))
        for token in re.findall(rf"{_ONE}|[—–]", raw)
    ]


def _segments(block: str) -> list[list[Segment]]:
    """Candidate segment lists of a block: weights in percent, then 'Prix /40' points, then 'price 45 / quality 30'."""
    segments: list[Segment] = []
    start = 0
    for match in _GROUP.finditer(block):
        raw, start = block[start : match.start()], match.end()
        name = _clean(raw)
        if len(name) >= 3 and not _NOT_NAME.match(name) and not _CHANGE.search(raw[-60:]):
            segments.append((name, _weights(match.group("ws")), bool(match.group("open"))))
    points: list[Segment] = [(_clean(n), [float(w)], False) for n, w in _POINTS.findall(block)]
    slashed: list[Segment] = [
        (_clean(part.rsplit(" ", 1)[0]), [float(part.rsplit(" ", 1)[1])], False)
        for m in _SLASHED.findall(block)
        for part in re.split(r"\s*/\s*", m)
    ]
    return [segments, points, slashed]


def _column(segments: list[Segment], column: int) -> list[Criterion]:
    """Runs of segments whose weights in `column` add up to 100 with a price or cost criterion (one per lot)."""
    for parenthesised in (False, True):
        rows = [(n, w[column]) for n, w, p in segments if len(w) > column and (parenthesised or not p)]
        found = _runs(rows)
        if found:
            return found
    return []


def _runs(rows: list[tuple[str, float | None]]) -> list[Criterion]:
    found: list[Criterion] = []
    start = 0
    while start < len(rows):
        run = _run(rows, start)
        if run:
            found += [c for c in run[0] if c not in found]
            start = run[1]
        else:
            start += 1
    return found


def _run(rows: list[tuple[str, float | None]], start: int) -> tuple[list[Criterion], int] | None:
    """The criteria from `start` on whose weights add up to 100, with the index after them, or None."""
    total, chosen, end = 0.0, [], start
    for index in range(start, len(rows)):
        (name, weight), end = rows[index], index + 1
        if weight is None:
            continue
        total += weight
        chosen.append(Criterion(name=name[:200], category=categorise(name), weight=weight))
        if abs(total - 100) <= 0.5 and len(chosen) >= 2 or total > 100.5:
            break
    whole = abs(total - 100) <= 0.5 and (len(chosen) >= 2 or bool(chosen) and chosen[0].category == "price")
    return (chosen, end) if whole and any(c.category in ("price", "cost") for c in chosen) else None


def _criteria(segments: list[Segment]) -> list[Criterion]:
    found: list[Criterion] = []
    for column in range(max((len(w) for _, w, _ in segments), default=0)):
        found += [c for c in _column(segments, column) if c not in found]
    return found


def find_criteria(text: str) -> list[Criterion]:
    """The document's award criteria with weights (every lot's), or [] when none add up to 100.

    Criteria follow a cue; without one, a line listing three or more criteria that add up to 100 with
    a price or cost among them ('Lot 1 results (whole-life cost 45 %, technical quality 35 %, …)') counts.
    """
    for cue in _CUE.finditer(text):
        block = text[cue.end() : cue.end() + _BLOCK_CHARS]
        if "%" not in block and "/" not in block:
            continue  # no weight to read: most mentions of 'criteria' in a long document
        end = _BLOCK_END.search(block)
        for segments in _segments(block[: end.start()] if end else block):
            found = _criteria(segments)
            if found:
                return found
    listed: list[Criterion] = []
    sentences = re.split(r"(?<=[.!?])\s", re.sub(r"\s+", " ", text))
    listings = (m for sentence in sentences if sentence.count("%") >= 3 for m in _LISTING.finditer(sentence))
    for listing in listings:
        segments = _segments(listing.group(0))[0]
        if len(segments) >= 3:
            listed += [c for c in _criteria(segments) if c not in listed]
    return listed
