"""The mirror copies a conversation's log into its Slack thread: once, in order, resumable, escaped."""

from __future__ import annotations

import dataclasses
import logging
import re
import threading

import pytest

from bot.errors import SlackRateLimited, SlackUnavailable
from bot.mirror import mirror_conversation
from bot.mrkdwn import split
from conversations import ConversationStore, Event
from tests.bot.conftest import INBOX, escalated

HOSTILE = "<!channel> <@U123> & <b>hi</b> <script>alert(1)</script> @here"


def thread_texts(slack, conv) -> list[str]:
    return [p["text"] for p in slack.posts(thread_ts=conv.slack_ts)]


def test_escalation_posts_the_card_and_the_whole_transcript_once(store, web, settings, slack):
    """Card in the inbox, then every entry in order in its thread; a second run posts nothing."""
    conv = escalated(store)

    result = mirror_conversation(store, web, conv.id, settings)
    again = mirror_conversation(store, web, conv.id, settings)

    conv = store.get(conv.id)
    parent = slack.posts()[0]
    assert parent["channel"] == INBOX and "thread_ts" not in parent
    assert parent["blocks"][0]["text"]["text"] == "Conversation #1001"
    assert (conv.slack_channel, conv.slack_ts) == (INBOX, "1700000001.000001")  # the ts Slack gave the card
    assert store.by_thread(INBOX, conv.slack_ts).id == conv.id
    assert thread_texts(slack, conv) == [
        "*Jane Doe:* How do I install a font on Windows?",
        "*AI assistant:* Right-click the `.otf` file and choose *Install*. See <https://docs.example/install|Installing fonts>.\n"
        "_Sources:_ <https://docs.example/install|Installing fonts>",
        "*Jane Doe:* I want a refund for the font bundle I bought yesterday",
        ":rotating_light: *Escalated:* rule `refunds` fired. The shopper asks for a refund.",
    ]
    assert (result.card, result.posted) == ("posted", 4)
    assert (again.card, again.posted) == ("", 0)
    assert len(slack.calls("chat.postMessage")) == 5


def test_conversation_the_ai_is_handling_is_not_mirrored(store, web, settings, slack):
    """No escalation, no thread: Slack hears nothing of conversations the AI handles alone."""
    conv, _ = store.create({"name": "Casey"}, "")
    store.append(conv.id, role="customer", text="Which formats do you ship?", client_id="q")

    assert str(mirror_conversation(store, web, conv.id, settings)) == "skipped: not escalated"
    assert slack.calls() == []


def test_further_shopper_messages_are_added_to_the_thread(store, web, settings, slack, thread):
    """After the escalation each new entry is posted once, below the transcript."""
    store.append(thread.id, role="customer", text="Any news?", client_id="n1")
    mirror_conversation(store, web, thread.id, settings)
    store.append(thread.id, role="customer", text="Still here.", client_id="n2")
    mirror_conversation(store, web, thread.id, settings)

    assert thread_texts(slack, thread)[-2:] == ["*Jane Doe:* Any news?", "*Jane Doe:* Still here."]


def test_entries_typed_in_slack_are_not_posted_back(store, web, settings, slack, thread):
    """A reply that came from the thread is already there; only the state change is posted."""
    store.transition(thread.id, Event.TAKE_OVER, actor="Alice")
    store.append(thread.id, role="agent", text="Hi Jane", author={"name": "Alice"}, meta={"source": "slack", "slack_ts": "1.2"})
    store.append(thread.id, role="agent", type="note", text="check stripe", author={"name": "Alice"}, meta={"source": "slack"})

    mirror_conversation(store, web, thread.id, settings)

    assert thread_texts(slack, thread)[-1] == ":raising_hand: Alice from our team has joined the conversation."
    assert not any("Hi Jane" in t or "check stripe" in t for t in thread_texts(slack, thread))


