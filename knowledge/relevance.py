"""A relevance the agent can trust: 0..1, comparable across questions, with one threshold.

Fused ranking scores (RRF) only order hits within one query; they say nothing about whether the
docs answer the question at all. Relevance does: a logistic model over two signals of a hit,

* ``cosine``: the embedder's similarity between the question and the chunk (meaning), and
* ``coverage``: the share of the question's content words found in the chunk, title and section
  path (wording; catches product names and error codes the embedder does not know),

fitted per embedder on questions the docs answer versus questions they do not
(``python -m bench.retrieval --calibrate`` prints a fit; docs/knowledge.md has the figures).
``Hit.relevance >= knowledge.defaults.RELEVANCE_THRESHOLD`` means the docs very likely answer.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from knowledge import defaults

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Calibration:
    """relevance = sigmoid(bias + cosine_weight * cosine + coverage_weight * coverage)."""

    bias: float
    cosine_weight: float
    coverage_weight: float

    def relevance(self, cosine: float, coverage: float) -> float:
        z = self.bias + self.cosine_weight * cosine + self.coverage_weight * coverage
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def _stem(word: str) -> str:
    """A deliberately tiny stemmer: enough to match refund/refunds/refunded, not a linguist."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> set[str]:
    """Lower-cased, stemmed words of ``text`` without stop words."""
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in defaults.STOP_WORDS and len(w) > 1}


def coverage(query_terms: set[str], passage_terms: set[str]) -> float:
    """Share of the question's content words that the passage contains (0 when it has none)."""
    if not query_terms:
        return 0.0
    return len(query_terms & passage_terms) / len(query_terms)


def fit(features: np.ndarray, labels: np.ndarray, *, l2: float = 1e-3, iterations: int = 50) -> Calibration:
    """Logistic regression by Newton's method on rows ``(cosine, coverage)`` → label 0/1.

    Classes are weighted equally, so the 0.5 point does not depend on how many questions of each
    kind the benchmark happens to have. Used by the benchmark to calibrate an embedder; small and
    dependency-free on purpose.
    """
    x = np.hstack([np.ones((len(features), 1)), np.asarray(features, dtype=np.float64)])
    y = np.asarray(labels, dtype=np.float64)
    positives = max(1.0, y.sum())
    negatives = max(1.0, len(y) - y.sum())
    weight = np.where(y == 1, len(y) / (2 * positives), len(y) / (2 * negatives))
    w = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -60, 60)))
        gradient = x.T @ (weight * (p - y)) + l2 * w
        hessian = (x * (weight * p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Calibration(bias=round(float(w[0]), 3), cosine_weight=round(float(w[1]), 3),
                       coverage_weight=round(float(w[2]), 3))
