"""CPV codes written in free text ('CPV 30213100-6', 'Code CPV principal : 39130000').

Only 8-digit codes on a line (or in the 300 characters) after the word CPV count: an 8-digit number
elsewhere is a phone number or a reference, not a purchase category. The main code is the one a
'main' / 'principal' label introduces, else the first one given.
"""

from __future__ import annotations

import re

_CUE = re.compile(r"\bCPV\b", re.I)
_CODE = re.compile(r"\b(\d{8})(?:-\d)?\b")
_MAIN = re.compile(r"(?:main|principal|principale)\W{0,40}?(\d{8})", re.I)


def find_cpv(text: str) -> tuple[str | None, list[str]]:
    """(main code, every code with the main one first); (None, []) when the text gives none."""
    codes: list[str] = []
    main = None
    for cue in _CUE.finditer(text):
        window = text[cue.start() : cue.end() + 300]
        window = window[: max(window.find("\n\n"), 0) or len(window)]
        codes += [c for c in _CODE.findall(window) if c[:2] != "00"]
        labelled = _MAIN.search(text[max(0, cue.start() - 40) : cue.end() + 120])
        if labelled and main is None:
            main = labelled.group(1)
    codes = list(dict.fromkeys(codes))
    if not codes:
        return None, []
    main = main if main in codes else codes[0]
    return main, [main] + [c for c in codes if c != main]
