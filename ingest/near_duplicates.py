"""Near-duplicate documents: MinHash over word shingles.

A draft and a final RFQ, or the same guide as PDF and Markdown, share most of
their text; listing both as separate results wastes the member's first page.
A 64-value MinHash estimates the Jaccard similarity of two documents' 5-word
shingle sets; at 0.8 and above they are versions of one document.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

NUM_PERM = 64
THRESHOLD = 0.8
# One random 64-bit mask per "permutation": min(hash XOR mask) is a cheap, well-mixed MinHash family.
_MASKS = np.random.default_rng(20261122).integers(0, 2**63, size=(NUM_PERM, 1), dtype=np.int64).astype(np.uint64)
_WORD = re.compile(r"\w+", re.U)


def _shingle_hashes(text: str, size: int = 5) -> np.ndarray:
    words = [w.lower() for w in _WORD.findall(text)]
    grams = {" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1))}
    return np.array(
        [int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little") for g in grams], dtype=np.uint64
    )


def minhash(text: str) -> list[int]:
    """The document's signature (63-bit values, so they fit a signed payload integer)."""
    hashes = _shingle_hashes(text)
    return [int(v >> np.uint64(1)) for v in np.bitwise_xor(hashes[None, :], _MASKS).min(axis=1)]


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of the two documents' shingle sets."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
