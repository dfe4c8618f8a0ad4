"""ONNX Runtime backends for the embedding model: `onnx` (fp32) and `onnx-int8` (int8 MatMul/Attention weights).

Why: on CPU, ingest time is mostly the transformer; ONNX Runtime runs it with fused BERT kernels and, for
`onnx-int8`, integer matrix products (VNNI/AMX on recent x86), and it loads in about a second (torch: 10 s and more).
Everything happens offline: the model is exported from the local folder with `torch.onnx.export` (the
TorchScript exporter: it needs no `onnxscript`, and with eager attention its graph is the one ONNX Runtime's
BERT fusions recognise). The export is written once under the cache folder the caller gives (the service
passes PROCSEARCH_ONNX_CACHE; default ~/.cache/procsearch/onnx), in a folder named after the model, the
backend and a hash of the model's files and of this recipe, so a changed model or recipe is never served a
stale graph. The folder is built in a temporary directory and renamed into place, so an export that is killed
half way leaves nothing behind.
Once cached, loading needs neither torch nor transformers: `tokenizers` + `onnxruntime` + numpy.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ingest.errors import ModelError

logger = logging.getLogger(__name__)

# Bump when the export, fusion or quantization recipe changes: it is part of the cache key.
RECIPE = "v1: torchscript opset 17, eager attention, ORT bert fusion; int8: dynamic, per-channel, MatMul+Attention"
_WEIGHT_SUFFIXES = {".json", ".txt", ".model", ".safetensors", ".bin"}


DEFAULT_CACHE = Path.home() / ".cache" / "procsearch" / "onnx"  # model exports and conversions, unless told


def model_hash(folder: Path) -> str:
    """sha256 of the files that define the model (weights, configs, tokenizer) plus RECIPE."""
    return _hash(str(folder.resolve()), RECIPE)


@functools.lru_cache(maxsize=8)
def _hash(folder_name: str, recipe: str) -> str:
    folder = Path(folder_name)
    digest = hashlib.sha256(recipe.encode())
    for file in sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in _WEIGHT_SUFFIXES and not {"onnx", "openvino"} & set(p.relative_to(folder).parts)
    ):
        digest.update(str(file.relative_to(folder)).encode())
        with file.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()[:16]


def cached_snapshot(name: str) -> Path | None:
    """The folder of hub model `name` in the local hub cache, found on disk alone, or None.

    Looked up without the hub client's loaders: even with `local_files_only` they send a request of
    their own (huggingface_hub's agent registry), and offline must mean no connection at all.
    """
    try:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(name, "config.json")
    except Exception:  # noqa: BLE001 - not a hub id (a path that does not exist), or no hub client
        return None
    return Path(found).parent if isinstance(found, str) else None


def local_folder(model_path: str, allow_download: bool = False) -> Path:
    """The model's folder: a path as given, else its snapshot in the hub cache, else downloaded if allowed.

    Without `allow_download` nothing connects anywhere: a name found neither on disk nor in the cache
    is a ModelError at once, saying what to do.
    """
    if Path(model_path).is_dir():
        return Path(model_path)
    if not allow_download:
        snapshot = cached_snapshot(model_path)
        if snapshot is None:
            raise ModelError(
                f"the model '{model_path}' is neither a local folder nor in the local model-hub cache, and "
                "downloads are off: give a local path, or set PROCSEARCH_ALLOW_DOWNLOAD=1 on a machine that "
                "can reach the model hub"
            )
        return snapshot
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model_path, allow_patterns=["*.json", "*.txt", "*.model", "*.safetensors"]))
    except Exception as exc:  # noqa: BLE001 - unknown ids, network errors: one message
        raise ModelError(f"cannot download the model '{model_path}' ({type(exc).__name__}: {exc})") from exc


def export_folder(model_path: str, backend: str, cache: Path = DEFAULT_CACHE, allow_download: bool = False) -> Path:
    """Where the export of `model_path` for `backend` lives under `cache` (whether or not it exists yet)."""
    folder = local_folder(model_path, allow_download).resolve()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", str(folder))[-60:].strip("-")
    return cache / f"{slug}-{backend}-{model_hash(folder)}"


# Measured on the 528 chunks of corpus/documents (mean cosine to torch fp32, hybrid nDCG@10 of the bundled set;
# torch: 0.795): per-tensor int8 of every op 0.925 / 0.779; per-channel MatMul+Attention 0.992 / 0.794; the same
# with the FFN output MatMuls (the outlier-heavy ones) kept in fp32 0.996 / 0.786, with the last layer kept in
# fp32 0.992 / 0.796. Per-channel weight scales are what matters; excluding nodes costs speed for no nDCG gain.
INT8_OPTIONS = {"per_channel": True, "reduce_range": False, "op_types_to_quantize": ["MatMul", "Attention"]}


def int8_excluded(node_names: list[str]) -> list[str]:
    """Nodes `onnx-int8` keeps in fp32 (a hook for other models and experiments): none for all-MiniLM-L6-v2."""
    return []


def _export(model_path: str, out: Path) -> None:
    """Write the fp32 model.onnx, tokenizer.json and settings.json of `model_path` into the empty folder `out`."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    # Eager attention traces to plain MatMul/Softmax that ORT fuses into its Attention kernel; sdpa does not fuse.
    # float32 whatever the folder stores (the converted e5 keeps float16 weights on disk).
    st = SentenceTransformer(
        model_path, device="cpu", model_kwargs={"attn_implementation": "eager", "dtype": torch.float32}
    )
    kinds = [type(module).__name__ for module in st]
    modules: list[Any] = list(st)  # torch's Sequential indexing is typed Module | Tensor
    pooling = modules[1].get_config_dict() if len(kinds) > 1 and kinds[1] == "Pooling" else {}
    if (
        kinds[:2] != ["Transformer", "Pooling"]
        or set(kinds[2:]) - {"Normalize"}
        or pooling.get("pooling_mode") not in ("mean", "cls", "max")
        or not pooling.get("include_prompt", True)
    ):
        raise ModelError(
            f"the ONNX backends handle Transformer + mean/cls/max Pooling models, not {kinds}: "
            "set PROCSEARCH_BACKEND=torch"
        )
    transformer = modules[0].auto_model.eval()
    names = ["input_ids", "attention_mask", "token_type_ids"]

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.m = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    # Two texts of different lengths, so the traced graph takes the padded-mask path.
    sample = dict(
        st.tokenizer(
            ["a short text", "a longer text that needs the attention mask for padding"],
            padding=True,
            return_tensors="pt",
        )
    )
    # XLM-R tokenizers (multilingual-e5) return no token_type_ids; BERT still takes them: all zeros.
    sample.setdefault("token_type_ids", torch.zeros_like(sample["input_ids"]))
    raw = out / "raw.onnx"
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Encoder(),
            tuple(sample[n] for n in names),
            str(raw),
            input_names=names,
            output_names=["last_hidden_state"],
            opset_version=17,
            dynamo=False,
            dynamic_axes={n: {0: "batch", 1: "sequence"} for n in [*names, "last_hidden_state"]},
        )
    try:
        from onnxruntime.transformers import optimizer

        fused = optimizer.optimize_model(
            str(raw),
            model_type="bert",
            hidden_size=transformer.config.hidden_size,
            num_heads=transformer.config.num_attention_heads,
        )
        fused.save_model_to_file(str(out / "model.onnx"))
        raw.unlink()
    except Exception:  # noqa: BLE001 - fusion is an optimisation; the plain graph is still correct
        raw.replace(out / "model.onnx")
    st.tokenizer.backend_tokenizer.save(str(out / "tokenizer.json"))
    settings = {
        "max_seq_length": st.max_seq_length,
        "pooling": pooling["pooling_mode"],
        "pad_id": st.tokenizer.pad_token_id or 0,
        "dimension": st.get_embedding_dimension(),
        "prompts": dict(st.prompts or {}),
        "recipe": RECIPE,
        "model_path": str(model_path),
    }
    (out / "settings.json").write_text(json.dumps(settings, indent=1))


