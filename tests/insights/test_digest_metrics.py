"""The digest's metrics over a pinned fortnight of realistic conversations in a real Redis."""

from __future__ import annotations

import pytest

from bench import history as h
from conversations import ConversationStore
from insights.digest import build_digest
from tests.insights.conftest import END, WEEK, at

LICENSE = {"category": "license_problem", "rule": "license-problem", "reason": "Rule 'license-problem' fired"}
REFUND = {"category": "refund_request", "rule": "refund-request"}
ASKED = {"category": "human_request", "rule": "human-request"}
UNSURE = {"category": "docs_gap", "looked_at": [{"title": "Fonts", "url": "https://docs.example/fonts", "relevance": 0.21}]}
DOWN = {"category": "ai_unavailable", "priority": "high"}


def fortnight(r):
    """Two weeks of conversations; each one's comment says what it should count as."""
    # -- this week (Mon 23 Nov 09:00 - Mon 30 Nov 09:00) --
    # A: answered by the AI and closed, nobody came back: AI-resolved.
    h.write(r, created_at=at(24, 10), customer={"email": "a@example.com"}, entries=[
        h.msg("customer", "How do I install a font on Windows?", at(24, 10)),
        h.msg("ai", "Right-click the file and choose Install.", at(24, 10, 1), sources=[{"title": "Installing fonts", "url": "https://docs.example/install"}]),
        h.close(at(24, 10, 10))])
    # B: closed by the AI, but the shopper reopened it two days later: not resolved.
    h.write(r, created_at=at(24, 11), entries=[
        h.msg("customer", "Where is my invoice?", at(24, 11)), h.msg("ai", "In your account, under Orders.", at(24, 11, 1)),
        h.close(at(24, 11, 10)), h.reopen(at(26, 11)), h.msg("customer", "It is not there", at(26, 11)), h.close(at(26, 12))])
    # C: closed by the AI, but the same shopper came back the next day and was handed off (D): not resolved.
    h.write(r, created_at=at(24, 12), customer={"email": "C@Example.com"}, entries=[
        h.msg("customer", "My key does not activate", at(24, 12)), h.msg("ai", "Try signing out and in again.", at(24, 12, 1)),
        h.close(at(24, 12, 5))])
    # D: the license rule fired Wed 17:40; first reply Thu 09:10 (30 business minutes); closed Thu 09:30.
    h.write(r, created_at=at(25, 17, 39), customer={"email": "c@example.com"}, entries=[
        h.msg("customer", "My license key still says invalid", at(25, 17, 39)), h.escalate(at(25, 17, 40), LICENSE),
        h.msg("agent", "I've reset the activations on your key, please try again.", at(26, 9, 10)), h.close(at(26, 9, 30))])
    # E: the shopper asked for a person Tue 10:00; reply after 5 minutes; handed back to the AI at 10:20.
    h.write(r, created_at=at(24, 9, 59), entries=[
        h.msg("customer", "Can I talk to a real person please", at(24, 9, 59)), h.escalate(at(24, 10), ASKED),
        h.take_over(at(24, 10, 4)), h.msg("agent", "Hi, I'm here. What do you need?", at(24, 10, 5)), h.hand_back(at(24, 10, 20)),
        h.msg("customer", "thanks", at(24, 10, 21)), h.close(at(24, 10, 30))])
    # F: the AI was unsure (nothing relevant in the docs) Thu 14:00; nobody has replied: still waiting.
    h.write(r, created_at=at(26, 13, 59), entries=[
        h.msg("customer", "Do your fonts support Vietnamese?", at(26, 13, 59)), h.escalate(at(26, 14), UNSURE)])
    # G: the AI was unavailable Fri 11:00; reply at 12:00 (an hour); closed for idleness a day later (resolved at the reply).
    h.write(r, created_at=at(27, 10, 59), entries=[
        h.msg("customer", "I was charged twice", at(27, 10, 59)), h.escalate(at(27, 11), DOWN),
        h.msg("agent", "I've refunded the duplicate charge.", at(27, 12)), h.close(at(28, 12), idle=True)])
    # -- the week before --
    h.write(r, created_at=at(17, 9), entries=[h.msg("customer", "Which formats?", at(17, 9)), h.msg("ai", "OTF and WOFF2.", at(17, 9, 1)), h.close(at(17, 9, 5))])
    h.write(r, created_at=at(17, 10), entries=[
        h.msg("customer", "I want a refund", at(17, 10)), h.escalate(at(17, 10, 0), REFUND),
        h.msg("agent", "Refunded.", at(17, 10, 10)), h.close(at(17, 10, 30))])
    # -- outside both weeks: must not count (created before, or after the period's end) --
    h.write(r, created_at=at(10, 9), entries=[h.msg("customer", "old", at(10, 9)), h.msg("customer", "still here", at(25, 9))])
    h.write(r, created_at=at(30, 10), entries=[h.msg("customer", "Refund now", at(30, 10)), h.escalate(at(30, 10, 1), REFUND)])


@pytest.fixture
def digest(redis_client, hours):
    fortnight(redis_client)
    return build_digest(ConversationStore(redis_client), end=END, period=WEEK, hours=hours)


def values(digest) -> dict:
    return {m.key: (m.value, m.previous) for m in digest.metrics}


def test_every_metric_is_counted_exactly_against_the_week_before(digest):
    """Conversations, honest AI-resolved share, handoff rate, reply and resolution times in business hours,
    hand-backs and the waiting count all come out as the pinned history says."""
    assert values(digest) == {
        "conversations": (7, 2),
        "ai_resolved": (pytest.approx(1 / 7), pytest.approx(1 / 2)),
        "handoff_rate": (pytest.approx(4 / 7), pytest.approx(1 / 2)),
        "handoffs": (4, 1),
        "first_reply_p50": (1800, 600),  # D 30 business minutes (not 15.5 h), E 5 min, G 1 h
        "first_reply_p90": (pytest.approx(3240), 600),
        "resolution_p50": (3600, 1800),  # D 15 h 50, E 20 min (hand-back), G 1 h (idle close counts from the reply)
        "hand_backs": (1, 0),
        "waiting_now": (2, None),  # F, and the conversation escalated after the period's end
    }


def test_handoffs_are_broken_down_by_trigger_and_by_intent(digest):
    """Each handoff has one trigger (rule, shopper asked, AI unsure, AI unavailable) and one intent."""
    assert {c.label: (c.count, c.previous) for c in digest.triggers} == {
        "Rule: license-problem": (1, 0), "Shopper asked for a person": (1, 0), "AI unsure": (1, 0),
        "AI unavailable": (1, 0), "Rule: refund-request": (0, 1)}
    assert {c.key: (c.count, c.previous) for c in digest.intents} == {
        "license_problem": (1, 0), "human_request": (1, 0), "docs_gap": (1, 0), "ai_unavailable": (1, 0), "refund_request": (0, 1)}


def test_changes_are_against_the_previous_period(digest):
    """A metric's change is this week's value minus last week's."""
    assert digest.metric("conversations").change == 5
    assert digest.metric("first_reply_p50").change == 1200
    assert digest.metric("waiting_now").change is None


def test_an_empty_period_is_a_quiet_digest(redis_client, hours):
    """No conversations in the period: the digest says it is quiet rather than failing."""
    result = build_digest(ConversationStore(redis_client), end=END, period=WEEK, hours=hours)
    assert result.quiet
    assert result.metric("conversations").value == 0
    assert result.metric("ai_resolved").value is None
