"""The card's buttons (Take over, Hand back to AI, Close) and the "Hand back to AI" message shortcut."""

from __future__ import annotations

import pytest

from bot import messages
from conversations import Event, State
from tests.bot.conftest import ALICE, BOB, INBOX
from tests.fakes.slack_api import BOT_USER_ID, RESPONSE_URL


def click(bot, events, slack, thread, action_id: str, value: str | None = None, user: str = ALICE):
    response = bot.send(events.block_action(
        action_id, thread.id if value is None else value, user=user, channel=thread.slack_channel,
        message_ts=thread.slack_ts, response_url=slack.response_url("click"),
    ))
    assert response.status_code == 200
    return slack.calls(RESPONSE_URL)[-1].params


def card_buttons(slack) -> list[str]:
    blocks = slack.calls("chat.update")[-1].params["blocks"]
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


@pytest.mark.parametrize(
    ("action_id", "state", "line", "buttons"),
    [
        ("baton_take_over", State.HUMAN, ":raising_hand: Alice from our team has joined the conversation.", ["baton_hand_back", "baton_close"]),
        ("baton_hand_back", State.AI, ":robot_face: Alice handed the conversation back to our AI assistant.", ["baton_take_over", "baton_close"]),
        ("baton_close", State.CLOSED, ":white_check_mark: This conversation was closed. Write again any time to reopen it.", []),
    ],
)
def test_card_button_changes_state_and_the_thread_and_card_follow(bot, events, slack, store, thread, action_id, state, line, buttons):
    """A click moves the conversation; the thread gets the line the shopper saw, the card its new buttons."""
    answer = click(bot, events, slack, thread, action_id)

    assert store.get(thread.id).state == state
    assert store.entries(thread.id)[-1].author == {"name": "Alice"}
    assert slack.posts(thread_ts=thread.slack_ts)[-1]["text"] == line
    update = slack.calls("chat.update")[-1].params
    assert (update["channel"], update["ts"]) == (INBOX, thread.slack_ts)
    assert card_buttons(slack) == buttons
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert "#1001" in answer["text"]


def test_second_take_over_click_is_explained_not_repeated(bot, events, slack, store, thread):
    """Two people click "Take over": the second is told, privately, who has it; one take-over in the log."""
    click(bot, events, slack, thread, "baton_take_over")
    answer = click(bot, events, slack, thread, "baton_take_over", user=BOB)

    assert answer["text"] == messages.HELD_BY.format(holder=f"<@{ALICE}>", number=1001)
    assert answer["response_type"] == "ephemeral"
    assert store.get(thread.id).assignee == ALICE
    assert [e.meta.get("event") for e in store.entries(thread.id)].count("take_over") == 1


def test_take_over_makes_the_clicker_the_assignee_shown_on_the_card(bot, events, slack, store, thread):
    """"Take over" records the clicking member and the card shows them as <@assignee>."""
    answer = click(bot, events, slack, thread, "baton_take_over")

    assert store.get(thread.id).assignee == ALICE
    fields = [f["text"] for b in slack.calls("chat.update")[-1].params["blocks"] if b["type"] == "section" for f in b.get("fields", [])]
    assert f"*Assignee*\n<@{ALICE}>" in fields
    assert "You have #1001 now" in answer["text"]
    again = click(bot, events, slack, thread, "baton_take_over")
    assert again["text"] == messages.ALREADY_YOURS.format(number=1001, customer="Jane Doe")


def test_hand_back_releases_the_assignee(bot, events, slack, store, thread):
    """Once handed back to the AI nobody holds the conversation, and the card says so."""
    click(bot, events, slack, thread, "baton_take_over")
    click(bot, events, slack, thread, "baton_hand_back", user=BOB)

    assert store.get(thread.id).assignee == ""
    fields = [f["text"] for b in slack.calls("chat.update")[-1].params["blocks"] if b["type"] == "section" for f in b.get("fields", [])]
    assert f"*Assignee*\n{messages.NOBODY}" in fields


def test_button_on_a_stale_card_refreshes_it(bot, events, slack, store, thread):
    """The card still shows "Hand back" although the AI has it: the click explains and re-renders the card."""
    store.transition(thread.id, Event.HAND_BACK, actor="Bob")  # happened while the mirror was down

    answer = click(bot, events, slack, thread, "baton_hand_back")

    assert answer["text"] == messages.ALREADY_AI.format(number=1001)
    assert card_buttons(slack) == ["baton_take_over", "baton_close"]


def test_button_for_a_conversation_that_no_longer_exists(bot, events, slack, thread):
    """A card whose conversation was deleted: an ephemeral explanation, nothing else."""
    answer = click(bot, events, slack, thread, "baton_take_over", value="0" * 32)

    assert answer["text"] == messages.UNKNOWN_CONVERSATION


def thread_message(thread, ts: str, user: str = ALICE, text: str = "Refund is done") -> dict:
    return {"type": "message", "user": user, "text": text, "ts": ts, "thread_ts": thread.slack_ts, "team": "T0BATON01"}


def test_shortcut_on_a_thread_message_hands_the_conversation_back(bot, events, slack, store, thread):
    """"Hand back to AI" from the ⋯ menu of any message in the thread returns it to the AI."""
    store.transition(thread.id, Event.TAKE_OVER, actor="Alice")
    response = bot.send(events.message_shortcut(
        "baton_handback", user=ALICE, channel=thread.slack_channel,
        message=thread_message(thread, events.ts()), response_url=slack.response_url("shortcut"),
    ))

    assert response.status_code == 200
    assert store.get(thread.id).state == State.AI
    assert slack.calls(RESPONSE_URL)[-1].params["text"].startswith("Handed #1001 back to the AI.")
    assert slack.posts(thread_ts=thread.slack_ts)[-1]["text"].endswith("handed the conversation back to our AI assistant.")


def test_shortcut_on_the_card_itself_works_too(bot, events, slack, store, thread):
    """The parent message is part of the thread: the shortcut works there as well."""
    card = {"type": "message", "user": BOT_USER_ID, "bot_id": "B0BATONBOT", "text": "card", "ts": thread.slack_ts}
    bot.send(events.message_shortcut("baton_handback", user=ALICE, channel=thread.slack_channel, message=card,
                                     response_url=slack.response_url("shortcut")))

    assert store.get(thread.id).state == State.AI


def test_shortcut_outside_a_baton_thread_says_where_it_works(bot, events, slack, store, thread):
    """On an unrelated message the shortcut explains itself and changes nothing."""
    elsewhere = {"type": "message", "user": ALICE, "text": "lunch?", "ts": events.ts()}
    bot.send(events.message_shortcut("baton_handback", user=ALICE, channel="C0RANDOM001", message=elsewhere,
                                     response_url=slack.response_url("shortcut")))

    assert slack.calls(RESPONSE_URL)[-1].params["text"] == messages.SHORTCUT_NOT_IN_THREAD
    assert store.get(thread.id).state == State.WAITING
