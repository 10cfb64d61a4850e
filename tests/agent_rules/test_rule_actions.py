"""What a fired rule does: escalate (priority, channel, mention), reply per language, tag, close."""

from __future__ import annotations

from agent.rules import RuleContext, RuleEngine
from tests.agent_rules.helpers import write_rules

RULES = """
[store]
default_language = "en"
channel = "#support"

[[rules]]
name = "refunds"
when = { intent = "refund_request" }
[rules.then]
escalate = { priority = "high", mention = "@billing", channel = "#billing" }
tag = ["refund"]
reply = { en = "A person will look at your refund.", es = "Una persona revisará tu reembolso.", de = "Ein Mensch prüft deine Erstattung." }

[[rules]]
name = "security"
when = { intent = "account_security" }
then = { escalate = { priority = "urgent", category = "security" }, tag = ["security"] }

[[rules]]
name = "people"
when = { intent = "human_request" }
then = { escalate = true, reply = "Getting someone for you." }

[[rules]]
name = "spam"
when = { keywords = ["buy followers"] }
then = { tag = ["spam"], close = true }
"""


def engine(tmp_path) -> RuleEngine:
    return RuleEngine(write_rules(tmp_path, RULES))


def test_escalation_carries_priority_channel_mention_and_the_reason(tmp_path):
    """The escalation names the rule and why, with the rule's priority, channel and mention."""
    decision = engine(tmp_path).evaluate("I want a refund for the font I bought", RuleContext())
    esc = decision.escalation
    assert esc.rule == "refunds"
    assert esc.priority == "high" and esc.channel == "#billing" and esc.mention == "@billing"
    assert esc.category == "refund_request"
    assert esc.reason.startswith("Rule 'refunds' fired: intent refund_request")
    assert decision.tags == ["refund"]
    assert decision.intent[0] == "refund_request"


def test_file_default_channel_applies_when_the_rule_has_none(tmp_path):
    """A rule without a channel escalates to the file's [store] channel."""
    decision = engine(tmp_path).evaluate("can I talk to a human?", RuleContext())
    assert decision.escalation.channel == "#support"
    assert decision.escalation.priority == "normal"


def test_the_highest_priority_escalation_wins_and_tags_add_up(tmp_path):
    """When several rules fire, the most urgent escalation is sent and every rule's tags are kept."""
    decision = engine(tmp_path).evaluate(
        "my account was hacked and someone bought a course, I want a refund", RuleContext()
    )
    assert [name for name, _ in decision.fired] == ["refunds", "security"]
    assert decision.escalation.rule == "security"
    assert decision.escalation.priority == "urgent"
    assert decision.escalation.category == "security"
    assert decision.tags == ["refund", "security"]


def test_canned_reply_is_in_the_shoppers_language(tmp_path):
    """The per-language reply follows the shopper's language, falling back to the default."""
    e = engine(tmp_path)
    assert e.evaluate("quiero un reembolso de la plantilla que compré", RuleContext()).reply == "Una persona revisará tu reembolso."
    assert e.evaluate("Ich möchte eine Rückerstattung für meinen Kauf", RuleContext()).reply == "Ein Mensch prüft deine Erstattung."
    assert e.evaluate("je veux un remboursement pour ce cours", RuleContext()).reply == "A person will look at your refund."
    assert e.evaluate("get me a human", RuleContext()).reply == "Getting someone for you."


def test_tag_and_close_without_escalation(tmp_path):
    """A rule may only tag and close: nothing goes to the team."""
    decision = engine(tmp_path).evaluate("cheap! buy followers here", RuleContext())
    assert decision.escalation is None
    assert decision.close is True
    assert decision.tags == ["spam"]


def test_nothing_fires_on_a_docs_question(tmp_path):
    """A plain question leaves the decision empty so the AI answers."""
    decision = engine(tmp_path).evaluate("how do I install a font on macOS?", RuleContext())
    assert decision.escalation is None and decision.reply is None and decision.tags == [] and not decision.close
    assert decision.fired == []
