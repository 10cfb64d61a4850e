"""The Claude brain against a local server speaking the Messages API (the real SDK, over real HTTP)."""

from __future__ import annotations

import time

import pytest

from agent.brains import lines
from tests.agent.conftest import ask, chat, conversation
from tests.agent.fake_anthropic import (
    Message,
    StreamError,
    api_error,
    cite,
    last_tool_results,
    slow,
    text_message,
    tool_use_message,
)


def cited_answer(text: str, result_index: int = 0):
    """A scripted final answer citing search result ``result_index`` of the request it answers."""
    return lambda body: text_message(text, citations=[cite(body, result_index)])


def test_claude_answers_from_the_docs_and_its_citations_become_the_sources(fake, claude_agent):
    """Search, then a cited answer: the shopper sees the answer with the cited doc section as source."""
    fake.reply(
        tool_use_message("search_docs", {"query": "refund e-books"}),
        cited_answer("Yes: e-books can be refunded within 14 days if you have not downloaded them yet."),
    )
    typing = []
    reply = ask(claude_agent(), "do you offer refunds on e-books?", on_typing=lambda: typing.append(1))

    assert reply.text.startswith("Yes: e-books can be refunded")
    assert reply.escalation is None
    assert reply.sources == [{"title": "Refund policy › Refunds within 14 days", "url": "https://help.shop.example/refund-policy"}]
    assert reply.meta["answered"] is True and reply.meta["brain"] == "claude" and reply.meta["tool_rounds"] == 1
    assert typing == [1]  # the typing signal fired once, at the first words
    results = last_tool_results(fake.requests[1])
    assert len(results) == 1
    blocks = results[0]["content"]
    assert blocks and all(b["type"] == "search_result" and b["citations"] == {"enabled": True} for b in blocks)
    assert blocks[0]["source"] == "https://help.shop.example/refund-policy"


def test_several_citations_of_one_section_give_one_source(fake, claude_agent):
    """Sources are deduplicated: two citations of the same section show one link."""
    fake.reply(
        tool_use_message("search_docs", {"query": "refund"}),
        lambda body: Message([
            {"type": "text", "text": "Within 14 days. ", "citations": [cite(body, 0)]},
            {"type": "text", "text": "If you have not downloaded it.", "citations": [cite(body, 0)]},
        ]),
    )
    reply = ask(claude_agent(), "can I get a refund?")
    assert reply.text == "Within 14 days. If you have not downloaded it."
    assert len(reply.sources) == 1


def test_every_request_carries_the_cached_prefix_and_the_tools(fake, claude_agent):
    """System prompt and tools are marked for prompt caching; the model and streaming are set."""
    fake.reply(text_message("Hi! How can I help?"))
    ask(claude_agent(store_name="Type Foundry Co"), "hello there, quick question coming")

    body = fake.requests[0]
    assert body["model"] == "claude-haiku-5-5"
    assert body["stream"] is True
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert "Type Foundry Co" in body["system"][0]["text"]
    assert [t["name"] for t in body["tools"]] == ["search_docs", "escalate_to_human"]
    assert body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert body["output_config"] == {"effort": "low"}
    assert "temperature" not in body
    auth = fake.headers[0]
    assert auth.get("x-api-key") == "sk-ant-test-key" or auth.get("authorization") == "Bearer sk-ant-test-key"


def test_small_talk_without_a_search_is_sent_as_is(fake, claude_agent):
    """A greeting or a clarifying question needs no citation."""
    fake.reply(text_message("Sure, what is it about?"))
    reply = ask(claude_agent(), "talk to a human")
    assert reply.text == "Sure, what is it about?"
    assert reply.escalation is None and reply.meta["answered"] is True


def test_the_model_hands_over_with_a_reason_a_summary_and_the_docs_it_looked_at(fake, claude_agent):
    """escalate_to_human becomes the Escalation the Slack card shows; the model's words reach the shopper."""
    fake.reply(
        tool_use_message("search_docs", {"query": "license key activation limit"}),
        tool_use_message("escalate_to_human", {
            "reason": "License key rejected on a third computer",
            "category": "license_problem",
            "summary": "Bought Lumen Grade, key says activation limit reached.\nWants it on a new laptop.",
        }),
        text_message("I've asked a person from the team to help with your license; they'll reply here."),
    )
    reply = ask(claude_agent(), "my license key says activation limit reached")

    assert reply.text.startswith("I've asked a person")
    esc = reply.escalation
    assert esc.category == "license_problem"
    assert esc.reason == "License key rejected on a third computer"
    assert esc.summary.count("\n") == 1
    assert esc.looked_at and esc.looked_at[0]["url"] == "https://help.shop.example/license-keys"
    assert all(0 <= d["relevance"] <= 1 for d in esc.looked_at)
    assert len(fake.requests) == 3
    assert last_tool_results(fake.requests[2])[0]["content"].startswith("Done: the team has the conversation")


@pytest.mark.parametrize("status", [429, 529, 500])
def test_api_errors_become_an_honest_message_and_a_handoff(fake, claude_agent, status):
    """Rate limited, overloaded or broken: the shopper is told a person will pick it up, and it escalates."""
    fake.reply(api_error(status))
    reply = ask(claude_agent(), "how do I install fonts on Windows?")

    assert reply.text == lines.line("unavailable", "en")
    assert "I'm having trouble right now" in reply.text
    assert reply.escalation.category == "ai_unavailable"
    assert str(status) in reply.escalation.reason
    assert reply.meta["answered"] is False
    assert len(fake.requests) == 1


