"""A team member's reply in a conversation's Slack thread reaches the shopper (or stays a note)."""

from __future__ import annotations

import pytest

from bot import messages
from conversations import Event, State
from tests.bot.conftest import ALICE, BOB, INBOX, STRANGER


def agent_entries(store, conv_id):
    return [e for e in store.entries(conv_id) if e.role == "agent"]


def test_team_reply_in_thread_reaches_the_shopper_with_display_name(bot, events, store, slack, thread):
    """Alice's thread reply lands in the log as her message, in Markdown, and she takes the conversation."""
    reply = events.thread_reply(
        channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE,
        text="So sorry, *Jane*! I've refunded it: <https://shop.example/orders/77|your order> &amp; more",
    )
    response = bot.send(events.event(reply))

    assert response.status_code == 200
    assert store.get(thread.id).state == State.HUMAN
    public = store.entries(thread.id, public_only=True)
    joined, answer = public[-2], public[-1]
    assert joined.type == "event" and joined.text == "Alice from our team has joined the conversation."
    assert answer.role == "agent" and answer.type == "message"
    assert answer.text == "So sorry, **Jane**! I've refunded it: [your order](https://shop.example/orders/77) & more"
    assert answer.author == {"name": "Alice", "avatar_url": f"https://avatars.example/{ALICE}_72.png"}
    assert answer.meta == {"source": "slack", "slack_ts": reply["ts"], "slack_user": ALICE, "slack_channel": thread.slack_channel}


def test_take_over_by_reply_shows_in_the_thread_and_on_the_card(bot, events, store, slack, thread):
    """The thread says who joined, the card shows "With a person", and the reply is not echoed back."""
    bot.send(events.event(events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, text="On it!")))

    lines = [p["text"] for p in slack.posts(thread_ts=thread.slack_ts)]
    assert lines[-1] == ":raising_hand: Alice from our team has joined the conversation."
    assert not any("On it!" in line for line in lines)
    update = slack.calls("chat.update")[-1].params
    assert update["ts"] == thread.slack_ts and update["channel"] == INBOX
    assert "With a person" in str(update["blocks"])
    assert "baton_take_over" not in str(update["blocks"])


def test_reply_from_someone_without_display_name_uses_real_name(bot, events, store, thread):
    """Bob has no display name set, so the shopper sees his real name."""
    bot.send(events.event(events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=BOB, text="Hi Jane")))

    assert agent_entries(store, thread.id)[-1].author["name"] == "Bob Baker"


def test_reply_from_an_unknown_user_still_reaches_the_shopper(bot, events, store, thread):
    """If Slack cannot tell us who wrote, the reply still goes out, signed by "A team member"."""
    bot.send(events.event(events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=STRANGER, text="Hello!")))

    assert agent_entries(store, thread.id)[-1].author["name"] == messages.SOMEONE
    assert store.get(thread.id).state == State.HUMAN


def test_display_names_are_looked_up_once_and_cached_for_an_hour(bot, events, store, slack, thread, redis_client):
    """Two replies by Alice cost one users.info call; the cached name expires within an hour."""
    for text in ("First", "Second"):
        bot.send(events.event(events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, text=text)))

    assert len(slack.calls("users.info")) == 1
    assert 0 < redis_client.ttl(f"baton:slack:user:{ALICE}") <= 3600
    assert [e.text for e in agent_entries(store, thread.id)] == ["First", "Second"]


def test_user_mentions_in_a_reply_read_as_names(bot, events, store, thread):
    """<@U…> in a reply becomes @Name for the shopper, never a raw Slack id."""
    bot.send(events.event(events.thread_reply(
        channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, text=f"<@{BOB}> will check your licence key",
    )))

    assert agent_entries(store, thread.id)[-1].text == "@Bob Baker will check your licence key"


def test_note_prefix_keeps_a_reply_internal(bot, events, store, slack, thread):
    """"note: …" is logged as an internal note: the shopper never sees it and nobody takes over."""
    before = len(slack.calls())
    bot.send(events.event(events.thread_reply(
        channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, text="Note: she bought it twice, check Stripe",
    )))

    note = store.entries(thread.id)[-1]
    assert (note.type, note.role, note.visibility, note.text) == ("note", "agent", "internal", "she bought it twice, check Stripe")
    assert note.author["name"] == "Alice"
    assert all(e.type != "note" for e in store.entries(thread.id, public_only=True))
    assert store.get(thread.id).state == State.WAITING
    assert not [c for c in slack.calls()[before:] if c.method.startswith("chat.")]  # nothing posted to Slack


