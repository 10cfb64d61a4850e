"""Only Slack gets in: signed, fresh requests; and everything manifest.yml subscribes to is answered."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from tests.bot.conftest import ALICE
from tests.fakes.slack_events import SignedRequest

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def reply_request(events, thread, **sign) -> SignedRequest:
    return events.event(events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, text="Hello"), **sign)


@pytest.mark.parametrize(
    "tamper",
    ["unsigned", "wrong_secret", "stale", "from_the_future", "body_changed"],
)
def test_requests_not_signed_by_slack_now_are_rejected(bot, events, store, thread, tamper):
    """Unsigned, wrongly signed, replayed (over five minutes old) or altered requests: 401, nothing stored."""
    before = store.entries(thread.id)
    if tamper == "unsigned":
        req = reply_request(events, thread)
        req.headers = {"Content-Type": "application/json"}
    elif tamper == "wrong_secret":
        req = reply_request(events, thread, secret="not-the-signing-secret")
    elif tamper == "stale":
        req = reply_request(events, thread, timestamp=int(time.time()) - 10 * 60)
    elif tamper == "from_the_future":
        req = reply_request(events, thread, timestamp=int(time.time()) + 10 * 60)
    else:
        req = reply_request(events, thread)
        req.body = req.body.replace("Hello", "Pay me")

    response = bot.send(req)

    assert response.status_code == 401
    assert store.entries(thread.id) == before


def test_slack_url_verification_handshake_is_answered(bot, events):
    """When the Request URL is saved in Slack, the signed challenge is echoed back."""
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"})
    response = bot.send(SignedRequest(body, events.headers(body, "application/json")))

    assert response.status_code == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in response.get_data(as_text=True)


def test_every_event_the_manifest_subscribes_to_gets_a_200(bot, events, thread):
    """Bolt answers 404 to an event no listener matches and Slack retries it; every subscribed event has one."""
    manifest = yaml.safe_load(MANIFEST.read_text())
    subscribed = manifest["settings"]["event_subscriptions"]["bot_events"]
    samples = {
        "app_home_opened": events.app_home_opened(user=ALICE),
        "message.channels": events.thread_reply(channel="C0OTHER0001", thread_ts="1690000000.000100", user=ALICE, text="hi"),
        "message.groups": events.thread_reply(channel="G0PRIVATE01", thread_ts="1690000000.000100", user=ALICE, text="hi"),
    }
    assert set(subscribed) <= set(samples), f"add a sample (and a listener) for {set(subscribed) - set(samples)}"
    for name in subscribed:
        assert bot.send(events.event(samples[name])).status_code == 200, name


def test_the_manifest_declares_what_the_listeners_handle(bot):
    """The manifest's slash command, shortcut, scopes and URLs match what the app serves."""
    manifest = yaml.safe_load(MANIFEST.read_text())
    features, settings = manifest["features"], manifest["settings"]
    assert [c["command"] for c in features["slash_commands"]] == ["/handback"]
    assert [(s["type"], s["callback_id"]) for s in features["shortcuts"]] == [("message", "baton_handback")]
    assert features["app_home"]["home_tab_enabled"] is True
    assert {"chat:write", "channels:history", "groups:history", "users:read", "commands"} <= set(manifest["oauth_config"]["scopes"]["bot"])
    urls = {settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"], features["slash_commands"][0]["url"]}
    assert urls == {"https://YOUR-HOST/slack/events"}
    assert settings["interactivity"]["is_enabled"] is True