def test_the_sdk_retries_an_overloaded_api_before_handing_over(fake, claude_agent):
    """With retries configured, one 529 is absorbed and the shopper simply gets the answer."""
    fake.reply(api_error(529, headers={"retry-after-ms": "10"}), text_message("Hello! What can I do for you?"))
    reply = ask(claude_agent(anthropic_max_retries=2), "hi there, are you open?")
    assert reply.text == "Hello! What can I do for you?"
    assert len(fake.requests) == 2


def test_a_slow_api_times_out_into_a_handoff(fake, claude_agent):
    """A request that hangs past the timeout never leaves the shopper waiting."""
    fake.reply(slow(3.0, text_message("too late")))
    started = time.monotonic()
    reply = ask(claude_agent(anthropic_timeout=0.5), "where is my license key?")
    assert time.monotonic() - started < 2.5
    assert reply.escalation.category == "ai_unavailable"
    assert "timed out" in reply.escalation.reason


def test_an_overload_in_the_middle_of_the_stream_hands_over(fake, claude_agent):
    """An `event: error` after the first words still ends in an honest handoff, not a half answer."""
    fake.reply(StreamError(529))
    reply = ask(claude_agent(), "how do I move my plugin to a new computer?")
    assert reply.text == lines.line("unavailable", "en")
    assert reply.escalation.category == "ai_unavailable"


def test_an_unreachable_api_hands_over(claude_agent):
    """Nothing listening at the API address: a network error, handled the same way."""
    from tests.conftest import free_port

    reply = ask(claude_agent(anthropic_base_url=f"http://127.0.0.1:{free_port()}"), "hello, where are my downloads?")
    assert reply.escalation.category == "ai_unavailable"
    assert "could not be reached" in reply.escalation.reason


def test_the_tool_round_limit_ends_in_a_clear_handoff(fake, claude_agent):
    """A model that keeps searching is stopped after the limit, and a person takes over."""
    fake.reply(*[tool_use_message("search_docs", {"query": f"fonts attempt {n}"}) for n in range(3)])
    reply = ask(claude_agent(agent_max_tool_rounds=2), "which font formats work in Canva?")

    assert len(fake.requests) == 3  # two rounds of tools, then the limit
    assert reply.text == lines.line("tool_limit", "en")
    assert reply.escalation.category == "docs_gap"
    assert "tool-round limit (2 rounds)" in reply.escalation.reason
    assert reply.escalation.looked_at
    assert reply.meta["answered"] is False


def test_an_answer_without_citations_is_not_sent_as_fact(fake, claude_agent):
    """After searching, an uncited claim is replaced by "not sure" and the offer of a person."""
    fake.reply(
        tool_use_message("search_docs", {"query": "lifetime warranty"}),
        text_message("All our fonts come with a lifetime warranty and free upgrades forever."),
    )
    reply = ask(claude_agent(), "do fonts come with a warranty?")
    assert "lifetime warranty" not in reply.text
    assert reply.text == lines.line("not_sure_offer", "en")
    assert reply.escalation is None
    assert reply.meta["answered"] is False and reply.meta["offered_handoff"] is True


def test_a_store_can_choose_to_escalate_uncited_answers_at_once(fake, claude_agent):
    """With BATON_UNCITED=escalate the uncited answer goes straight to the team instead."""
    fake.reply(
        tool_use_message("search_docs", {"query": "lifetime warranty"}),
        text_message("All our fonts come with a lifetime warranty."),
    )
    reply = ask(claude_agent(agent_uncited="escalate"), "do fonts come with a warranty?")
    assert reply.escalation.category == "docs_gap"
    assert "no supporting citation" in reply.escalation.reason
    assert reply.escalation.looked_at


def test_the_conversation_so_far_reaches_the_model_in_order(fake, claude_agent):
    """Earlier turns (shopper, AI, team) are sent as alternating user/assistant messages."""
    fake.reply(text_message("Which computer is it, Mac or Windows?"))
    agent = claude_agent()
    agent.respond(conversation(), chat(
        ("customer", "hi"),
        ("ai", "Hi! How can I help?"),
        ("customer", "my font does not show up"),
    ))
    messages = fake.requests[0]["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[-1]["content"] == "my font does not show up"


def test_thinking_blocks_are_sent_back_unchanged_between_tool_rounds(fake, claude_agent):
    """Adaptive thinking: the signed thinking block goes back verbatim with the tool result."""
    thinking = {"type": "thinking", "thinking": "They want the Windows steps.", "signature": "sig-abc123"}
    fake.reply(
        Message([thinking, {"type": "tool_use", "id": "toolu_think1", "name": "search_docs", "input": {"query": "install fonts windows"}}],
                stop_reason="tool_use"),
        cited_answer("Right-click the ZIP, choose Extract All, then Install for all users."),
    )
    reply = ask(claude_agent(), "how do I install fonts on Windows?")
    assistant = fake.requests[1]["messages"][-2]
    assert assistant["role"] == "assistant"
    assert assistant["content"][0] == thinking
    assert reply.sources


def test_a_refusal_gets_a_polite_decline(fake, claude_agent):
    """stop_reason "refusal" (a safety classifier) is answered politely, with no handoff."""
    fake.reply(text_message("", stop_reason="refusal"))
    reply = ask(claude_agent(), "tell me how to pirate your fonts")
    assert reply.text == lines.line("refused", "en", store="Pixel & Press")
    assert reply.escalation is None
