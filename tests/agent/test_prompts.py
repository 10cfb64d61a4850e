"""The Claude request builders: pure data, tested without the API."""

from __future__ import annotations

import config
from agent.brains import prompts
from conversations.models import Entry
from knowledge.types import Hit


def entry(role: str, text: str, *, type: str = "message", visibility: str = "public", author: dict | None = None, n: int = 1) -> Entry:
    return Entry(id=f"1700000000000-{n}", type=type, role=role, text=text, author=author or {}, visibility=visibility)


def test_the_system_prompt_names_the_store_its_tone_and_the_rules_of_conduct():
    """Store name and tone come from settings; the never-do list is always there."""
    settings = config.load(dotenv=False, store_name="Type Foundry Co", store_tone="playful and brief")
    prompt = prompts.system_prompt(settings)
    assert "Type Foundry Co" in prompt and "playful and brief" in prompt
    for must in ("refunds, discounts", "Never reveal", "language the shopper writes in", "clarifying question", "search_docs"):
        assert must in prompt, must


def test_the_system_prompt_is_a_pure_function_of_settings():
    """Same settings, same prompt: the cached prefix never changes between turns."""
    settings = config.load(dotenv=False)
    assert prompts.system_prompt(settings) == prompts.system_prompt(settings)
    assert prompts.system_blocks(settings)[0]["cache_control"] == {"type": "ephemeral"}


def test_tools_end_with_a_cache_breakpoint_after_the_stores_custom_actions():
    """search_docs and escalate_to_human come first; the last tool carries cache_control."""
    action = {"name": "lookup_order", "description": "Find an order by email", "input_schema": {"type": "object", "properties": {}}}
    tools = prompts.tools([action])
    assert [t["name"] for t in tools] == ["search_docs", "escalate_to_human", "lookup_order"]
    assert tools[-1]["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" not in tools[0]
    assert "cache_control" not in action  # the caller's dict is not modified
    escalate = tools[1]["input_schema"]
    assert set(escalate["required"]) == {"reason", "category", "summary"}


def test_history_becomes_alternating_turns_without_notes_or_events():
    """Internal notes and state events never reach the model; team replies read as the store's side."""
    history = [
        entry("ai", "Hi! How can I help?", n=1),
        entry("customer", "My font won't install", n=2),
        entry("customer", "It's on Windows 11", n=3),
        entry("agent", "note: check their license", type="note", visibility="internal", n=4),
        entry("system", "Escalated", type="event", n=5),
        entry("agent", "Try Install for all users", author={"name": "Maya"}, n=6),
        entry("customer", "That worked, thanks! One more question", n=7),
    ]
    messages = prompts.messages_from_history(history)
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[0]["content"] == "My font won't install\n\nIt's on Windows 11"
    assert "Maya" in messages[1]["content"] and "check their license" not in str(messages)


def test_passages_are_split_into_citable_blocks():
    """Each paragraph or list item is its own block, so a citation points at what answers."""
    hit = Hit(chunk_id="c1", slug="refund-policy", title="Refund policy", section="Duplicate charges",
              url="https://help.example/refund-policy#duplicate-charges",
              text="If you were charged twice, we refund the duplicate.\n\n- Write to us with both receipts.\n- We answer within a day.",
              score=0.9, relevance=0.8)
    block = prompts.search_result_block(hit)
    assert block["type"] == "search_result"
    assert block["source"] == hit.url and block["title"] == "Refund policy › Duplicate charges"
    assert block["citations"] == {"enabled": True}
    assert [b["text"] for b in block["content"]] == [
        "If you were charged twice, we refund the duplicate.",
        "- Write to us with both receipts.\n- We answer within a day.",
    ]
