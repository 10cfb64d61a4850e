"""Watch mode (BATON_MIRROR=all): every AI chat has a thread, and a reply there takes it over at once.

The whole path runs for real: the widget API appends and enqueues, an RQ worker runs the AI's turn
(offline agent over the demo docs, deterministic embedder) and the Slack mirror against the fake
Slack Web API, and the team's reply arrives as a signed Slack event.
"""

from __future__ import annotations

import pytest
from rq import SimpleWorker

import config
from conversations import State
from jobs.queues import ANSWERS, SLACK, queue
from knowledge import KnowledgeBase
from knowledge.embeddings import HashEmbedder
from tests.bot.conftest import ALICE, INBOX, SIGNING_SECRET, BotHarness


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("watch-data")
    settings = config.load(environ={}, dotenv=False, data_dir=str(data_dir))
    KnowledgeBase(settings.index_dir, HashEmbedder()).ingest(settings.docs_dir)
    return str(data_dir)


@pytest.fixture
def watch(monkeypatch, redis_url, slack, demo_index):
    """Settings of a Baton that mirrors every conversation; the worker reads the same environment."""
    env = {
        "REDIS_URL": redis_url, "BATON_DATA_DIR": demo_index, "BATON_EMBEDDER": "hash", "BATON_MIRROR": "all",
        "SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.url,
        "SLACK_INBOX_CHANNEL": INBOX,
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return config.load(environ=env, dotenv=False)


@pytest.fixture
def widget(watch):
    from webhook import create_app

    app = create_app(watch)
    app.testing = True
    return app.test_client()


@pytest.fixture
def team(watch, store, web):
    harness = BotHarness(watch, store, web)
    yield harness
    harness.close()


def work(store):
    SimpleWorker([queue(store.r, ANSWERS), queue(store.r, SLACK)], connection=store.r).work(burst=True)


def say(widget, conv: dict, text: str, n: int):
    response = widget.post(f"/api/v1/conversations/{conv['id']}/messages", json={"text": text, "client_id": f"m{n}"},
                           headers={"Authorization": f"Bearer {conv['token']}"})
    assert response.status_code == 202


def test_every_conversation_gets_a_thread_and_the_ais_answers_appear_in_it(widget, store, slack):
    """From the shopper's first message: a card saying "With the AI", their line under their name, the AI's answer."""
    conv = widget.post("/api/v1/conversations", json={"customer": {"name": "Ada", "email": "ada@example.com"}}).get_json()
    say(widget, conv, "How do I install a font on my Mac?", 1)
    work(store)

    card, *lines = slack.posts(channel=INBOX)
    assert "With the AI" in str(card["blocks"]) and "thread_ts" not in card
    assert [line.get("username") for line in lines] == ["Ada (shopper)", "AI assistant"]
    assert lines[0]["icon_emoji"] == ":bust_in_silhouette:" and lines[1]["icon_emoji"] == ":robot_face:"
    ai = [e for e in store.entries(conv["id"]) if e.role == "ai"][0]
    assert ai.text.split()[0] in lines[1]["text"]
    assert store.get(conv["id"]).state == State.AI


def test_a_reply_in_an_ai_thread_takes_over_and_the_ai_stays_silent(widget, store, slack, team, events):
    """Alice answers in the thread while the AI's answer to the shopper's new question is still queued:
    she holds the conversation, and no AI line follows her reply, in the log or in the thread."""
    conv = widget.post("/api/v1/conversations", json={"customer": {"name": "Ada"}}).get_json()
    say(widget, conv, "How do I install a font on my Mac?", 1)
    work(store)
    thread = store.get(conv["id"])
    say(widget, conv, "And on Windows?", 2)  # its AI turn is queued, not run yet

    team.send(events.event(events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE,
                                               text="Hi Ada, Alice here: on Windows, right-click the file and pick Install.")))
    work(store)

    conv_now = store.get(conv["id"])
    assert (conv_now.state, conv_now.assignee) == (State.HUMAN, ALICE)
    entries = store.entries(conv["id"])
    reply_at = next(i for i, e in enumerate(entries) if e.role == "agent")
    assert not [e for e in entries[reply_at:] if e.role == "ai"]
    posted = slack.posts(thread_ts=thread.slack_ts)
    assert [p.get("username") for p in posted].count("AI assistant") == 1
    assert [p.get("username") for p in posted] == ["Ada (shopper)", "AI assistant", "Ada (shopper)", None]
    assert posted[-1]["text"] == ":raising_hand: Alice from our team has joined the conversation."
    assert posted[-1]["blocks"][0]["type"] == "context"  # a state change reads as a context line


def test_escalated_mode_keeps_ai_chats_out_of_slack(store, web, settings, slack):
    """The default mode: a conversation the AI is handling has no thread."""
    from bot.mirror import mirror_conversation

    conv, _ = store.create({"name": "Ada"})
    store.append(conv.id, role="customer", text="hello")
    assert str(mirror_conversation(store, web, conv.id, settings)) == "skipped: not escalated"
    assert slack.posts() == []