def test_slack_retry_of_the_same_reply_stores_one_entry(bot, events, store, thread):
    """Slack re-delivers an event (same event_id, X-Slack-Retry-Num): one message, one take-over."""
    reply = events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, text="Refund done.")
    first = bot.send(events.event(reply, event_id="Ev0RETRY0001"))
    again = bot.send(events.event(reply, event_id="Ev0RETRY0001", retry_num=1))
    later = bot.send(events.event(reply, event_id="Ev0RETRY0001", retry_num=2))

    assert first.status_code == again.status_code == later.status_code == 200
    assert [e.text for e in agent_entries(store, thread.id)] == ["Refund done."]
    take_overs = [e for e in store.entries(thread.id) if e.meta.get("event") == Event.TAKE_OVER]
    assert len(take_overs) == 1


def test_slack_retry_after_a_hand_back_does_not_take_the_conversation_again(bot, events, store, thread):
    """A late retry of an old reply must not pull a handed-back conversation away from the AI."""
    reply = events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, text="Done!")
    bot.send(events.event(reply, event_id="Ev0LATE00001"))
    store.transition(thread.id, Event.HAND_BACK, actor="Alice")

    bot.send(events.event(reply, event_id="Ev0LATE00001", retry_num=3))

    assert store.get(thread.id).state == State.AI
    assert len(agent_entries(store, thread.id)) == 1


def test_reply_to_a_conversation_back_with_the_ai_takes_it_over_again(bot, events, store, thread):
    """Replying in the thread of a conversation the AI has again moves it to the person."""
    store.transition(thread.id, Event.TAKE_OVER, actor="Bob")
    store.transition(thread.id, Event.HAND_BACK, actor="Bob")

    bot.send(events.event(events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, text="Me again")))

    assert store.get(thread.id).state == State.HUMAN
    assert store.entries(thread.id)[-2].meta["event"] == "take_over"


def test_reply_in_a_closed_conversation_reopens_it_for_the_person(bot, events, store, thread):
    """A late reply to a closed conversation still reaches the shopper: reopened, then taken over."""
    store.transition(thread.id, Event.CLOSE)

    bot.send(events.event(events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, text="One more thing")))

    assert store.get(thread.id).state == State.HUMAN
    kinds = [e.meta.get("event") or e.role for e in store.entries(thread.id)[-3:]]
    assert kinds == ["reopen", "take_over", "agent"]


def test_overlong_reply_is_not_sent_and_its_author_is_told(bot, events, store, slack, thread):
    """A reply over the message limit reaches nobody; the author gets an ephemeral note in the thread."""
    before = store.entries(thread.id)
    bot.send(events.event(events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, text="x" * 4001)))

    assert store.entries(thread.id) == before
    assert store.get(thread.id).state == State.WAITING
    told = slack.calls("chat.postEphemeral")[-1].params
    assert (told["user"], told["channel"], told["thread_ts"]) == (ALICE, thread.slack_channel, thread.slack_ts)
    assert "4000 characters" in told["text"]


@pytest.mark.parametrize(
    "kind",
    ["other_bot", "own_post", "edited", "deleted", "channel_join", "top_level", "other_thread", "thread_parent"],
)
def test_messages_that_are_not_a_persons_reply_are_acknowledged_and_ignored(bot, events, store, slack, thread, kind):
    """Bot posts, Baton's own posts, edits, deletions, joins and messages outside Baton threads: 200, nothing stored."""
    channel, parent = thread.slack_channel, thread.slack_ts
    event = {
        "other_bot": lambda: events.bot_message(channel=channel, thread_ts=parent, text="beep"),
        "own_post": lambda: events.bot_message(channel=channel, thread_ts=parent, text="*Jane Doe:* hi", own=True),
        "edited": lambda: events.message_changed(channel=channel, thread_ts=parent, ts=events.ts(), user=ALICE, text="edited"),
        "deleted": lambda: events.message_deleted(channel=channel, thread_ts=parent, ts=events.ts()),
        "channel_join": lambda: {**events.thread_reply(channel=channel, thread_ts=parent, user=BOB, text="<@U0BOB000001> has joined the channel"),
                                 "subtype": "channel_join", "thread_ts": None},
        "top_level": lambda: {k: v for k, v in events.thread_reply(channel=channel, thread_ts=parent, user=ALICE, text="lunch?").items() if k != "thread_ts"},
        "other_thread": lambda: events.thread_reply(channel=channel, thread_ts="1690000000.000001", user=ALICE, text="unrelated"),
        "thread_parent": lambda: events.thread_reply(channel=channel, thread_ts=parent, ts=parent, user=ALICE, text="the parent itself"),
    }[kind]()
    before_entries, before_calls = store.entries(thread.id), len(slack.calls())

    response = bot.send(events.event(event))

    assert response.status_code == 200
    assert store.entries(thread.id) == before_entries
    assert store.get(thread.id).state == State.WAITING
    assert [c.method for c in slack.calls()[before_calls:]] in ([], ["auth.test"])
