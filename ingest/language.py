"""Language of a document or passage, deterministic and robust on short strings.

langdetect is probabilistic; a fixed seed makes it repeatable. On a few words
it often guesses wrong, so short texts are decided on stopwords and accents
first (`votes`, `by_words`; index.query_language reads questions with them too).
"""

from __future__ import annotations

import re
import threading

from langdetect import DetectorFactory, detect_langs
from langdetect.detector_factory import init_factory
from langdetect.lang_detect_exception import LangDetectException

from ingest.stopwords import ENGLISH, FRENCH
from ingest.vocabulary import UNDETERMINED

DetectorFactory.seed = 0
WORD = re.compile(r"[^\W\d_]+")
_FRENCH_CHARS = set("éèêàâùûôîïçœ")


_PROFILES_LOCK = threading.Lock()
_profiles_loaded = False


def load_profiles() -> None:
    """Load langdetect's 55 language profiles once (about half a second).

    langdetect's own lazy loader publishes its factory before filling it, so two first
    detections at once (two requests, two threads) could run on half the profiles; this
    loads them under a lock. The service calls it in the background once it answers.
    """
    global _profiles_loaded
    if _profiles_loaded:
        return
    with _PROFILES_LOCK:
        if not _profiles_loaded:
            init_factory()
            _profiles_loaded = True


def votes(text: str) -> tuple[int, int]:
    """(French, English) evidence: stopwords, and words with French accents counting double."""
    words = [w.lower() for w in WORD.findall(text)]
    fr = sum(w in FRENCH for w in words) + 2 * sum(any(c in _FRENCH_CHARS for c in w) for w in words)
    return fr, sum(w in ENGLISH for w in words)


def by_words(text: str) -> str | None:
    fr, en = votes(text)
    if fr > en:
        return "fr"
    if en > fr:
        return "en"
    return None


def detect_language(text: str, default: str = UNDETERMINED, sample: int = 3000) -> str:
    """ISO 639-1 code of `text` ('fr', 'en', …), or `default` when there is no signal."""
    text = text[:sample]
    words = WORD.findall(text)
    if len(words) < 12:
        return by_words(text) or default
    load_profiles()
    try:
        best = detect_langs(text)[0]
    except LangDetectException:
        return by_words(text) or default
    if best.prob < 0.7:
        return by_words(text) or best.lang
    return best.lang


def passage_language(text: str, document_language: str) -> str:
    """A passage's language: its document's when the stopwords clearly agree, else langdetect's.

    Most passages are in their document's language; a clear stopword vote confirms that at a small
    fraction of langdetect's cost (which was over half of the parse time). Only passages that look
    different (a quotation in English inside a French guide, a multilingual notice) pay for langdetect.
    """
    words = [w.lower() for w in WORD.findall(text[:800])]
    votes = {"fr": sum(w in FRENCH for w in words), "en": sum(w in ENGLISH for w in words)}
    other = votes["en" if document_language == "fr" else "fr"]
    if document_language in votes and votes[document_language] >= 8 and votes[document_language] >= 4 * other:
        return document_language
    return detect_language(text, default=document_language, sample=800)
