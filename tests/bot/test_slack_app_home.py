"""The App Home tab shows what is waiting for, or with, the team."""

from __future__ import annotations

from bot import messages
from conversations import Event
from tests.bot.conftest import ALICE, escalated


def home_texts(slack) -> str:
    view = slack.calls("views.publish")[-1].params["view"]
    assert view["type"] == "home"
    return "\n".join(b["text"]["text"] for b in view["blocks"] if b.get("text") and b["type"] == "section")


def test_opening_app_home_lists_conversations_with_the_team(bot, events, slack, store, thread):
    """Number, customer, why, state and a link to the thread, for waiting and human conversations only."""
    taken = escalated(store, customer={"name": "Sam"}, escalation={"reason": "The AI could not find the licence in the docs."})
    store.transition(taken.id, Event.TAKE_OVER, actor="Bob")
    store.create({"name": "Casey the AI's"}, "")

    response = bot.send(events.event(events.app_home_opened(user=ALICE)))

    assert response.status_code == 200
    assert slack.calls("views.publish")[-1].params["user_id"] == ALICE
    text = home_texts(slack)
    assert "*#1001* · Jane Doe · :hourglass_flowing_sand: Waiting for a person" in text
    assert "rule `refunds` fired. The shopper asks for a refund." in text
    assert f"<https://baton-test.slack.com/archives/{thread.slack_channel}/p{thread.slack_ts.replace('.', '')}|Open thread>" in text
    assert f"*#{taken.number}* · Sam · :raising_hand: With a person" in text
    assert "The AI could not find the licence in the docs." in text
    assert "Thread not posted yet" in text  # Sam's thread was never mirrored
    assert "Casey" not in text


def test_app_home_when_nothing_waits(bot, events, slack, store):
    """No conversation with the team: a friendly empty state."""
    bot.send(events.event(events.app_home_opened(user=ALICE)))

    assert messages.HOME_EMPTY in home_texts(slack)


def test_opening_the_messages_tab_publishes_nothing(bot, events, slack, store, thread):
    """app_home_opened also fires for the Messages tab: acknowledged, no view published."""
    response = bot.send(events.event(events.app_home_opened(user=ALICE, tab="messages")))

    assert response.status_code == 200
    assert slack.calls("views.publish") == []
