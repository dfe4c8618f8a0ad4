"""The weights of the fused sources and the depth of the candidate pool, per mode.

Chosen on the bundled evaluation set and checked on PIAF (README); one place for every figure that
`index.query_sources` and `index.search` read, so an evaluation can sweep them.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    dense_en: float = 1.0  # dense weight for an English (or unknown-language) query
    dense_fr: float = 0.5  # …for a French query: the default model is English
    lexical_other: float = 0.5  # BM25 with the other language's analyser (rank fusion)
    merged_expansion: float = 0.35  # glossary translations added inside that BM25 query, at this term weight
    expansion: float = 0.2  # the translations alone as one more source (language-sure queries only)
    rrf_k: int = 20
    scored_expansion: float = 1.0  # the translations' share of the summed lexical list under score fusion
    scored_other: float = 0.5  # …and the other language's BM25 share: a French question opens on French documents
    score_fused: tuple[str, ...] = ("fr",)  # query languages whose hybrid queries are score-fused
    document_lexical: float = 0.4  # score-fused queries: each document's whole-text BM25 at this weight (README)


TUNING: dict[str, Tuning] = {  # one per mode of ingest.vocabulary.MODES
    "hybrid": Tuning(),
    "dense": Tuning(),
    "lexical": Tuning(lexical_other=1.0, merged_expansion=1.0, expansion=0.0),
}
