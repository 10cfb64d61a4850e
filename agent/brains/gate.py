"""The offline answer gate: is the chosen doc the answer, or only a neighbour that passed relevance?"""

from __future__ import annotations

import math
from dataclasses import dataclass

from agent.brains.extract import Extract, heading_match
from agent.brains.units import question_terms, terms

# ---- the answer gate --------------------------------------------------------------------------
#
# Relevance says "the docs cover this topic"; on paraphrased questions a neighbouring article often
# passes it and its quote would be stated as fact. The gate asks the narrower question "is this doc
# the answer?": a logistic model over a few signals of the chosen quote and the ranking, fitted per
# embedder on questions with known answers (refit: python -m bench.answers --fit-gate; the figures
# are in docs/agent.md). Below its threshold the answerer links the guide tentatively instead.

GATE_FEATURES = ("cosine", "margin", "cosine_margin", "doc_mass", "same_doc", "coverage", "quote_coverage", "heading")


def gate_features(question: str, hits: list, quote: Extract) -> dict:
    """The signals the gate weighs, for the doc ``quote`` comes from (all floats).

    cosine: the doc's best chunk's similarity to the question; margin / cosine_margin: its best fused
    score / cosine minus the best other doc's (a clear winner or a near tie); doc_mass: the doc's summed
    fused scores among the hits minus the best other doc's best (one article answering from two places);
    same_doc: how many of the top five hits are this doc; coverage: share of the question's words in the
    doc's best chunk (the search's lexical signal); quote_coverage: share in the quote, its title and
    section, typos forgiven (``_said``); heading: ``heading_match`` of the cited section.
    (Measured and left out: relevance, the quote's extractor score, "is the search's first doc", and the
    cosine of the question with each doc's title, which cost an extra embedding for no gain.)
    """
    hit = quote.hit
    q = question_terms(question)
    mine = [h for h in hits if h.slug == hit.slug] or [hit]
    others = [h for h in hits if h.slug != hit.slug]
    best_other = max((h.score for h in others), default=0.0)
    said = terms(quote.text) | terms(f"{hit.title} {hit.section}")
    return {
        "cosine": float(max(h.cosine for h in mine)),
        "margin": float(max(h.score for h in mine) - best_other),
        "cosine_margin": float(max(h.cosine for h in mine) - max((h.cosine for h in others), default=0.0)),
        "doc_mass": float(sum(h.score for h in mine) - best_other),
        "same_doc": float(sum(h.slug == hit.slug for h in hits[:5])),
        "coverage": float(max(h.coverage for h in mine)),
        "quote_coverage": sum(_said(t, said) for t in q) / len(q) if q else 0.0,
        "heading": heading_match(q, hit),
    }


# A quote whose text, title and section hold at least this share of the question's words answers it
# whatever the model says (demo: "can I print t-shirts with the font and sell them" → the license's
# merch line, although the search ranked another doc first; paraphrased set 1: 6 right, 1 wrong).
LEXICAL_PASS = 0.66


def _said(term: str, said: frozenset) -> bool:
    """``term`` is in ``said``, or a typo or word form of it is ("instal" / "install", "windos" / "windows"):
    one is a prefix of the other, five letters shared at least."""
    if term in said:
        return True
    return len(term) >= 5 and any(len(s) >= 5 and (s.startswith(term) or term.startswith(s)) for s in said)


@dataclass(frozen=True)
class Gate:
    """P(the chosen doc answers) = sigmoid(bias + Σ weight·feature); answer as fact at ``threshold`` or above
    (or when the quote covers ``lexical`` of the question's words)."""

    bias: float
    weights: dict
    threshold: float
    lexical: float = LEXICAL_PASS

    def probability(self, features: dict) -> float:
        z = self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def passes(self, features: dict) -> bool:
        """State the quote as fact: the model is confident, or the quote says the question in its own words."""
        return features.get("quote_coverage", 0.0) >= self.lexical or self.probability(features) >= self.threshold

    @classmethod
    def for_embedder(cls, name: str) -> Gate | None:
        """The fitted gate for this embedder; None (no gate) for an embedder it was not fitted on."""
        fitted = GATES.get(name)
        return cls(**fitted) if fitted else None


# Fitted by `python -m bench.answers --fit-gate` (5-fold cross-validation on the extracted and the first
# paraphrased Gumroad question sets and the 16 demo questions; the threshold is the lowest at which no set's
# out-of-fold wrong share passes 8 %; the held-out paraphrased set 2 was not used). The negative cosine
# weight is not "similar is bad": cosine rises with the margins, which carry the evidence.
GATES: dict[str, dict] = {
    "all-MiniLM-L6-v2-int8-onnx": {
        "bias": 1.9829, "threshold": 0.84,
        "weights": {"cosine": -8.5651, "margin": 3.3659, "cosine_margin": 10.0169, "doc_mass": 3.5882, "same_doc": -0.2558,
                    "coverage": 1.4355, "quote_coverage": 2.2601, "heading": 2.3181},
    },
}
