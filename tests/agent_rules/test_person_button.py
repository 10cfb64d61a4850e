"""The widget's "Talk to a person" button: its message is a human_request whatever it says, and the
store's rules decide what happens (a rule may still answer first, e.g. after hours)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.rules import RuleContext, RuleEngine
from conversations import Entry
from tests.agent_rules.helpers import DEFAULT_RULES

OPEN = datetime(2025, 6, 4, 10, 0, tzinfo=UTC)  # a Wednesday, 12:00 in Berlin: the team is in
NIGHT = datetime(2025, 6, 4, 22, 0, tzinfo=UTC)  # midnight in Berlin: after hours


@pytest.fixture(scope="module")
def engine():
    return RuleEngine(DEFAULT_RULES)


def pressed(text: str, now: datetime) -> RuleContext:
    """The context of a message stored by the button (flagged ``meta.request = "human"``)."""
    entry = Entry("1-0", "message", "customer", text, meta={"request": "human"})
    return RuleContext.from_conversation(None, [entry], now=now)


@pytest.mark.parametrize("text", ["Porozmawiaj z człowiekiem", "Hallo", "Parla con una persona"])
def test_the_buttons_message_is_a_request_for_a_person_in_any_words(engine, text):
    """Whatever the button's label says in the shopper's language, the human-request rule escalates."""
    decision = engine.evaluate(text, pressed(text, OPEN))
    assert decision.escalation is not None and decision.escalation.rule == "human-request"


def test_after_hours_the_rule_answers_first_and_still_hands_off(engine):
    """At night the after-hours rule's reply is what the shopper reads, and the team still gets it."""
    decision = engine.evaluate("Hallo", pressed("Hallo", NIGHT))
    assert decision.reply and "Unser Team ist gerade offline" in decision.reply  # in the shopper's language
    assert decision.escalation is not None and decision.escalation.rule == "human-request"


def test_the_same_words_typed_are_not_a_request(engine):
    """Typed without the button, "Hallo" is a greeting: no rule fires."""
    decision = engine.evaluate("Hallo", RuleContext.from_conversation(None, [Entry("1-0", "message", "customer", "Hallo")], now=OPEN))
    assert decision.escalation is None
