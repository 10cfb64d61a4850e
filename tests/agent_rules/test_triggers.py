"""Each trigger type of a rule, on its own: what fires it and what does not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.rules import RuleContext, RuleEngine
from tests.agent_rules.helpers import conversation, said, write_rules


def engine_with(tmp_path, when: str, extra: str = "") -> RuleEngine:
    path = write_rules(
        tmp_path,
        f"""
        {extra}
        [[rules]]
        name = "under-test"
        when = {when}
        then = {{ escalate = {{ priority = "high" }} }}
        """,
    )
    return RuleEngine(path)


def fires(engine: RuleEngine, text: str, ctx: RuleContext | None = None) -> bool:
    return engine.evaluate(text, ctx or RuleContext()).escalation is not None


@pytest.mark.parametrize(
    "text",
    [
        "I want a REFUND now",  # case
        "refunds please",  # prefix pattern refund*
        "can I get a rfund",  # typo within the budget
        "Ich möchte eine Rückerstattung",  # accents folded on both sides
        "ich mochte eine ruckerstattung",
        "talk to a live agent",  # phrase
    ],
)
def test_keywords_match_case_accent_and_typo_insensitively(tmp_path, text):
    """Keywords match whole words regardless of case, accents and a small typo."""
    engine = engine_with(tmp_path, '{ keywords = ["refund*", "rückerstattung", "live agent"] }')
    assert fires(engine, text)


@pytest.mark.parametrize("text", ["the agentur sent me", "my refundable deposit? no, just fonts", "a live agenda"])
def test_keywords_respect_word_boundaries(tmp_path, text):
    """A keyword inside another word does not fire ("agent" in "agentur", "refund" in "refundable")."""
    engine = engine_with(tmp_path, '{ keywords = ["refund", "agent", "live agent"] }')
    assert not fires(engine, text)


def test_short_keywords_are_not_fuzzy(tmp_path):
    """Words of four letters or fewer match exactly: "sue" does not fire on "use"."""
    engine = engine_with(tmp_path, '{ keywords = ["sue"] }')
    assert fires(engine, "I will sue")
    assert not fires(engine, "how do I use the font")


def test_regex_matches_original_and_accent_folded_text(tmp_path):
    """A regex trigger fires on the raw text or its accent-free form and says what matched."""
    engine = engine_with(tmp_path, r'{ regex = ["order\\s*#?\\d{4,}", "reembolso"] }')
    decision = engine.evaluate("Where is order #48213?", RuleContext())
    assert decision.escalation is not None
    assert "48213" in decision.fired[0][1]
    assert fires(engine, "REEMBOLSO")
    assert not fires(engine, "where is my order?")


def test_intent_trigger_uses_the_builtin_classifier(tmp_path):
    """An intent trigger fires on a paraphrase without any configured keyword."""
    engine = engine_with(tmp_path, '{ intent = "billing_dispute" }')
    assert fires(engine, "my card got charged two times for one template pack")
    assert not fires(engine, "do you accept PayPal?")


def test_store_defined_intent_from_a_few_examples(tmp_path):
    """A store-defined intent fires on messages close to its examples, in the file's own words."""
    engine = engine_with(
        tmp_path,
        '{ intent = "wholesale" }',
        extra="""
        [[intents]]
        name = "wholesale"
        examples = ["do you sell fonts wholesale to agencies", "reseller pricing for agencies", "can we resell your templates"]
        threshold = 0.5
        """,
    )
    assert fires(engine, "Do you sell your fonts wholesale to agencies?")
    assert fires(engine, "what is your reseller pricing for agencies")
    assert not fires(engine, "how do I install the font on Windows?")


def test_frustration_fires_on_shouting_and_anger(tmp_path):
    """ALL CAPS plus an angry word reaches the default frustration score of 2; calm text does not."""
    engine = engine_with(tmp_path, "{ frustration = true }")
    assert fires(engine, "THIS IS RIDICULOUS, THE FONT STILL WON'T INSTALL")
    assert not fires(engine, "The font won't install, what should I try?")


