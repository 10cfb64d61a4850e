"""A learned second opinion on the built-in intents, for wording the cue grammar was not written for.

Why: the cue grammar in agent/rules/intents.py is precise, but on a set written blind to it (held-out set
3) it caught only 73% of the escalations: "actual person please", "undo my purchase", "reverse the
payment", "keeps going back to trial mode", Dutch or Polish. A classifier trained on labelled
messages generalises to new wording where a word list cannot.

What: a multinomial logistic-regression head (numpy only) over two feature blocks,

* the sentence embedding of the project's offline model (all-MiniLM-L6-v2, ONNX, 384 dims): meaning,
  English-centric;
* hashed character 2–4-grams of the normalised text (language-agnostic, robust to typos and
  inflection: "licentiecode", "Lizenzschlüssel", "licencia" share pieces),

predicting one of ``answer`` or the six built-in intents. The weights (a few hundred KB) live in
``agent/rules/data/intent_head.npz``; ``python -m bench.train_intents`` retrains them from the labelled
sets and records the cross-validated threshold in the same file. Nothing is downloaded at run time.

The rule engine asks the head only when the grammar did not already decide (no built-in intent at
1.0), so the ~5–8 ms of embedding is spent on messages that would otherwise go unescalated.
"""

from __future__ import annotations

import re
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agent.rules.lexicon import BUILTIN_INTENTS
from agent.rules.text import normalize

HEAD_PATH = Path(__file__).resolve().parent / "data" / "intent_head.npz"
CLASSES = ("answer", *BUILTIN_INTENTS)
CHAR_DIM = 4096  # hashed character n-gram buckets
CHAR_ORDERS = (2, 3, 4)
CHAR_WEIGHT = 2.0  # relative scale of the char block against the (unit-length) embedding; chosen by cross-validation
EMBED_DIM = 384
MIN_WORDS = 3  # shorter messages ("No", "?", "hloo") are left to the grammar: too little for the head to read


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _word_count(token: str) -> float:
    """Chinese and Japanese are written without spaces (and Korean with few): each of their characters
    counts as 3/4 of a word, so "我要退款" (I want a refund) is read like a four-word sentence would be."""
    cjk = len(_CJK.findall(token))
    return max(1.0, 0.75 * cjk) if cjk else 1.0


def applies(text: str) -> bool:
    """Whether the head may judge this message: enough words to carry a meaning of its own."""
    return sum(_word_count(t) for t in normalize(text).split() if any(c.isalpha() for c in t)) >= MIN_WORDS


# Sentence ends (Latin and CJK punctuation) and line breaks. A request buried after praise or a how-to
# question ("Love the templates! ... Also I was charged for a second copy") is diluted in the embedding
# of the whole message, so each sentence is read on its own as well.
_SENTENCE_END = re.compile(r"(?<=[.!?;…。！？])\s+|(?<=[。！？])|\n+")
MAX_SEGMENTS = 6  # a pasted essay is read as its first sentences plus the whole


def segments(text: str) -> list[str]:
    """The sentences of a message the head reads separately (only when there are two or more, each
    with enough words of its own); empty for a one-sentence message."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]
    parts = [p for p in parts if applies(p)]
    return parts[:MAX_SEGMENTS] if len(parts) > 1 else []


class ClassifierError(Exception):
    """The learned intent head cannot be used (weights missing or made for another embedder)."""


def char_features(texts: list[str], dim: int = CHAR_DIM) -> np.ndarray:
    """Hashed, signed character n-grams of the normalised text, sublinear counts, L2-normalised rows."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for row, text in enumerate(texts):
        padded = f" {normalize(text)} "
        counts: dict[int, float] = {}
        for n in CHAR_ORDERS:
            for i in range(len(padded) - n + 1):
                h = zlib.crc32(padded[i : i + n].encode())
                key = h % dim
                counts[key] = counts.get(key, 0.0) + (1.0 if (h >> 31) & 1 else -1.0)
        for key, value in counts.items():
            out[row, key] = np.sign(value) * (1.0 + np.log(abs(value))) if value else 0.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.clip(norms, 1e-12, None)


