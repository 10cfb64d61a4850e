"""In a real browser: a team member edits, then deletes, a reply in Slack and the shopper's widget follows,
live and after a reload. Slack's events are signed and go through the app's own /slack/events."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect
from slack_sdk import WebClient

import config
from bot.mirror import mirror_conversation
from conversations import Event
from tests.browser.test_widget_browser import start_chat
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_events import SlackEvents

SECRET = "browser-signing-secret"
INBOX = "C0INBOX0009"
ALICE = "U0ALICE0009"


@pytest.fixture
def slack():
    with FakeSlack(users={ALICE: {"display_name": "Alice", "real_name": "Alice Archer"}}) as fake:
        yield fake


@pytest.fixture
def settings(redis_url, tmp_path, slack):
    """The browser tests' app, with Slack connected to the fake Web API."""
    return config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"), slack_bot_token=slack.token,
                       slack_signing_secret=SECRET, slack_api_url=slack.url, slack_inbox_channel=INBOX)


def test_shopper_sees_a_team_edit_with_an_edited_label_and_a_deletion_as_removed(page, live_server, app, settings, slack, screenshot):
    """Alice fixes a typo in Slack: the bubble's text changes and says "edited", also after a reload;
    she deletes a second reply: it reads "This message was removed." and its text is gone."""
    store = app.extensions["baton"].store
    events = SlackEvents(SECRET)
    panel, conv = start_chat(page, live_server, "I was charged twice for Serif Pro")
    store.transition(conv["id"], Event.ESCALATE)
    mirror_conversation(store, WebClient(token=slack.token, base_url=slack.url), conv["id"], settings)
    thread = store.get(conv["id"])

    def to_slack(event):
        req = events.event(event)
        assert requests.post(f"{live_server}/slack/events", data=req.body.encode(), headers=req.headers, timeout=5).status_code == 200

    def reply(text):
        event = events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, text=text)
        to_slack(event)
        return event

    typo = reply("Sorry about that! I've refunded the *secnod* charge.")
    rows = panel.locator(".bw-row-agent")
    expect(rows.first.locator(".bw-text")).to_have_text("Sorry about that! I've refunded the secnod charge.")
    expect(rows.first.locator(".bw-edited")).to_have_count(0)

    to_slack(events.message_changed(channel=thread.slack_channel, thread_ts=thread.slack_ts, ts=typo["ts"], user=ALICE,
                                    text="Sorry about that! I've refunded the *second* charge."))
    expect(rows.first.locator(".bw-text")).to_have_text("Sorry about that! I've refunded the second charge.")
    expect(rows.first.locator(".bw-text strong")).to_have_text("second")
    expect(rows.first.locator(".bw-edited")).to_have_text("edited")
    expect(rows).to_have_count(1)  # replaced in place, not a new bubble
    screenshot(page, "widget-reply-edited")

    oops = reply("Your licence key: TOM-MILLER-KEY")
    expect(rows.nth(1)).to_contain_text("TOM-MILLER-KEY")
    to_slack(events.message_deleted(channel=thread.slack_channel, thread_ts=thread.slack_ts, ts=oops["ts"]))
    expect(rows.nth(1).locator(".bw-text")).to_have_text("This message was removed.")
    expect(rows.nth(1).locator(".bw-author")).to_contain_text("Alice")
    screenshot(page, "widget-reply-removed")

    page.reload()
    page.locator(".bw-launcher").click()
    rows = page.locator(".bw-panel .bw-row-agent")
    expect(rows).to_have_count(2)
    expect(rows.first.locator(".bw-text")).to_have_text("Sorry about that! I've refunded the second charge.")
    expect(rows.first.locator(".bw-edited")).to_have_text("edited")
    expect(rows.nth(1).locator(".bw-text")).to_have_text("This message was removed.")
    expect(page.locator(".bw-panel")).not_to_contain_text("TOM-MILLER-KEY")
