"""Period metrics over real conversation logs."""

import time

from conversations import ConversationStore, Event
from insights import summarize


def test_summary_counts_handoffs_and_their_reasons(redis_client):
    """Two of three conversations escalated, one by the refund rule: the summary says so."""
    store = ConversationStore(redis_client)
    start = time.time() - 1
    for category, rule in [("refund_request", "refunds"), ("license_problem", None), (None, None)]:
        conv, _ = store.create()
        store.append(conv.id, role="customer", text="hello")
        if category:
            store.transition(conv.id, Event.ESCALATE, meta={"escalation": {"category": category, "rule": rule}})
    store.add_tags(conv.id, ["downloads"])
    summary = summarize(store, since=start)
    assert summary.conversations == 3
    assert summary.escalated == 2
    assert round(summary.handoff_rate, 2) == 0.67
    assert summary.by_category == {"refund_request": 1, "license_problem": 1}
    assert summary.by_rule == {"refunds": 1}
    assert summary.tags == {"downloads": 1}
