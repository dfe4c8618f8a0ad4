"""The weights of the fused sources and the depth of the candidate pool, per mode.

Chosen per model on the tuning halves of the real-documents set (eval/shared) and of PIAF, with the
bundled set as a smoke test (`python -m eval.sweep`, docs/retrieval-experiments.md); one place for
every figure that `index.query_sources` and `index.search` read. The defaults are read-only: an
evaluation that sweeps a weight passes its own `dataclasses.replace(default_tuning(mode), ...)` to
search(), so no other search in the process sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType

POOL = 200  # candidates fused per source, and the fused chunks a result set is read from: fixed, so pages agree


def candidate_limit(keep: int) -> int:
    """Fused candidates whose whole payload (with the text) is read to build `keep` passages.

    Reading payloads dominates a Qdrant Edge query: 200 of them took 7.4 ms where the fused
    ranking alone took 0.5 ms. Three candidates per passage leave room for merges and
    near-duplicates; search() reads deeper in the rare case they are not enough.
    """
    return max(30, 3 * keep)


@dataclass(frozen=True)
class Tuning:
    """Weights of the fused sources, per mode.

    Qdrant's weighted RRF scores a source's hit at position p as 1 / ((p + 1) / w + k - 1):
    a weight stretches a source's ranks rather than scaling its scores, so even a
    low-weight source keeps its first hits near the top. Under score fusion
    (`score_fused`) the dense weight scales its normalised scores instead, and
    the BM25 sources (with the translations when `expansion` > 0) form one
    unweighted lexical list (see `index.query_sources.sources`).
    """

    dense_en: float = 0.5  # dense weight for an English (or unknown-language) query: on US regulation the model is weak
    dense_fr: float = 2.0  # …for a French query, where the multilingual model reads best
    lexical_other: float = 0.5  # BM25 with the other language's analyser (rank fusion)
    merged_expansion: float = 0.35  # glossary translations added inside that BM25 query, at this term weight
    expansion: float = 0.2  # the translations alone as one more source (language-sure queries only)
    rrf_k: int = 20
    scored_expansion: float = 1.0  # the translations' share of the summed lexical list under score fusion
    scored_other: float = 1.0  # …and the other language's BM25 share: many answers exist only in the other language
    score_fused: tuple[str, ...] = ("fr", "en")  # query languages whose hybrid queries are score-fused
    document_lexical: float = 1.2  # score-fused queries: each document's whole-text BM25 at this weight


def lexical_mode(tuning: Tuning) -> Tuning:
    """`tuning` for lexical mode: both analysers and the glossary alike, no translation source of its own.

    Score-fused like hybrid, the other language's BM25 at half: without a dense list to carry
    cross-lingual questions, a full share let other-language documents crowd out same-language ones.
    """
    return replace(tuning, lexical_other=1.0, merged_expansion=1.0, expansion=0.0, scored_other=0.5)


# An English-only model (MiniLM) reads French poorly: its dense list weighs half for French questions and
# English questions stay rank-fused (bundled set 0.826 with these weights, 0.794 with the multilingual ones).
ENGLISH_ONLY = Tuning(dense_en=1.0, dense_fr=0.5, scored_other=0.5, score_fused=("fr",), document_lexical=0.4)
MODEL_TUNING = MappingProxyType({"all-MiniLM-L6-v2": ENGLISH_ONLY})

DEFAULT_TUNING = MappingProxyType(
    {
        "hybrid": Tuning(),
        "dense": Tuning(),
        "lexical": lexical_mode(Tuning()),
    }
)


def default_tuning(mode: str, model: str | None = None) -> Tuning:
    """The weights search() uses for `mode` when it is given none, for `model` (a name or a folder)."""
    own = MODEL_TUNING.get((model or "").rstrip("/").rsplit("/", 1)[-1])
    if own is None:
        return DEFAULT_TUNING[mode]
    return lexical_mode(own) if mode == "lexical" else own
