"""Slack trouble loses nothing and hides nothing: a channel the bot is not in, an archived channel or a
revoked token gives one clear log line, a rule's failing channel falls back to the inbox, and the cron
sweep brings every thread up to date once Slack is fixed, without the shopper writing again."""

from __future__ import annotations

import logging

import pytest
from rq import SimpleWorker

import jobs.slack
from bot.mirror import mirror_conversation
from jobs import queues
from tests.bot.conftest import INBOX, REFUND_ESCALATION, SIGNING_SECRET, escalated

RULES_CHANNEL = "C0REFUNDS01"


@pytest.fixture
def worker_env(monkeypatch, redis_url, slack):
    """The worker's environment: jobs.context builds its store and WebClient from it."""
    for var, value in {"REDIS_URL": redis_url, "SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                       "SLACK_API_URL": slack.url, "SLACK_INBOX_CHANNEL": INBOX}.items():
        monkeypatch.setenv(var, value)


def run_worker(redis_client) -> None:
    SimpleWorker([queues.queue(redis_client, queues.SLACK)], connection=redis_client).work(burst=True, with_scheduler=False)


def errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def thread_texts(slack, conv) -> list[str]:
    return [p["text"] for p in slack.posts(channel=conv.slack_channel, thread_ts=conv.slack_ts)]


def test_a_rules_channel_the_bot_is_not_in_falls_back_to_the_inbox_with_one_log_line(store, web, settings, slack, caplog):
    """Two refund conversations for a channel the bot was never invited to: both cards land in the inbox,
    and the log says once, with the fix, why, never with the shopper's text."""
    slack.break_channel(RULES_CHANNEL, "not_in_channel")
    escalation = {**REFUND_ESCALATION, "channel": RULES_CHANNEL}
    convs = [escalated(store, escalation=escalation, text=f"refund please, order {n}") for n in range(2)]

    with caplog.at_level(logging.DEBUG, logger="bot"):
        for conv in convs:
            mirror_conversation(store, web, conv.id, settings)

    for conv in convs:
        conv = store.get(conv.id)
        assert conv.slack_channel == INBOX
        assert len(thread_texts(slack, conv)) == 4
    assert len(errors(caplog)) == 1
    line = errors(caplog)[0].getMessage()
    assert RULES_CHANNEL in line and "not_in_channel" in line and "/invite" in line
    assert "refund please" not in caplog.text and slack.token not in caplog.text


def test_an_archived_rules_channel_moves_its_thread_to_the_inbox_with_the_whole_transcript(store, web, settings, slack):
    """A thread lives in the refunds channel, which is then archived: the next line starts a new
    inbox thread holding the card, the whole conversation so far and the new line."""
    conv = escalated(store, escalation={**REFUND_ESCALATION, "channel": RULES_CHANNEL})
    mirror_conversation(store, web, conv.id, settings)
    assert store.get(conv.id).slack_channel == RULES_CHANNEL
    slack.break_channel(RULES_CHANNEL, "is_archived")

    store.append(conv.id, role="customer", text="Hello? Still there?", client_id="w3")
    mirror_conversation(store, web, conv.id, settings)

    moved = store.get(conv.id)
    assert moved.slack_channel == INBOX
    texts = thread_texts(slack, moved)
    assert texts[0] == "*Jane Doe:* How do I install a font on Windows?"
    assert texts[-1] == "*Jane Doe:* Hello? Still there?"
    assert len(texts) == 5
    assert store.by_thread(INBOX, moved.slack_ts).id == conv.id


def test_an_archived_inbox_is_logged_once_and_the_sweep_catches_up_when_it_is_unarchived(worker_env, redis_client, store, slack, caplog):
    """The inbox is archived: three shopper lines, three mirror jobs, one error line; sweeps while it is
    archived add nothing; once it is unarchived the next sweep posts the card and every line, once."""
    slack.break_channel(INBOX, "is_archived")
    conv = escalated(store)
    with caplog.at_level(logging.DEBUG):
        queues.enqueue_mirror(redis_client, conv.id)
        run_worker(redis_client)
        for n in range(3):
            store.append(conv.id, role="customer", text=f"anyone? {n}", client_id=f"a{n}")
            queues.enqueue_mirror(redis_client, conv.id)
            run_worker(redis_client)
        assert jobs.slack.sweep() == 1
        run_worker(redis_client)
        assert len(errors(caplog)) == 1
        assert "is_archived" in errors(caplog)[0].getMessage() and INBOX in errors(caplog)[0].getMessage()
        assert slack.posts() == []

        slack.fix_channel(INBOX)
        assert jobs.slack.sweep() == 1
        run_worker(redis_client)
        assert jobs.slack.sweep() == 0  # up to date: nothing more to queue

    conv = store.get(conv.id)
    assert [t for t in thread_texts(slack, conv) if "anyone?" in t] == [f"*Jane Doe:* anyone? {n}" for n in range(3)]
    assert len([p for p in slack.posts() if "thread_ts" not in p]) == 1
    assert any("works again" in r.getMessage() for r in caplog.records)


def test_a_revoked_token_is_logged_once_and_mirroring_resumes_when_it_works_again(worker_env, redis_client, store, slack, caplog):
    """The app was uninstalled: one error line for every conversation; sweeps only ask auth.test
    until the token works again, then both threads are brought up to date by the sweep alone."""
    slack.revoke("token_revoked")
    convs = [escalated(store) for _ in range(2)]
    with caplog.at_level(logging.DEBUG):
        for conv in convs:
            queues.enqueue_mirror(redis_client, conv.id)
        run_worker(redis_client)
        posts_tried = len(slack.calls("chat.postMessage"))
        for _ in range(3):
            assert jobs.slack.sweep() == 0
        assert len(slack.calls("chat.postMessage")) == posts_tried
        assert len(slack.calls("auth.test")) == 3
        assert len(errors(caplog)) == 1 and "token_revoked" in errors(caplog)[0].getMessage()

        slack.restore()
        assert jobs.slack.sweep() == 2
        run_worker(redis_client)

    for conv in convs:
        assert len(thread_texts(slack, store.get(conv.id))) == 4
    assert any("token again" in r.getMessage() for r in caplog.records)


def test_the_sweep_leaves_threads_that_are_up_to_date_and_ai_conversations_alone(worker_env, redis_client, store, web, settings, slack):
    """Nothing behind, nothing queued: a mirrored thread and a conversation the AI is handling."""
    conv = escalated(store)
    mirror_conversation(store, web, conv.id, settings)
    ai_only, _ = store.create({"name": "Sam"}, "")
    store.append(ai_only.id, role="customer", text="What fonts do you sell?", client_id="s1")

    assert jobs.slack.sweep() == 0
    assert queues.queue(redis_client, queues.SLACK).count == 0
