"""The Slack side wired into the real web app (webhook.create_app) and the Socket Mode runner."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest
from rq import SimpleWorker
from slack_bolt.request import BoltRequest

import config
import webhook
from bot.errors import SlackNotConfigured
from bot.socket_mode import socket_mode_handler
from conversations import State
from jobs import queues
from tests.bot.conftest import ALICE, INBOX, SIGNING_SECRET


def wait_until(predicate, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


@pytest.fixture
def slack_env(monkeypatch, redis_url, slack):
    """The environment a deployment sets; the web app and the worker both read it."""
    for var, value in {"REDIS_URL": redis_url, "SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                       "SLACK_API_URL": slack.url, "SLACK_INBOX_CHANNEL": INBOX}.items():
        monkeypatch.setenv(var, value)


def test_thread_reply_through_the_web_app_reaches_the_log_and_the_button_runs_the_mirror_job(slack_env, redis_client, store, events, slack, thread):
    """POST /slack/events on the real app: the reply is logged; a click enqueues a job the worker runs."""
    app = webhook.create_app(config.load(dotenv=False))
    http = app.test_client()

    reply = events.event(events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, text="Hi Jane, Alice here"))
    response = http.post("/slack/events", data=reply.body, headers=reply.headers)
    assert response.status_code == 200
    wait_until(lambda: any(e.role == "agent" for e in store.entries(thread.id)))
    assert store.get(thread.id).state == State.HUMAN

    click = events.block_action("baton_hand_back", thread.id, user=ALICE, channel=thread.slack_channel,
                                message_ts=thread.slack_ts, response_url=slack.response_url("click"))
    assert http.post("/slack/events", data=click.body, headers=click.headers).status_code == 200
    wait_until(lambda: store.get(thread.id).state == State.AI and store.entries(thread.id)[-1].meta.get("recap"))
    SimpleWorker([queues.queue(redis_client, queues.SLACK)], connection=redis_client).work(burst=True, with_scheduler=False)

    handed_back, recap = [p["text"] for p in slack.posts(thread_ts=thread.slack_ts)[-2:]]
    assert handed_back == ":robot_face: Alice handed the conversation back to our AI assistant."
    assert recap.startswith(":lock: *Internal note by Baton:* Recap for the AI")
    assert [e["action_id"] for b in slack.calls("chat.update")[-1].params["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "baton_take_over", "baton_close"]


def test_unsigned_request_to_the_web_app_is_rejected(slack_env, store, events, thread):
    """The real endpoint refuses requests not signed with the signing secret."""
    app = webhook.create_app(config.load(dotenv=False))
    forged = events.event(events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, text="x"),
                          secret="guessed")

    assert app.test_client().post("/slack/events", data=forged.body, headers=forged.headers).status_code == 401
    assert store.get(thread.id).state == State.WAITING


def test_socket_mode_needs_an_app_level_token(settings, store):
    """Without SLACK_APP_TOKEN, Socket Mode says which token to create and where."""
    with pytest.raises(SlackNotConfigured, match="SLACK_APP_TOKEN"):
        socket_mode_handler(settings, store, lambda conv_id: None, lambda conv_id, entry_id: None)


def test_socket_mode_serves_the_same_app_with_the_same_listeners(settings, store, events, slack):
    """With an app token, an event arriving over the socket (unsigned, as Socket Mode delivers it) is handled."""
    handler = socket_mode_handler(dataclasses.replace(settings, slack_app_token="xapp-1-A0-test"), store, lambda c: None, lambda c, e: None)
    try:
        assert handler.app_token == "xapp-1-A0-test"
        assert handler.client.web_client.base_url == slack.url
        envelope = json.loads(events.event(events.app_home_opened(user=ALICE)).body)
        response = handler.app.dispatch(BoltRequest(body=envelope, mode="socket_mode"))
        assert response.status == 200
        assert slack.wait_for("views.publish")[0].params["user_id"] == ALICE
    finally:
        handler.close()


def test_bolt_app_needs_token_and_signing_secret(store, redis_url):
    """Building the Bolt app without credentials fails with the variables to set."""
    from bot.app import create_bolt_app

    with pytest.raises(SlackNotConfigured, match="SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"):
        create_bolt_app(config.load(environ={}, redis_url=redis_url), store, lambda c: None, lambda c, e: None)
