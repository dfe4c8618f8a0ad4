"""The language of a question, and how sure we are: it weights the BM25 analysers and the glossary.

Questions are a few words long, where langdetect often guesses wrong: a clear stopword and accent
vote (ingest.language, shared with documents) decides first, langdetect only the rest.
"""

from __future__ import annotations

from functools import lru_cache

from langdetect import detect_langs
from langdetect.lang_detect_exception import LangDetectException

from ingest.language import WORD, by_words, load_profiles, votes


@lru_cache(maxsize=4096)  # deterministic (seeded); langdetect costs ~10 ms on a sentence-long question
def query_languages(text: str) -> tuple[str | None, float]:
    """The query's language and our confidence in it (0–1), for weighting analysers.

    A clear stopword vote decides without langdetect (about 10 ms a question): on the 635
    questions of the bundled set and PIAF, it never disagreed with langdetect's verdict.
    """
    fr, en = votes(text)
    high, low = max(fr, en), min(fr, en)
    if high >= 2 and (low == 0 or high >= 2 * low + 3):
        return ("fr" if fr > en else "en"), 0.9
    guess = by_words(text)
    words = WORD.findall(text)
    if len(words) >= 6:
        load_profiles()
        try:
            best = detect_langs(text)[0]
            if best.lang in ("fr", "en") and best.prob >= 0.9:
                return best.lang, 0.9 if guess in (None, best.lang) else 0.6
        except LangDetectException:
            pass
    return (guess, 0.7) if guess else (None, 0.0)
