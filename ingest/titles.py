"""A document's title: the name a member recognises, never a producer's placeholder.

Precedence: a title the operator gave (catalog, front matter) is kept as is; the
file's own title (PDF metadata, first Markdown heading, Office core title) is kept
unless it is a placeholder ("combined-doc", "Microsoft Word - x.docx", a file name)
or a producer's name ("General Services Administration"); then the first heading of
the text, skipping a cover page's letterhead (organisations, addresses, dates,
phone numbers, board members); then the file name.

On a PDF a heading is often broken over several lines ("De-risking custom" /
"technology projects"): continuation lines are joined (`_continues`). A memo's
"Subject:" line and a minutes' "MINUTES" / "AGENDA" banner name the document better
than its letterhead, so they win when they come before the prose.
"""

from __future__ import annotations

import re
from pathlib import Path

MAX_TITLE = 150  # characters; longer is a paragraph
MAX_HEADING_WORDS = 12  # a longer line is prose (the title, if any, came before it)…
TITLE_CASE_SHARE = 0.8  # …unless most of its long words are capitalised, as in a title
MAX_TITLE_WORDS = 24
SCAN_LINES = 40

_PLACEHOLDERS = {
    "untitled",
    "sans titre",
    "document",
    "document1",
    "combined-doc",
    "titre",
    "title",
    "microsoft word",
    "powerpoint presentation",
    "presentation powerpoint",
    "slide 1",
    "diapositive 1",
    "welcome!",
}
_PLACEHOLDERS |= {
    "welcome",
    "agency identification",
    "agency name",
    "insert title",
    "[title]",
    "title of document",
    "nom de l'organisme",
}
# a section heading of the body, not the document's name ("1.0 BACKGROUND", "I. Call to Order")
_SECTION_HEADING = re.compile(
    r"^((\d+(\.\d+)*|[ivx]+|[a-z])[.)]?\s+)(background|introduction|scope|purpose|"
    r"call to order|overview|contexte|objet|pr[ée]ambule|sommaire|table of contents|"
    r"summary|agenda)$",
    re.I,
)
_PRODUCER_PREFIX = re.compile(r"^(microsoft (word|powerpoint|excel)|untitled)\s*-\s*", re.I)
_PRODUCER_SUFFIX = re.compile(r"\s+-\s+(google docs|google slides|word|powerpoint)$", re.I)
_ORGANISATION = re.compile(  # a producer's name: an institution word first, an organisation word last
    r"^(the\s+)?(general|federal|national|regional|state|city|county|u\.\s?s\.|us|united|executive|office|"
    r"department|ministry|minist[eè]re|direction|agence|board|technology|european|conseil|mairie|r[ée]gion|"
    r"pr[ée]fecture|commune|ville)(?!\w)([\w.&'’ -]*\s)?"
    r"(administration|services?|district|office|department|agency|commission|council|government|president|"
    r"budget|directors|ministry|minist[eè]re|direction|mairie|r[ée]gion|pr[ée]fecture|conseil|policy)$",
    re.I,
)
_ADDRESS = re.compile(
    r"^\d+\s+[\w .'-]*\b(street|st|avenue|ave|road|rd|blvd|boulevard|rue|place|all[ée]e)\b"
    r"|^[\w .'-]+,\s*([A-Z]{2}|D\.\s?C\.)(\s+\d{5}(-\d{4})?)?$|^\d{5}(-\d{4})?(\s+\w+)?$",
    re.I,
)
_PHONE = re.compile(r"^[\d\s()/.+-]{7,}$")
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre"
)
_DATE = re.compile(rf"\b({_MONTHS})\b.*\b(19|20)\d\d\b", re.I)
_DOMAIN = re.compile(r"^(https?://)?[\w.-]+\.(gov|com|org|fr|eu|net|io)(/\S*)?$", re.I)
_BOILERPLATE = re.compile(
    r"^(page \d+( of \d+)?|table of contents|sommaire|contents|memorandum (for|to)\b.*|from:.*|to:.*|cc:.*|"
    r"date:.*|[A-Z] [A-Z][a-z]+|.*,? district [a-z0-9]|.*\s[–-]\s.*district [a-z0-9]|.*\boffice of acquisitions?)$",
    re.I,
)
_SENTENCE_WORDS = re.compile(r"\b(we|our|is|are|have|has|will|was|were|nous|est|sont|doit|peut)\b", re.I)
_SUBJECT = re.compile(r"^(subject|objet|title|titre|re)\s*:\s*(.+)$", re.I)
_BANNER = re.compile(r"^(minutes|agenda|ordre du jour|proc[eè]s[ -]verbal|compte[ -]rendu)$", re.I)
_KIND_LINE = re.compile(r"^(summary of|minutes of|compte[ -]rendu|proc[eè]s[ -]verbal)\b", re.I)
_CONNECTORS = {
    "de",
    "des",
    "du",
    "la",
    "le",
    "les",
    "et",
    "pour",
    "sur",
    "en",
    "à",
    "aux",
    "au",
    "of",
    "and",
    "for",
    "to",
    "the",
    "in",
    "on",
    "with",
    "a",
    "an",
    "&",
    "-",
    "–",
    ":",
    "d'",
    "l'",
}