def _quantize(fp32: Path, out: Path) -> None:
    """The int8 variant of the fp32 export `fp32`, written into the empty folder `out` (a few seconds)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    nodes = [node.name for node in onnx.load(str(fp32 / "model.onnx")).graph.node]
    # quantize_dynamic logs an advice through logging.warning() on the root logger: meant for whoever tunes the
    # quantization, not for a user ingesting files. A handler on root for the duration keeps it from configuring
    # the root logger (basicConfig) as a side effect, and the raised level keeps the advice off the console.
    root, quiet, level = logging.getLogger(), logging.NullHandler(), logging.getLogger().level
    root.addHandler(quiet)
    root.setLevel(logging.ERROR)
    try:
        quantize_dynamic(
            str(fp32 / "model.onnx"),
            str(out / "model.onnx"),
            weight_type=QuantType.QInt8,
            nodes_to_exclude=int8_excluded(nodes),
            **INT8_OPTIONS,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )  # types of fused-op outputs
    finally:
        root.setLevel(level)
        root.removeHandler(quiet)
    for name in ("tokenizer.json", "settings.json"):
        shutil.copyfile(fp32 / name, out / name)


def ensure_export(
    model_path: str, backend: str, cache: Path = DEFAULT_CACHE, announce: bool = True, allow_download: bool = False
) -> Path:
    """The cached export folder, built first if missing (temp folder + rename: never half written).

    `onnx-int8` is quantized from the cached `onnx` export, so it costs one torch export, not two. The first
    use says once (INFO on this module's logger, which the CLI shows) that the model is being prepared, since
    it takes a minute or so before the first file is embedded.
    """
    final = export_folder(model_path, backend, cache, allow_download)
    if (final / "settings.json").exists():
        return final
    if announce:
        logger.info(
            "preparing the embedding model for first use (%s export, cached in %s); this takes a minute or two, once",
            backend,
            final.parent,
        )
    fp32 = ensure_export(model_path, "onnx", cache, False, allow_download) if backend == "onnx-int8" else None
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        if fp32:
            _quantize(fp32, tmp)
        else:
            _export(str(local_folder(model_path, allow_download)), tmp)
        tmp.chmod(0o755)  # mkdtemp makes it private; the cache may be shared (a Docker volume, another user)
        try:
            tmp.rename(final)
        except OSError:  # another process finished the same export first: keep theirs
            if not (final / "settings.json").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


class OnnxEncoder:
    """Drop-in for the part of SentenceTransformer the Embedder uses: `encode`, `prompts`, the dimension."""

    def __init__(self, model_path: str, backend: str, cache: Path = DEFAULT_CACHE, allow_download: bool = False):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if backend not in ("onnx", "onnx-int8"):
            raise ValueError(f"OnnxEncoder runs the onnx and onnx-int8 backends, not '{backend}'")
        self.folder = ensure_export(model_path, backend, cache, allow_download=allow_download)
        settings = json.loads((self.folder / "settings.json").read_text())
        self.prompts: dict[str, str] = settings["prompts"]
        self.pooling, self.pad_id, self._dimension = settings["pooling"], settings["pad_id"], settings["dimension"]
        self.tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(settings["max_seq_length"])
        self.tokenizer.no_padding()  # batches are padded here, to their own longest text
        options = ort.SessionOptions()  # one thread per usable core, operators run one after the other
        options.intra_op_num_threads = (
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        )
        options.inter_op_num_threads, options.execution_mode = 1, ort.ExecutionMode.ORT_SEQUENTIAL
        # Idle workers sleep instead of spinning: on a shared 2-core machine (and next to the server's own threads)
        # spinning takes CPU from the threads doing the work (README, "Embedding backends").
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(
            str(self.folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}

    def get_embedding_dimension(self) -> int:
        return int(self._dimension)

    def encode(
        self,
        texts: list[str],
        batch_size: int = 32,
        prompt_name: str | None = None,
        normalize_embeddings: bool = True,
        convert_to_numpy: bool = True,
        show_progress_bar: bool = False,
    ) -> np.ndarray:
        """Vectors (one row per text, in order); batches are formed from texts of similar token length."""
        prefix = self.prompts.get(prompt_name or "", "")
        encodings = self.tokenizer.encode_batch([prefix + t for t in texts])
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            types = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n], mask[r, :n], types[r, :n] = encodings[i].ids, 1, encodings[i].type_ids
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            hidden = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
            out[rows] = self._pool(hidden, mask)
        if normalize_embeddings:
            out /= np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None)
        return out

    def _pool(self, hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if self.pooling == "cls":
            return hidden[:, 0]
        weights = mask[..., None].astype(np.float32)
        if self.pooling == "max":
            return np.where(weights > 0, hidden, -1e9).max(axis=1)
        return (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
