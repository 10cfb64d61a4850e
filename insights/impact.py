"""Fix impact: did a doc added or changed since the last digest make its topics hand off less?

For each changed doc, the topics it answers are those whose centroid is close to the doc's own
embedding (same embedder as the grouping), plus the topic it was drafted for (``topic:`` in its
front matter). Their *handoff rate* is their handoffs per 100 conversations, over the 14 days
before the change and the (up to) 14 days after it, as far as the digest's data reaches.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

import numpy as np

WINDOW_DAYS = 14
ANSWERS = 0.45  # cosine of doc and topic centroid at which the doc is taken to answer the topic
MAX_TOPICS = 3  # topics per doc


@dataclass
class DocChange:
    """A doc whose content changed at ingest (``knowledge`` records the time)."""

    key: str
    title: str
    url: str
    changed_at: float
    added: bool  # first indexed then (not an update)
    text: str = ""  # the doc's text (title and opening), embedded to find its topics
    topic_id: str = ""  # the topic it was drafted for, from its front matter


@dataclass
class FixImpact:
    title: str
    url: str
    changed_at: float
    added: bool
    topics: list[str] = field(default_factory=list)  # topic names
    before: float | None = None  # handoffs per 100 conversations in the window before
    after: float | None = None
    before_days: float = 0.0  # how much of each window the data covers
    after_days: float = 0.0


def _rate(times: list[float], all_times: list[float], lo: float, hi: float) -> float | None:
    conversations = bisect_left(all_times, hi) - bisect_left(all_times, lo)
    if conversations == 0:
        return None
    handoffs = bisect_left(times, hi) - bisect_left(times, lo)
    return 100.0 * handoffs / conversations


def fix_impacts(changes: list[DocChange], topics: list[tuple[str, str, np.ndarray, list[float]]], conversation_times: list[float],
                *, data_start: float, data_end: float, embedder, weight: float = 1.0) -> list[FixImpact]:
    """``topics``: (id, name, centroid, sorted handoff times); ``conversation_times``: sorted creation times;
    ``weight``: handoffs each topic handoff stands for (the grouping saw a sample)."""
    if not changes:
        return []
    vectors = None
    if embedder is not None and topics:
        vectors = np.asarray(embedder.embed([c.text or c.title for c in changes]), dtype=np.float32)
        centroids = np.vstack([np.asarray(t[2], dtype=np.float32) for t in topics])
    window = WINDOW_DAYS * 86400
    out = []
    for i, change in enumerate(changes):
        chosen: list[int] = [j for j, t in enumerate(topics) if change.topic_id and t[0] == change.topic_id]
        if vectors is not None and centroids.shape[1] == vectors.shape[1]:
            sims = centroids @ vectors[i]
            for j in np.argsort(-sims):
                if sims[j] < ANSWERS or len(chosen) >= MAX_TOPICS:
                    break
                if int(j) not in chosen:
                    chosen.append(int(j))
        impact = FixImpact(change.title, change.url, change.changed_at, change.added, [topics[j][1] for j in chosen])
        if chosen:
            times = sorted(t for j in chosen for t in topics[j][3])
            lo, hi = max(data_start, change.changed_at - window), min(data_end, change.changed_at + window)
            impact.before_days = max(0.0, change.changed_at - lo) / 86400
            impact.after_days = max(0.0, hi - change.changed_at) / 86400
            before = _rate(times, conversation_times, lo, change.changed_at)
            after = _rate(times, conversation_times, change.changed_at, hi)
            impact.before = None if before is None else before * weight
            impact.after = None if after is None else after * weight
        out.append(impact)
    return out
