"""App Home is the team's queue: what waits (oldest first), who holds what, today's counts; kept live."""

from __future__ import annotations

import pytest
from rq import SimpleWorker

import config
from bot import home, messages
from conversations import Event
from jobs.queues import SLACK, enqueue_mirror, queue
from tests.bot.conftest import ALICE, BOB, INBOX, SIGNING_SECRET, escalated


def home_texts(slack, user: str | None = None) -> str:
    calls = [c for c in slack.calls("views.publish") if user is None or c.params["user_id"] == user]
    view = calls[-1].params["view"]
    assert view["type"] == "home"
    return "\n".join(b["text"]["text"] for b in view["blocks"] if b.get("text") and b["type"] == "section")


def test_opening_app_home_shows_the_queue(bot, events, slack, store, thread):
    """Waiting conversations with their wait and link, then the ones people hold and by whom, then today's counts."""
    taken = escalated(store, customer={"name": "Sam"}, escalation={"reason": "The AI could not find the licence in the docs."})
    store.transition(taken.id, Event.TAKE_OVER, actor="Bob", assignee=BOB)
    store.create({"name": "Casey the AI's"}, "")

    response = bot.send(events.event(events.app_home_opened(user=ALICE)))

    assert response.status_code == 200
    assert slack.calls("views.publish")[-1].params["user_id"] == ALICE
    text = home_texts(slack)
    assert "*#1001* · Jane Doe · waiting *" in text
    assert "rule `refunds` fired. The shopper asks for a refund." in text
    assert f"*#{taken.number}* · Sam · held by <@{BOB}>" in text
    assert text.index("#1001") < text.index(f"#{taken.number}")
    assert "*Today:* 3 new · 2 handed to the team · 1 resolved by the AI · 1 waiting now" in text
    assert "Casey" not in text
    view = slack.calls("views.publish")[-1].params["view"]
    urls = [e.get("url") for b in view["blocks"] if b["type"] == "actions" for e in b["elements"] if e.get("url")]
    assert urls == [f"https://baton-test.slack.com/archives/{thread.slack_channel}/p{thread.slack_ts.replace('.', '')}"]


def test_waiting_conversations_are_listed_oldest_first(bot, events, slack, store):
    """The one that has waited longest is on top, whatever was updated last."""
    first, second = escalated(store, customer={"name": "Early"}), escalated(store, customer={"name": "Late"})
    store.update(first.id, waiting_since=1000.0)
    store.update(second.id, waiting_since=2000.0)
    store.append(first.id, role="customer", text="hello?")  # updated last, still waited longest

    bot.send(events.event(events.app_home_opened(user=ALICE)))

    text = home_texts(slack)
    assert text.index("Early") < text.index("Late")


def test_app_home_when_nothing_waits(bot, events, slack, store):
    """No conversation with the team: a friendly empty state."""
    bot.send(events.event(events.app_home_opened(user=ALICE)))

    view = slack.calls("views.publish")[-1].params["view"]
    assert messages.HOME_EMPTY in str(view["blocks"])


def test_opening_the_messages_tab_publishes_nothing(bot, events, slack, store, thread):
    """app_home_opened also fires for the Messages tab: acknowledged, no view published."""
    response = bot.send(events.event(events.app_home_opened(user=ALICE, tab="messages")))

    assert response.status_code == 200
    assert slack.calls("views.publish") == []


def test_take_over_from_app_home_assigns_the_member(bot, events, slack, store, thread):
    """The Take over button in App Home (no response URL) assigns the clicker; a second member is told privately who has it."""
    def click(user):
        payload = events.block_action("baton_take_over", thread.id, user=user, channel="", message_ts="", response_url="")
        return bot.send(payload)

    assert click(ALICE).status_code == 200
    assert store.get(thread.id).assignee == ALICE
    click(BOB)
    told = slack.calls("chat.postEphemeral")[-1].params
    assert told["user"] == BOB and told["channel"] == INBOX and f"<@{ALICE}> has #1001" in told["text"]


@pytest.fixture
def worker_env(monkeypatch, redis_url, slack):
    env = {"REDIS_URL": redis_url, "SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": slack.url, "SLACK_INBOX_CHANNEL": INBOX}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return config.load(environ=env, dotenv=False)


def test_app_home_is_republished_after_an_escalation_for_this_weeks_viewers(worker_env, store, slack, redis_client):
    """Alice opened App Home yesterday, Bob two weeks ago: an escalation's mirror job republishes it for Alice only."""
    import time

    home.remember_viewer(redis_client, BOB, now=time.time() - 14 * 86400)
    home.remember_viewer(redis_client, ALICE, now=time.time() - 86400)
    conv = escalated(store)

    enqueue_mirror(redis_client, conv.id)
    SimpleWorker([queue(redis_client, SLACK)], connection=redis_client).work(burst=True)

    published = slack.calls("views.publish")
    assert [c.params["user_id"] for c in published] == [ALICE]
    assert "*#1001* · Jane Doe · waiting" in home_texts(slack, ALICE)
