"""Document metadata that no converter gives directly: title, type, year.

Precedence, strongest first: a `catalog.toml` sidecar in the ingested folder,
the file's own front matter, the PDF's metadata, then heuristics on the path
and the text. The `doc_type` heuristic scores keywords found in the path
(weight 3), the title (weight 2) and the opening text (weight 1); the type
with the highest score wins, `other` when nothing matches.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from pathlib import Path

from ingest.types import DOC_TYPES

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "law": ("code des marches", "code de la commande", "article l", "decret", "loi n", "arrete du",
            "federal acquisition regulation", "far ", "code-marches", "us-far", "regulation", "directive"),
    "minutes": ("proces-verbal", "proces verbal", "compte rendu", "compte-rendu", "deliberation", "minutes",
                "commission d'appel d'offres", "board meeting", "meeting of", "ordre du jour", "seance", "cao"),
    "tender": ("cctp", "ccap", "reglement de consultation", "cahier des charges", "rfp", "rfq", "request for",
               "statement of work", "performance work statement", "invitation to tender", "solicitation",
               "acte d'engagement", "appel d'offres", "dce", "bpu", "sow", "pws", "qasp"),
    "notice": ("avis de marche", "contract notice", "avis d'attribution", "ted", "eforms", "notice"),
    "guide": ("guide", "fiche", "handbook", "playbook", "how to", "vade-mecum", "bonnes pratiques", "good practice",
              "toolkit", "recommandations", "methodologie"),
}
_YEAR = re.compile(r"\b(19[89]\d|20[0-3]\d)\b")

MAX_METADATA_CHARS = 16 * 1024
"""Front-matter metadata a document may carry, counted as serialised: it is stored with the document and
returned by every listing, so a few hundred bytes of YAML aliases that expand to megabytes are refused."""


def metadata_exceeds(meta: object, budget: int = MAX_METADATA_CHARS) -> bool:
    """True when `meta` serialised would pass `budget` characters; stops counting as soon as it does.

    Walks instead of serialising: an alias bomb shares its nodes in memory and would only blow up when
    written out; shared nodes are counted every time they appear, as JSON would write them.
    """
    stack, total = [meta], 0
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            total += 2 * len(value) + 2
            for key, item in value.items():
                total += len(str(key)) + 2
                stack.append(item)
        elif isinstance(value, (list, tuple, set)):
            total += len(value) + 2
            stack.extend(value)
        else:
            total += len(str(value)) + 2
        if total > budget:
            return True
    return False


def fold(text: str) -> str:
    """Lowercase without accents, for keyword matching."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def guess_doc_type(source: str, title: str, text: str) -> str:
    """Heuristic type from path, title and opening text (see module docstring)."""
    scores: Counter[str] = Counter()
    path = fold(source).replace("_", "-").replace("/", " ")
    for doc_type, words in _KEYWORDS.items():
        for where, weight in ((f" {path} ", 3), (f" {fold(title)} ", 2), (f" {fold(text[:3000])} ", 1)):
            scores[doc_type] += weight * sum(
                1 for w in words if re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", where)
            )
    best = scores.most_common(1)
    return best[0][0] if best and best[0][1] > 0 else "other"


def guess_year(title: str, text: str) -> int | None:
    """A year in the title, else the most frequent year in the opening text (latest on ties)."""
    years = _YEAR.findall(title)
    if years:
        return int(years[-1])
    counts = Counter(int(y) for y in _YEAR.findall(text[:4000]))
    if not counts:
        return None
    return max(counts, key=lambda y: (counts[y], y))


def title_from_text(text: str) -> str | None:
    for line in text.split("\n")[:15]:
        line = line.strip(" #*\t")
        if 4 <= len(line) <= 150 and any(c.isalpha() for c in line):
            return line
    return None


def title_from_path(path: Path) -> str:
    return re.sub(r"[_-]+", " ", path.stem).strip().capitalize() or path.name


def read_catalog(folder: Path) -> dict[str, dict[str, object]]:
    """Entries of `folder/catalog.toml`, keyed by path relative to `folder`; {} when absent.

    A broken catalog raises ValueError: it is the operator's file and silently
    ignoring it would mislabel every document in the folder.
    """
    path = folder / "catalog.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: invalid catalog ({exc})") from exc
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def normalise_doc_type(value: object) -> str | None:
    text = str(value).strip().lower() if value else ""
    aliases = {"guides": "guide", "tenders": "tender", "notices": "notice", "laws": "law", "minute": "minutes"}
    text = aliases.get(text, text)
    return text if text in DOC_TYPES else None


def normalise_year(meta: dict[str, object]) -> int | None:
    for key in ("year", "date"):
        match = _YEAR.search(str(meta.get(key) or ""))
        if match:
            return int(match.group(1))
    return None