def features(texts: list[str], embeddings: np.ndarray, chars: np.ndarray | None = None) -> np.ndarray:
    """The head's input: [embedding | char n-grams], one row per text (a bias column is added in the head).
    ``chars``: the weighted char block when already computed (the gate reads it first)."""
    chars = CHAR_WEIGHT * char_features(texts) if chars is None else chars
    return np.hstack([embeddings.astype(np.float32), chars])


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def train_head(x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None, *,
               l2: float = 1e-4, epochs: int = 300, lr: float = 0.05, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression by full-batch Adam. Returns (W [features x classes], b [classes])."""
    rng = np.random.default_rng(seed)
    n, d = x.shape
    k = len(CLASSES)
    w = rng.normal(0, 0.01, (d, k)).astype(np.float32)
    b = np.zeros(k, dtype=np.float32)
    onehot = np.eye(k, dtype=np.float32)[y]
    sw = np.ones(n, dtype=np.float32) if sample_weight is None else sample_weight.astype(np.float32)
    sw = sw / sw.sum()
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for t in range(1, epochs + 1):
        p = softmax(x @ w + b)
        g = (p - onehot) * sw[:, None]
        gw = x.T @ g + l2 * w
        gb = g.sum(axis=0)
        for param, grad, m, v in ((w, gw, m_w, v_w), (b, gb, m_b, v_b)):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            param -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return w, b


@dataclass
class Prediction:
    escalate: float  # 1 - P(answer)
    intent: str  # the likeliest built-in intent
    probability: float  # its probability
    gated: bool = False  # decided by the character n-gram gate alone, without an embedding


class IntentHead:
    """The trained head plus the embedder it was trained with; ``predict(text)``.

    ``embedder`` must produce the vectors the head was trained on (its ``name`` is stored in the
    weights file); by default it is ``knowledge.embeddings.default_embedder()``, loaded on first use.
    """

    def __init__(self, path: str | Path = HEAD_PATH, embedder=None):
        try:
            data = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise ClassifierError(f"Cannot read the intent head {str(path)!r}: {exc}. Retrain it with `python -m bench.train_intents`.") from exc
        self.w = data["w"].astype(np.float32)
        self.b = data["b"].astype(np.float32)
        self.classes = tuple(str(c) for c in data["classes"])
        self.embedder_name = str(data["embedder"])
        self.threshold = float(data["threshold"])
        # The gate: the same kind of head on the character n-grams alone (no embedding, ~0.2 ms). A message
        # it scores below gate_threshold is answered without the ~8 ms embedding (cross-validated to cost
        # almost no recall); optional, older weight files have none.
        self.gate_w = data["gate_w"].astype(np.float32) if "gate_w" in data.files else None
        self.gate_b = data["gate_b"].astype(np.float32) if "gate_b" in data.files else None
        self.gate_threshold = float(data["gate_threshold"]) if "gate_threshold" in data.files else 0.0
        if self.classes != CLASSES or self.w.shape != (EMBED_DIM + CHAR_DIM, len(CLASSES)):
            raise ClassifierError(f"{path} was trained for other classes or features; retrain it with `python -m bench.train_intents`.")
        self._embedder = embedder
        self._lock = threading.Lock()

    @property
    def embedder(self):
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    from knowledge.embeddings import default_embedder

                    self._embedder = default_embedder()
        if getattr(self._embedder, "name", None) != self.embedder_name:
            raise ClassifierError(
                f"the intent head was trained on {self.embedder_name!r} vectors, not {getattr(self._embedder, 'name', '?')!r}"
            )
        return self._embedder

    def probabilities(self, texts: list[str], chars: np.ndarray | None = None) -> np.ndarray:
        x = features(list(texts), self.embedder.embed(list(texts)), chars)
        return softmax(x @ self.w + self.b)

    def predict(self, text: str) -> Prediction:
        """The whole message and each of its sentences are read; the most escalation-like reading counts.
        The gate reads the character n-grams first; only what it cannot rule out is embedded."""
        texts = [text, *segments(text)]
        chars = CHAR_WEIGHT * char_features(texts)
        if self.gate_w is not None:
            gate = softmax(chars @ self.gate_w + self.gate_b)
            g = gate[int(gate[:, 0].argmin())]
            if 1.0 - g[0] < self.gate_threshold:
                j = 1 + int(g[1:].argmax())
                return Prediction(escalate=float(1.0 - g[0]), intent=self.classes[j], probability=float(g[j]), gated=True)
        probs = self.probabilities(texts, chars)
        p = probs[int(probs[:, 0].argmin())]
        j = 1 + int(p[1:].argmax())
        return Prediction(escalate=float(1.0 - p[0]), intent=self.classes[j], probability=float(p[j]))


_DEFAULT: IntentHead | None = None
_DEFAULT_LOCK = threading.Lock()


def default_head() -> IntentHead:
    """The shipped head (agent/rules/data/intent_head.npz), loaded once per process."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = IntentHead()
        return _DEFAULT