def test_state_change_updates_the_card(store, web, settings, slack, thread):
    """Once a person has it, the card says so and offers Hand back and Close."""
    store.transition(thread.id, Event.TAKE_OVER, actor="Alice")

    result = mirror_conversation(store, web, thread.id, settings)

    assert result.card == "updated"
    update = slack.calls("chat.update")[-1].params
    assert (update["channel"], update["ts"]) == (INBOX, thread.slack_ts)
    fields = update["blocks"][1]["fields"]
    assert fields[3]["text"] == "*State*\n:raising_hand: With a person"


def test_rate_limit_stops_the_run_and_a_retry_resumes_without_double_posts(store, web, settings, slack, thread):
    """Slack rate-limits the third new line: the run raises for RQ to retry, and the retry posts the rest once."""
    for n in range(5):
        store.append(thread.id, role="customer", text=f"line {n}", client_id=f"l{n}")
    slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=7, after=2)

    with pytest.raises(SlackRateLimited) as raised:
        mirror_conversation(store, web, thread.id, settings)
    assert raised.value.retry_after == 7
    assert [t for t in thread_texts(slack, thread) if "line" in t] == ["*Jane Doe:* line 0", "*Jane Doe:* line 1"]

    mirror_conversation(store, web, thread.id, settings)
    assert [t for t in thread_texts(slack, thread) if "line" in t] == [f"*Jane Doe:* line {n}" for n in range(5)]


def test_slack_outage_raises_so_the_job_is_retried(store, web, settings, slack, thread):
    """A 5xx from Slack is worth retrying: the run raises SlackUnavailable and nothing is skipped."""
    store.append(thread.id, role="customer", text="Are you there?", client_id="o1")
    slack.fail("chat.postMessage", "internal_error", status=500)

    with pytest.raises(SlackUnavailable):
        mirror_conversation(store, web, thread.id, settings)
    mirror_conversation(store, web, thread.id, settings)

    assert thread_texts(slack, thread)[-1] == "*Jane Doe:* Are you there?"


def test_two_mirror_runs_at_once_post_each_line_once(store, web, settings, slack):
    """Bursts of entries enqueue overlapping runs; the per-conversation lock keeps the thread clean."""
    conv = escalated(store)
    for n in range(10):
        store.append(conv.id, role="customer", text=f"burst {n}", client_id=f"b{n}")
    runs = [threading.Thread(target=mirror_conversation, args=(store, web, conv.id, settings)) for _ in range(3)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=30)

    conv = store.get(conv.id)
    assert len([p for p in slack.posts() if "thread_ts" not in p]) == 1  # one card
    assert [t for t in thread_texts(slack, conv) if "burst" in t] == [f"*Jane Doe:* burst {n}" for n in range(10)]


def test_hostile_shopper_text_reads_literally_in_slack(store, web, settings, slack):
    """<!channel>, <@U123>, &, HTML and @here from a shopper ping nobody and render as typed."""
    conv = escalated(store, customer={"name": "<!here> Mallory", "email": "m@example.com"}, text=HOSTILE)

    mirror_conversation(store, web, conv.id, settings)

    conv = store.get(conv.id)
    line = thread_texts(slack, conv)[2]
    assert line == (
        "*&lt;!here&gt; Mallory:* &lt;!channel&gt; &lt;@U123&gt; &amp; &lt;b&gt;hi&lt;/b&gt; "
        "&lt;script&gt;alert(1)&lt;/script&gt; @\u2060here"
    )
    everything = str([c.params for c in slack.calls()])
    for raw in ("<!channel>", "<!here>", "<@U123>", "<script>", "<b>"):
        assert raw not in everything


def test_posts_to_the_rules_channel_and_records_the_thread_by_channel_id(store, web, settings, slack):
    """A rule may route to "#billing": the card goes there and replies are matched by the channel's id."""
    slack.channels["#billing"] = "C0BILLING01"
    conv = escalated(store, escalation={"reason": "Billing dispute", "rule": "billing", "channel": "#billing"})

    mirror_conversation(store, web, conv.id, settings)

    assert slack.posts()[0]["channel"] == "#billing"
    conv = store.get(conv.id)
    assert conv.slack_channel == "C0BILLING01"
    assert store.by_thread("C0BILLING01", conv.slack_ts).id == conv.id


