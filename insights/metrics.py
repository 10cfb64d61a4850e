"""Period metrics from conversation facts, each next to the previous period's value."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from insights.facts import Facts

COUNT, SHARE, SECONDS = "count", "share", "seconds"


@dataclass
class Metric:
    key: str
    label: str
    value: float | None  # None: nothing to measure (no handoff was answered, say)
    previous: float | None
    unit: str = COUNT  # count | share (0..1) | seconds
    better: str = "up"  # which way is good: up | down | "" (neither)

    @property
    def change(self) -> float | None:
        """value - previous (for shares: in percentage points / 100), None when either is missing."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass
class Count:
    """A labelled count with last period's: a trigger, an intent, a doc."""

    key: str
    label: str
    count: int
    previous: int = 0


def percentile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


@dataclass
class _Period:
    conversations: int
    resolved: int
    escalated: int
    handoffs: int
    waits: list[float]
    resolutions: list[float]
    hand_backs: int
    triggers: Counter
    intents: Counter


def _period(facts: list[Facts]) -> _Period:
    handoffs = [h for f in facts for h in f.handoffs]
    triggers: Counter = Counter()
    labels: dict = {}
    for h in handoffs:
        kind, label = h.trigger
        key = f"{kind}:{label}"
        triggers[key] += 1
        labels[key] = label
    intents = Counter(str(h.escalation.get("category") or "other") for h in handoffs)
    return _Period(
        conversations=len(facts),
        resolved=sum(1 for f in facts if f.ai_resolved),
        escalated=sum(1 for f in facts if f.escalated),
        handoffs=len(handoffs),
        waits=[h.wait for h in handoffs if h.wait is not None],
        resolutions=[h.resolved_at - h.at for h in handoffs if h.resolved_at is not None],
        hand_backs=sum(f.hand_backs for f in facts),
        triggers=triggers,
        intents=intents,
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def compute(current: list[Facts], previous: list[Facts], *, waiting_now: int) -> tuple[list[Metric], list[Count], list[Count]]:
    """(metrics, handoffs by trigger, handoffs by intent) for the period against the one before."""
    a, b = _period(current), _period(previous)
    metrics = [
        Metric("conversations", "Conversations", a.conversations, b.conversations, COUNT, ""),
        Metric("ai_resolved", "Resolved by the AI", _share(a.resolved, a.conversations), _share(b.resolved, b.conversations), SHARE, "up"),
        Metric("handoff_rate", "Handed to a person", _share(a.escalated, a.conversations), _share(b.escalated, b.conversations), SHARE, "down"),
        Metric("handoffs", "Handoffs", a.handoffs, b.handoffs, COUNT, "down"),
        Metric("first_reply_p50", "First human reply (median, business hours)", percentile(a.waits, 0.5), percentile(b.waits, 0.5), SECONDS, "down"),
        Metric("first_reply_p90", "First human reply (p90, business hours)", percentile(a.waits, 0.9), percentile(b.waits, 0.9), SECONDS, "down"),
        Metric("resolution_p50", "Time to resolution (median)", percentile(a.resolutions, 0.5), percentile(b.resolutions, 0.5), SECONDS, "down"),
        Metric("hand_backs", "Handed back to the AI", a.hand_backs, b.hand_backs, COUNT, ""),
        Metric("waiting_now", "Waiting for a person now", waiting_now, None, COUNT, "down"),
    ]
    triggers = _counts(a.triggers, b.triggers, label=lambda key: key.split(":", 1)[1])
    intents = _counts(a.intents, b.intents, label=lambda key: key.replace("_", " "))
    return metrics, triggers, intents


def _counts(now: Counter, before: Counter, *, label) -> list[Count]:
    keys = sorted(set(now) | set(before), key=lambda k: (-now[k], -before[k], k))
    return [Count(k, label(k), now[k], before[k]) for k in keys]
