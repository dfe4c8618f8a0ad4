"""Document metadata that no converter gives directly: type and year (titles: ingest.titles).

Precedence, strongest first: a `catalog.toml` sidecar in the ingested folder,
the file's own front matter, the PDF's metadata, then heuristics on the path
and the text. The `doc_type` heuristic adds up four kinds of evidence:

- keywords in the file name (weight 2), the title (2) and the opening text (1);
  a folder counts only when it names a type ("tenders/", "guides/", "minutes/"),
  since other folder names ("solicitation/", "contract-administration/") say
  what a page is about, not what it is;
- the shape of the title: "Article 52", "52.204-9 …", "Section 1 : …" are legal
  text; "Minutes: …", "Agenda …" are minutes;
- the genre of the prose, as rates per 1,000 words (`_GENRES`): a guide speaks to
  its reader ("you should consider"), a tender binds a contractor ("the offeror
  shall"), minutes record a meeting ("moved, seconded, approved"), a regulation
  cites itself ("as prescribed in", "this subpart");
- a repository's housekeeping files (LICENSE, SOURCE.txt, CONTRIBUTING) are `other`.

The type with the highest score wins, `other` when nothing scores. Measured on
eval/doctypes (`procsearch eval --doctypes`).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from pathlib import Path

from ingest.vocabulary import DOC_TYPES

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "law": (
        "code des marches",
        "code de la commande",
        "article l",
        "decret",
        "loi n",
        "arrete du",
        "federal acquisition regulation",
        "code-marches",
        "us-far",
        "directive",
        "memorandum for",
        "memorandum to",
    ),
    "minutes": (
        "proces-verbal",
        "proces verbal",
        "compte rendu",
        "compte-rendu",
        "deliberation",
        "minutes",
        "commission d'appel d'offres",
        "board meeting",
        "meeting of",
        "ordre du jour",
        "seance",
        "cao",
        "call to order",
        "agenda",
    ),
    "tender": (
        "cctp",
        "ccap",
        "reglement de consultation",
        "cahier des charges",
        "rfp",
        "rfq",
        "request for",
        "statement of work",
        "performance work statement",
        "invitation to tender",
        "solicitation",
        "acte d'engagement",
        "appel d'offres",
        "dce",
        "bpu",
        "sow",
        "pws",
        "qasp",
        "statement of objectives",
        "task order",
        "instructions to offerors",
        "evaluation factors",
        "independent government cost estimate",
        "igce",
        "determination & findings",
        "determination and findings",
        "request for quot",
    ),
    "notice": ("avis de marche", "contract notice", "avis d'attribution", "ted", "eforms", "notice", "sources sought"),
    "guide": (
        "guide",
        "fiche",
        "fiches",
        "handbook",
        "playbook",
        "how to",
        "vade-mecum",
        "bonnes pratiques",
        "good practice",
        "toolkit",
        "recommandations",
        "methodologie",
        "case study",
        "case studies",
        "glossary",
        "glossaire",
        "bibliographie",
        "webographie",
        "key question",
        "field guide",
        "lessons learned",
        "best practices",
        "overview",
        "learning center",
        "en pratique",
        "comprendre",
        "faq",
        "mode d'emploi",
        "guidance",
        "templates",
        "samples",
        "tools",
    ),
}
_TYPE_FOLDERS = {
    "guide": "guide",
    "guides": "guide",
    "fiches": "guide",
    "tender": "tender",
    "tenders": "tender",
    "minutes": "minutes",
    "meetings": "minutes",
    "law": "law",
    "laws": "law",
    "regulations": "law",
    "lois": "law",
    "notice": "notice",
    "notices": "notice",
    "avis": "notice",
    "ted-notices": "notice",
    "code-marches-publics": "law",
    "us-far": "law",
    "guides-pratiques": "guide",
}
_HOUSEKEEPING = {"license", "licence", "copying", "contributing", "source", "changelog", "code_of_conduct", "security"}
_TITLE_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "law",
        re.compile(
            r"^(article|art\.)\s*[lrd]?\.?\s*\d|^\d{1,2}\.\d{3}(-\d+)*\b|"
            r"^(titre|chapitre|section|sous-section|livre|partie|part|subpart)\s+[\divxlc]+\w*\s*:"
        ),
    ),
    ("minutes", re.compile(r"^(minutes|agenda|summary of the .*(meeting|committee))\b")),
    ("guide", re.compile(r"\bcase stud(y|ies)\b|^(guide|glossa(ry|ire))\b")),
)
_OPENING_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (  # what a document's first lines say it is
    ("law", re.compile(r"\bmemorandum (for|to)\b|\bmemorandum titled\b")),
    (
        "tender",
        re.compile(
            r"\b(statement of objectives|statement of work|performance work statement|"
            r"request for (quote|quotation|proposals?)|instructions to offerors|notices to offerors|"
            r"cahier des clauses|reglement de (la )?consultation)\b"
        ),
    ),
)
OPENING_CHARS = 600
TITLE_SHAPE_WEIGHT = 6
_GENRES: dict[str, tuple[re.Pattern[str], float]] = {  # type → (pattern, points per hit per 1,000 words)
    "guide": (
        re.compile(
            r"\b(you|your|vous|votre|vos|should|consider|recommend\w*|tips?|key questions?|"
            r"case stud\w+|lessons? learned|best practices?|learn\w*|il est conseille|il convient|"
            r"bonnes? pratiques?|recommand\w*|conseill\w*|par exemple|for example|privilegier|"
            r"veiller a|il est (important|necessaire|essentiel|preferable)|permet(tent)? de|enjeux?)\b"
        ),
        0.3,
    ),
    "tender": (
        re.compile(
            r"\b(shall|offerors?|quoters?|contractor|period of performance|clins?|deliverables?|"
            r"le titulaire|le candidat|les candidats|soumissionnaires?|le prestataire)\b"
        ),
        0.15,
    ),
    "minutes": (
        re.compile(
            r"\b(called the meeting to order|call to order|meeting|seance|motion|moved|seconded|"
            r"quorum|adjourn\w*|ordre du jour)\b"
        ),
        0.2,
    ),
    "law": (
        re.compile(
            r"\b(as prescribed in|this subpart|this section|this part|pursuant to|memorandum for|"
            r"memorandum to|en application de|conformement aux? articles?)\b"
        ),
        0.25,
    ),
}
GENRE_CAP = 6.0  # points: prose evidence never outweighs a type-named folder plus a title keyword
GENRE_WINDOW = 10_000  # characters of text read for the genre
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


def _count(words: tuple[str, ...], where: str) -> int:
    return sum(1 for w in words if re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", where))


def type_scores(source: str, title: str, text: str) -> dict[str, float]:
    """Evidence for each type (see module docstring)."""
    scores: dict[str, float] = dict.fromkeys(DOC_TYPES, 0.0)
    parts = fold(source).replace("_", "-").split("/")
    name = f" {parts[-1].rsplit('.', 1)[0].replace('-', ' ')} "
    folded_title = fold(title).strip()
    opening = f" {fold(text[:3000])} "
    for doc_type, words in _KEYWORDS.items():
        # a guide cites decrees and directives: legal words in the text are not evidence of a legal text
        in_text = _count(words, opening) if doc_type != "law" else 0
        scores[doc_type] += 2 * _count(words, name) + 2 * _count(words, f" {folded_title} ") + in_text
    for folder in parts[:-1]:
        if folder in _TYPE_FOLDERS:
            scores[_TYPE_FOLDERS[folder]] += 3
    for doc_type, shape in _TITLE_SHAPES:
        if shape.search(folded_title):
            scores[doc_type] += TITLE_SHAPE_WEIGHT
    for doc_type, shape in _OPENING_SHAPES:
        if shape.search(opening[:OPENING_CHARS]):
            scores[doc_type] += TITLE_SHAPE_WEIGHT
    prose = fold(text[:GENRE_WINDOW])
    word_count = max(len(prose.split()), 1)
    for doc_type, (pattern, points) in _GENRES.items():
        rate = 1000 * len(pattern.findall(prose)) / word_count
        scores[doc_type] += min(GENRE_CAP, rate * points)
    return scores


def guess_doc_type(source: str, title: str, text: str) -> str:
    """Heuristic type from path, title and text (see module docstring)."""
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    if stem in _HOUSEKEEPING or stem.startswith(("license", "licence")):
        return "other"
    scores = type_scores(source, title, text)
    best = max(scores, key=lambda doc_type: scores[doc_type])  # ties: the first in DOC_TYPES order
    return best if scores[best] >= 1 else "other"


def guess_year(title: str, text: str) -> int | None:
    """A year in the title, else the most frequent year in the opening text (latest on ties)."""
    years = _YEAR.findall(title)
    if years:
        return int(years[-1])
    counts = Counter(int(y) for y in _YEAR.findall(text[:4000]))
    if not counts:
        return None
    return max(counts, key=lambda y: (counts[y], y))


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