def test_escalating_again_in_an_existing_thread_pings_the_rules_group(store, web, settings, slack, thread):
    """Handed back, then escalated again: no new card, so the escalation line carries the group mention."""
    store.transition(thread.id, Event.HAND_BACK, actor="Alice")
    again = {"reason": "Asked for a manager", "rule": "manager", "mention": "<!subteam^S0MANAGERS>"}
    store.update(thread.id, escalation=again)
    store.transition(thread.id, Event.ESCALATE, meta={"escalation": again})

    mirror_conversation(store, web, thread.id, settings)

    assert thread_texts(slack, thread)[-1] == "<!subteam^S0MANAGERS> :rotating_light: *Escalated:* rule `manager` fired. Asked for a manager"
    assert len([p for p in slack.posts() if "thread_ts" not in p]) == 1


def test_unfixable_slack_error_is_logged_once_with_the_conversation_and_no_text(store, web, settings, slack, caplog):
    """A wrong channel will not heal by retrying: one log line naming the conversation and the fix, no message text."""
    conv = escalated(store, text="my card number is 4242 4242 4242 4242")
    slack.fail("chat.postMessage", "channel_not_found", times=5)

    with caplog.at_level(logging.INFO, logger="bot"):
        result = mirror_conversation(store, web, conv.id, settings)

    assert str(result) == "skipped: channel_not_found"
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 1
    assert errors[0].conversation == conv.id
    assert "channel_not_found" in errors[0].getMessage() and "SLACK_INBOX_CHANNEL" in errors[0].getMessage()
    assert "4242" not in caplog.text and settings.slack_bot_token not in caplog.text and "jane@example.com" not in caplog.text


def test_no_channel_configured_is_logged_and_skipped(store, web, settings, slack, caplog):
    """Without SLACK_INBOX_CHANNEL (and no rule channel) the mirror says what to set, and posts nothing."""
    conv = escalated(store)
    bare = dataclasses.replace(settings, slack_inbox_channel="")

    with caplog.at_level(logging.ERROR, logger="bot"):
        result = mirror_conversation(store, web, conv.id, bare)

    assert str(result) == "skipped: no channel"
    assert "SLACK_INBOX_CHANNEL" in caplog.text
    assert slack.calls() == []


def test_a_line_longer_than_slack_takes_is_posted_in_pieces_in_order_and_nothing_cut(redis_client, web, settings, slack, thread):
    """A 9,000-character team note reaches the thread as three messages of at most 4,000 characters
    that together hold every word, split between words; a retry after a failure mid-way repeats no piece."""
    long_store = ConversationStore(redis_client, max_chars=20000)  # the worker's store takes long entries
    words = [f"word{n:04d}" for n in range(1000)]
    long_store.append(thread.id, role="agent", type="note", text=" ".join(words), author={"name": "Alice"}, client_id="long")
    slack.fail("chat.postMessage", "internal_error", status=500, after=1)

    with pytest.raises(SlackUnavailable):
        mirror_conversation(long_store, web, thread.id, settings)
    mirror_conversation(long_store, web, thread.id, settings)

    pieces = [t for t in thread_texts(slack, thread) if "word" in t]
    assert len(pieces) == 3
    assert all(len(p) <= 4000 for p in pieces)
    assert " ".join(pieces).removeprefix(":lock: *Internal note by Alice:* ").split(" ") == words


@pytest.mark.parametrize("text", ["<https://docs.example/a-very-long-guide|the guide> " * 200, "&amp;&lt;&gt; " * 900, "x" * 9000])
def test_splitting_never_breaks_a_link_or_an_entity(text):
    """Pieces never end inside a <link|label> or an &entity;, and joined again they are the text."""
    pieces = split(text.strip(), 4000)
    assert all(len(p) <= 4000 for p in pieces)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")
    for piece in pieces:
        assert piece.count("<") == piece.count(">")
        assert not re.search(r"&[a-z]*$", piece)
