"""A mirror run that outlasts its lock's time-to-live must not let a second run post the same lines."""

from __future__ import annotations

import threading

import pytest
from slack_sdk import WebClient

import config
from bot.mirror import mirror_conversation
from conversations import ConversationStore
from tests.bot.conftest import INBOX, SIGNING_SECRET, escalated
from tests.fakes.slack_api import FakeSlack


@pytest.fixture
def store(redis_client):
    return ConversationStore(redis_client)


def test_a_slow_slack_does_not_let_two_mirror_runs_post_the_same_lines(store, redis_url):
    """Posting a long transcript to a slow Slack keeps the per-conversation lock; each line is posted once."""
    with FakeSlack(latency=0.05) as slack:
        settings = config.load(environ={}, dotenv=False, redis_url=redis_url, slack_bot_token=slack.token,
                               slack_signing_secret=SIGNING_SECRET, slack_api_url=slack.url, slack_inbox_channel=INBOX)
        web = WebClient(token=slack.token, base_url=slack.url)
        conv = escalated(store)
        for n in range(12):
            store.append(conv.id, role="customer", text=f"line {n}", client_id=f"l{n}")
        errors: list[BaseException] = []

        def run():
            try:
                mirror_conversation(store, web, conv.id, settings, lock_seconds=0.3)
            except Exception as err:  # noqa: BLE001 - collected for the assertion below
                errors.append(err)

        runs = [threading.Thread(target=run) for _ in range(2)]
        for t in runs:
            t.start()
        for t in runs:
            t.join(timeout=30)

        texts = [p["text"] for p in slack.posts(thread_ts=store.get(conv.id).slack_ts)]
        assert [t for t in texts if "line" in t] == [f"*Jane Doe:* line {n}" for n in range(12)]
        assert errors == []
