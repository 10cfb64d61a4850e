"""/handback NUMBER returns a conversation to the AI; without a number it lists what can be handed back."""

from __future__ import annotations

import pytest
import redis

from bot import messages
from conversations import ConversationStore, Event, State
from tests.bot.conftest import ALICE, BotHarness, escalated
from tests.conftest import free_port
from tests.fakes.slack_api import RESPONSE_URL


def handback(bot, events, slack, text: str) -> dict:
    """Type ``/handback text`` as Alice; returns the ephemeral answer posted to the response URL."""
    response = bot.send(events.command("/handback", text, user=ALICE, response_url=slack.response_url("cmd")))
    assert response.status_code == 200
    answers = slack.calls(RESPONSE_URL)
    assert answers, "no answer was sent to the response URL"
    answer = answers[-1].params
    assert answer["response_type"] == "ephemeral"
    return answer


@pytest.mark.parametrize("typed", ["1001", "#1001", "  #1001 ", "# 1001"])
def test_handback_with_the_conversation_number_returns_it_to_the_ai(bot, events, slack, store, thread, typed):
    """`/handback 1001` or `/handback #1001`: state ai, the shopper is told who handed back, Alice is told it worked."""
    answer = handback(bot, events, slack, typed)

    assert store.get(thread.id).state == State.AI
    event = store.entries(thread.id, public_only=True)[-1]
    assert event.text == "Alice handed the conversation back to our AI assistant."
    assert answer["text"].startswith("Handed #1001 back to the AI.")


def test_handback_is_posted_in_the_thread_and_the_card_loses_its_hand_back_button(bot, events, slack, store, thread):
    """Every state change shows in the thread; the card offers what now makes sense."""
    handback(bot, events, slack, "1001")

    assert slack.posts(thread_ts=thread.slack_ts)[-1]["text"] == ":robot_face: Alice handed the conversation back to our AI assistant."
    card = slack.calls("chat.update")[-1].params
    assert card["ts"] == thread.slack_ts
    actions = [b for b in card["blocks"] if b["type"] == "actions"][0]["elements"]
    assert [a["action_id"] for a in actions] == ["baton_take_over", "baton_close"]


def test_handback_with_an_unknown_number_says_how_to_find_the_right_one(bot, events, slack, store, thread):
    """A number that matches nothing changes nothing and points to the bare /handback list."""
    answer = handback(bot, events, slack, "9999")

    assert answer["text"] == messages.UNKNOWN_NUMBER.format(number=9999)
    assert "`/handback` on its own" in answer["text"]
    assert store.get(thread.id).state == State.WAITING


def test_handback_with_words_instead_of_a_number_explains_the_usage(bot, events, slack, store, thread):
    """`/handback please` is not a number: the usage line, nothing changed."""
    answer = handback(bot, events, slack, "jane please")

    assert answer["text"] == messages.USAGE
    assert store.get(thread.id).state == State.WAITING


def test_handback_without_a_number_lists_conversations_with_the_team(bot, events, slack, store, thread):
    """Bare /handback lists waiting and human conversations (number, customer, link), not the AI's."""
    taken = escalated(store, customer={"name": "Sam <script>", "email": "sam@example.com"})
    store.transition(taken.id, Event.TAKE_OVER, actor="Bob")
    with_ai, _ = store.create({"name": "Casey"}, "")

    answer = handback(bot, events, slack, "")

    text = str(answer["blocks"])
    assert "#1001" in text and "Jane Doe" in text and "Waiting for a person" in text
    assert f"#{taken.number}" in text and "Sam &lt;script&gt;" in text and "With a person" in text
    assert f"#{with_ai.number}" not in text and "Casey" not in text
    assert f"https://baton-test.slack.com/archives/{thread.slack_channel}/p{thread.slack_ts.replace('.', '')}" in text


def test_handback_alone_lists_who_holds_what_with_a_hand_back_button_that_works(bot, events, slack, store, thread):
    """Held conversations come first, naming the holder, each with a "Hand back to AI" button; clicking it hands back."""
    taken = escalated(store, customer={"name": "Sam"})
    store.transition(taken.id, Event.TAKE_OVER, actor="Alice", assignee=ALICE)

    answer = handback(bot, events, slack, "")

    rows = [b for b in answer["blocks"] if b.get("accessory")]
    assert [r["accessory"]["value"] for r in rows] == [taken.id, thread.id]
    assert {r["accessory"]["action_id"] for r in rows} == {"baton_hand_back"}
    assert f"held by <@{ALICE}>" in rows[0]["text"]["text"]
    bot.send(events.block_action("baton_hand_back", taken.id, user=ALICE, channel="C0GENERAL1", message_ts=events.ts(),
                                 response_url=slack.response_url("list")))
    assert store.get(taken.id).state == State.AI


def test_handback_without_a_number_when_nothing_is_with_the_team(bot, events, slack, store):
    """Nothing waiting: a plain sentence, not an empty list."""
    store.create({"name": "Casey"}, "")

    assert handback(bot, events, slack, "")["text"] == messages.NOTHING_TO_HAND_BACK


@pytest.mark.parametrize(
    ("state_events", "expected"),
    [
        ([Event.HAND_BACK], messages.ALREADY_AI),
        ([Event.CLOSE], messages.ALREADY_CLOSED),
    ],
    ids=["already_with_the_ai", "closed"],
)
def test_handback_in_the_wrong_state_explains_why_nothing_happened(bot, events, slack, store, thread, state_events, expected):
    """Already with the AI, or closed: an explanation, no new entry."""
    for event in state_events:
        store.transition(thread.id, event, actor="Bob")
    before = store.entries(thread.id)

    answer = handback(bot, events, slack, "1001")

    assert answer["text"] == expected.format(number=1001)
    assert store.entries(thread.id) == before


def test_handback_lets_the_ai_answer_a_question_nobody_answered(bot, events, slack, store, thread):
    """The shopper wrote again while waiting; after the hand back the AI answers that message."""
    question, _ = store.append(thread.id, role="customer", text="Hello? Is anyone there?", client_id="w3")

    handback(bot, events, slack, "1001")

    assert bot.answers == [(thread.id, question)]


def test_handback_does_not_make_the_ai_answer_what_the_team_already_handled(bot, events, slack, store, thread):
    """The message that escalated, answered or not by the team, is not re-asked to the AI."""
    handback(bot, events, slack, "1001")

    assert bot.answers == []


def test_handback_while_the_database_is_down_apologises_instead_of_going_silent(settings, web, events, slack):
    """Redis unreachable: the person who typed /handback gets a short apology, not nothing."""
    unreachable = redis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2)
    harness = BotHarness(settings, ConversationStore(unreachable), web)
    try:
        answer = handback(harness, events, slack, "1001")
    finally:
        harness.close()

    assert answer["text"] == messages.SOMETHING_WENT_WRONG
