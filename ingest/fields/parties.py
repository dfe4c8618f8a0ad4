"""The buyer and the awardees named in free text.

The buyer is the name after a label ('Pouvoir adjudicateur :', 'Acheteur :', 'Contracting authority:',
'Buyer:', 'Issuing agency:'), cut at the first comma, dash or parenthesis. Awardees are the names an
award sentence gives ('attribuer … à la société X', 'attributaire : X', 'award … to X', 'contract award
to X'); a name must start with a capital letter, so 'attribué par le maire' names nobody.
"""

from __future__ import annotations

import re

_BUYER = re.compile(
    r"(?:pouvoir adjudicateur|entit[ée] adjudicatrice|acheteur public|acheteur|ma[îi]tre d['’]ouvrage|"
    r"personne publique|coordonnateur(?: du groupement)?|contracting authority|contracting entity|lead authority|"
    r"buyer|issued by|issuing (?:agency|office)|purchasing (?:agency|authority))"
    r"\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*(?P<name>[^\n]{3,160})",
    re.I,
)
_PROPER = (
    r"[A-ZÀ-Ý][\w'’-]+(?:(?:[- ](?:sur|sous|en|lès|lez|de|du|des|la|le|les)[- ]|[- ]|"
    r"\s(?:de\s|du\s|d['’]|de\sla\s|de\sl['’]))[A-ZÀ-Ý][\w'’-]+)*"
)
# public bodies named without a label, in the opening part: 'La Ville de Lanvallec consomme…'
_PUBLIC_BODY = re.compile(
    rf"\b(?:(?:Ville|Commune|Mairie|Département|Région|Conseil départemental|Conseil régional|Centre hospitalier"
    rf"(?: universitaire| régional)?|Syndicat mixte|Syndicat intercommunal|Communauté d['’]agglomération|"
    rf"Communauté de communes|Communauté urbaine|Métropole)\s(?:de\sla\s|de\sl['’]|d['’]|de\s|du\s|des\s)?{_PROPER}|"
    rf"{_PROPER}\sMétropole\b|City of {_PROPER}|{_PROPER} (?:County|City|Borough|District|Town) Council\b|"
    rf"{_PROPER} (?:Transit|Combined|Health|Housing|Port) Authority\b)"
)
_SMALL = {"of", "de", "du", "des", "la", "le", "les", "sur", "sous", "en", "and", "et", "the"}
_OPENING = 3000  # characters where the buyer of a tender is introduced
_NAME_END = re.compile(r"\s*(?:,|;|\(| — | – | - |\. |\*\*|\||, représent|$)")
_COMPANY = r"(?:\*\*)?(?P<name>[A-ZÀ-Ý](?![A-Z]?\d)[^\n;:()]{1,100}?)(?:\*\*)?"
_AWARD_END = (
    r"(?=\s*(?:,|;|\(|\.\s|\.$|\bfor\b|\bin the (?:amount|sum)\b|\bpour\b|\bd['’]un montant\b|"
    r"\bdans la limite\b|\bà compter\b|\bto (?:provide|serve|perform|supply|deliver)\b|\bat an?\b|"
    r"\bas\b|\band authori[sz]e\b|\bby\b|\bin (?:January|February|March|April|May|June|July|August|September|"
    r"October|November|December|\d{4})\b|\n|$))"
)
_AWARDS = (
    re.compile(
        rf"\battribu\w*\b[^.\n]{{0,160}}?\b(?:à|au|aux)\s+(?:la\s+soci[ée]t[ée]|l['’]entreprise|la\s+SCOP|"
        rf"l['’]association|la\s+SAS|la\s+SARL|la|le|l['’]|)\s*(?:groupement\s+)?{_COMPANY}{_AWARD_END}"
    ),
    re.compile(
        rf"\b(?:attributaire|titulaire retenu|candidat retenu|laur[ée]at)\s*(?:\*\*)?\s*:\s*{_COMPANY}"
        rf"{_AWARD_END}",
        re.I,
    ),
    re.compile(
        rf"(?<!grant )(?<!prize )\baward(?:ed|ing|s)?\b(?! (?:report|decision|recommendation|criteria|procedure))"
        rf"[^.\n]{{0,160}}?\bto\s+(?:the\s+)?{_COMPANY}{_AWARD_END}"
    ),
    re.compile(
        rf"\b(?:contract award|awardee|successful (?:bidder|tenderer|offeror))\s*(?:\*\*)?\s*:\s*{_COMPANY}"
        rf"{_AWARD_END}",
        re.I,
    ),
)
_NOT_NAMES = re.compile(
    r"^(?:the|a|an|le|la|les|un|une|General Manager|Board|Council|Government|Contractor|"
    r"Contracting Officer|lowest|low|most|one|each|all|any|following|tout|toute)\b",
    re.I,
)


def find_buyer(text: str) -> str | None:
    """The buyer a label names in the document's opening part, else the first public body named there."""
    match = _BUYER.search(text[:20000])
    if match:
        raw = match.group("name").strip().strip("*_ ")
        end = _NAME_END.search(raw)  # always matches ($)
        name = raw[: end.start() if end else len(raw)].strip(" *_.")
        if name:
            return name
    body = _PUBLIC_BODY.search("\n".join(_uncap(line) for line in text[:_OPENING].splitlines()))
    return re.sub(r"\s+", " ", body.group(0)).strip() if body else None


def _uncap(line: str) -> str:
    """'CITY OF BRACKENFORD — RECORD' → 'City of Brackenford — Record' (headings in capitals name bodies too)."""
    if not line.isupper():
        return line
    return " ".join(w.lower() if w.lower() in _SMALL else w.capitalize() for w in line.split(" "))


def find_awardees(text: str) -> list[str]:
    """Names an award sentence gives, in order of appearance, without repeats."""
    found: list[tuple[int, str]] = []
    for pattern in _AWARDS:
        for match in pattern.finditer(text):
            name = re.sub(r"\s+", " ", match.group("name")).strip(" *_.,")
            if len(name) >= 3 and not _NOT_NAMES.match(name) and not name[:1].isdigit():
                found.append((match.start("name"), name))
    names: list[str] = []
    for _, name in sorted(found):
        if not any(name.lower() in n.lower() or n.lower() in name.lower() for n in names):
            names.append(name)
    return names