def is_placeholder_title(title: str) -> bool:
    """A title that names the tool, the template, the file or the producer rather than the document."""
    text = " ".join(title.split()).strip(" _*#")
    if len(text) < 3 or text.lower() in _PLACEHOLDERS or _PRODUCER_PREFIX.match(text):
        return True
    if " | " in text or text[0].islower() or _SECTION_HEADING.match(text) or text.lower().endswith("powerpoint"):
        return True
    if re.search(r"\.(docx?|pdf|pptx?|odt|xlsx?|indd|qxd)$", text, re.I) or text.count("_") >= 2:
        return True
    return _boilerplate(text)


def clean_title(title: str) -> str:
    return _PRODUCER_SUFFIX.sub("", " ".join(title.split())).strip(" _*#")


def _boilerplate(line: str) -> bool:
    return bool(
        _ORGANISATION.match(line)
        or _ADDRESS.match(line)
        or _PHONE.match(line)
        or _DOMAIN.match(line)
        or _BOILERPLATE.match(line)
        or (_DATE.search(line) and len(line.split()) <= 5)
        or line.upper() in {"WASHINGTON, D.C. 20503", "W ASHINGTON, D.C. 20503"}
    )


def _words(line: str) -> int:
    return len(line.split())


def _prose(line: str) -> bool:
    words = line.split()
    if len(words) > MAX_TITLE_WORDS or (line.endswith(".") and len(words) >= 6):
        return True
    long_words = [w for w in words if len(w) > 3 and w[0].isalpha()]
    capitalised = sum(w[0].isupper() for w in long_words) / max(len(long_words), 1)
    return len(words) > MAX_HEADING_WORDS and (capitalised < TITLE_CASE_SHARE or bool(_SENTENCE_WORDS.search(line)))


def _continues(title: str, line: str) -> bool:
    """Whether `line` is the rest of a heading broken over lines on a cover page."""
    if not line or _boilerplate(line) or _prose(line) or _BANNER.match(line) or len(title) + len(line) > MAX_TITLE:
        return False
    if line.lower() in _CONNECTORS or title.endswith(":"):
        return True
    last = title.split()[-1].lower()
    return (
        line[0].islower()
        or last in _CONNECTORS
        or last.endswith(("'", "’"))
        or (_words(title) <= 3 and _words(line) <= 10 and not line.endswith("."))
    )


def _subject(lines: list[str], i: int) -> str | None:
    """A memo's "Subject:" line at `i` (with its continuation), else None."""
    subject = _SUBJECT.match(lines[i])
    if not subject or len(subject.group(2)) < 4:
        return None
    title = subject.group(2)
    for nxt in lines[i + 1 : i + 3]:
        if not (_continues(title, nxt) and _words(nxt) <= 8):
            break
        title = f"{title} {nxt}"
    return title[:MAX_TITLE]


def title_from_text(text: str) -> str | None:
    """The first heading of the text, letterhead skipped and broken lines joined (see module docstring)."""
    lines = [" ".join(line.strip(" #*_\t>").split()) for line in text.split("\n")[: SCAN_LINES * 2]]
    lines = [line for line in lines if line][:SCAN_LINES]
    heading: str | None = None
    for i, line in enumerate(lines):
        subject = _subject(lines, i)
        if subject:
            return subject
        if heading is None and _BANNER.match(line) and i + 1 < len(lines) and not _boilerplate(lines[i + 1]):
            return f"{line.capitalize()}: {lines[i + 1]}"[:MAX_TITLE]
        if heading is None and _KIND_LINE.match(line) and len(line) <= MAX_TITLE:
            heading = line
            continue
        if _prose(line):
            break
        if heading is not None or len(line) < 4 or len(line) > MAX_TITLE or not any(c.isalpha() for c in line):
            continue
        if _boilerplate(line) or (is_placeholder_title(line) and not (i == 0 and line[0].islower())):
            continue
        heading = line
        for nxt in lines[i + 1 : i + 6]:
            if not _continues(heading, nxt):
                break
            heading = f"{heading} {nxt}"
    if heading is None:
        return None
    return heading[0].upper() + heading[1:]


def title_from_path(path: Path) -> str:
    name = re.sub(r"[_-]+", " ", path.stem).strip()
    return (name[0].upper() + name[1:]) if name else path.name


def choose_title(given: object, own: str | None, body: str, path: Path) -> str:
    """The document's title, by the precedence in the module docstring."""
    if isinstance(given, (str, int, float)) and str(given).strip():
        return " ".join(str(given).split())
    if own and not is_placeholder_title(clean_title(own)):
        return clean_title(own)
    return title_from_text(body) or title_from_path(path)