def test_frustration_counts_the_same_question_asked_again(tmp_path):
    """Asking the same thing a third time is frustration even without angry words."""
    engine = engine_with(tmp_path, "{ frustration = 2 }")
    question = "where is the download link for my font?"
    first = RuleContext(conversation=conversation(), history=said(question))
    third = RuleContext(conversation=conversation(), history=said(question, "hello?", question.upper()))
    assert not fires(engine, question, first)
    decision = engine.evaluate(question, third)
    assert decision.escalation is not None
    assert "repeated" in decision.fired[0][1]


def test_frustration_ignores_the_message_already_in_the_history(tmp_path):
    """The caller may append the message before evaluating: it does not count as a repeat of itself."""
    engine = engine_with(tmp_path, "{ frustration = 1 }")
    text = "where is my invoice?"
    assert not fires(engine, text, RuleContext(history=said(text)))


def test_ai_failures_trigger(tmp_path):
    """The rule fires once the AI failed N times in a row (from the context or the conversation)."""
    engine = engine_with(tmp_path, "{ ai_failures = 2 }")
    assert not fires(engine, "hmm", RuleContext(ai_failures=1))
    assert fires(engine, "hmm", RuleContext(ai_failures=2))
    assert fires(engine, "hmm", RuleContext(conversation=conversation(ai_failures=3)))


def test_conversation_length_trigger(tmp_path):
    """`messages = N` fires on the shopper's Nth message."""
    engine = engine_with(tmp_path, "{ messages = 3 }")
    assert not fires(engine, "third?", RuleContext(history=said("one")))
    assert fires(engine, "third", RuleContext(history=[*said("one", "two"), *said("answer", role="ai")]))


def test_customer_attributes_trigger(tmp_path):
    """`customer = { tags = ["vip"], verified = true }` needs every attribute."""
    engine = engine_with(tmp_path, '{ customer = { tags = ["vip"], verified = true } }')
    vip = conversation(customer={"tags": ["VIP"], "verified": True})
    unverified = conversation(customer={"tags": ["vip"], "verified": False})
    assert fires(engine, "hi", RuleContext(conversation=vip))
    assert not fires(engine, "hi", RuleContext(conversation=unverified))
    assert not fires(engine, "hi", RuleContext())


@pytest.mark.parametrize(
    ("now", "outside"),
    [
        (datetime(2025, 6, 2, 8, 30, tzinfo=UTC), False),  # Monday 10:30 in Berlin (UTC+2)
        (datetime(2025, 6, 2, 16, 30, tzinfo=UTC), True),  # Monday 18:30 in Berlin
        (datetime(2025, 6, 7, 10, 0, tzinfo=UTC), True),  # Saturday
        (datetime(2025, 12, 25, 10, 0, tzinfo=UTC), True),  # a holiday on a Thursday
        (datetime(2025, 1, 6, 7, 30, tzinfo=UTC), False),  # Monday 08:30 in Berlin in winter (UTC+1)
    ],
)
def test_outside_business_hours_is_timezone_aware(tmp_path, now, outside):
    """Business hours are read in the store's timezone, with weekends, holidays and DST."""
    engine = engine_with(
        tmp_path,
        "{ outside_hours = true }",
        extra="""
        [store]
        timezone = "Europe/Berlin"
        hours = { days = "mon-fri", open = "08:00", close = "18:00", holidays = ["2025-12-25"] }
        """,
    )
    assert fires(engine, "hello", RuleContext(now=now)) is outside


def test_match_all_needs_every_trigger_and_unless_vetoes(tmp_path):
    """`match = "all"` combines triggers; `unless` stops a rule that would fire."""
    path = write_rules(
        tmp_path,
        """
        [[rules]]
        name = "vip-refund"
        match = "all"
        when = { intent = "refund_request", customer = { tags = ["vip"] } }
        unless = { keywords = ["test order"] }
        then = { escalate = { priority = "urgent" } }
        """,
    )
    engine = RuleEngine(path)
    vip = RuleContext(conversation=conversation(customer={"tags": ["vip"]}))
    assert engine.evaluate("I want a refund for my order", vip).escalation is not None
    assert engine.evaluate("I want a refund for my order", RuleContext()).escalation is None
    vetoed = engine.evaluate("I want a refund for my test order", vip)
    assert vetoed.escalation is None
    assert "vetoed" in vetoed.fired[0][1]
