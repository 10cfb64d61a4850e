"""Period metrics: how many conversations, how many were handed off, and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from conversations import ConversationStore


@dataclass
class PeriodSummary:
    conversations: int = 0
    escalated: int = 0
    by_category: Counter = field(default_factory=Counter)  # escalation category → count
    by_rule: Counter = field(default_factory=Counter)  # rule name → count
    tags: Counter = field(default_factory=Counter)  # topic tags → count

    @property
    def handoff_rate(self) -> float:
        return self.escalated / self.conversations if self.conversations else 0.0


def summarize(store: ConversationStore, since: float, limit: int = 10_000) -> PeriodSummary:
    """Summarise conversations updated since ``since`` (a Unix time), reading their logs."""
    summary = PeriodSummary()
    for conv in store.recent(limit=limit, since=since):
        if conv.created_at < since:
            continue
        summary.conversations += 1
        summary.tags.update(conv.tags)
        escalations = [e for e in store.entries(conv.id) if e.type == "event" and e.meta.get("event") == "escalate"]
        if escalations:
            summary.escalated += 1
            detail = escalations[0].meta.get("escalation") or conv.escalation or {}
            summary.by_category[detail.get("category") or "other"] += 1
            if detail.get("rule"):
                summary.by_rule[detail["rule"]] += 1
    return summary
