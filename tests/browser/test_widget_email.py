"""The shopper who left: a team reply from Slack reaches them by e-mail (a real SMTP server on a local
port), and the link in it resumes the conversation in a fresh browser, without the conversation's token."""

from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import expect
from rq import SimpleWorker
from slack_sdk import WebClient

import config
from bot.mirror import mirror_conversation
from conversations import Event
from tests.browser.test_widget_browser import delivered, open_widget, send, stored_conversation
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_events import SlackEvents

SECRET = "browser-email-secret"
INBOX = "C0INBOX0013"
MAYA = "U0MAYA0013"


@pytest.fixture
def slack():
    with FakeSlack(users={MAYA: {"display_name": "Maya", "real_name": "Maya Stern"}}) as fake:
        yield fake


@pytest.fixture
def settings(redis_url, tmp_path, slack, smtp_server):
    """Slack connected to the fake Web API, e-mail to the local SMTP server, replies e-mailed after 1 s."""
    return config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"), slack_bot_token=slack.token,
                       slack_signing_secret=SECRET, slack_api_url=slack.url, slack_inbox_channel=INBOX,
                       smtp_url=smtp_server.url, email_from="help@pixelandpress.example", email_after=1.0)


def test_a_reply_after_the_shopper_left_is_emailed_and_its_link_resumes_the_chat(browser, page, live_server, app, settings, slack, smtp_server, monkeypatch):
    """Ana leaves her e-mail and closes the tab; Maya replies in Slack; the e-mail arrives once, and its link
    opens the conversation with Maya's reply in a browser that never saw it. The link works once."""
    for name, value in (("REDIS_URL", settings.redis_url), ("BATON_SMTP_URL", settings.smtp_url), ("BATON_EMAIL_FROM", settings.email_from)):
        monkeypatch.setenv(name, value)  # the worker's jobs build their context from the environment
    store = app.extensions["baton"].store
    panel = open_widget(page, live_server)
    panel.locator(".bw-about summary").click()
    panel.locator("input[type=email]").fill("ana@example.com")
    send(page, "My Serif Pro download link has expired")
    delivered(page, "download link has expired")
    conv = stored_conversation(page)
    store.transition(conv["id"], Event.ESCALATE)
    mirror_conversation(store, WebClient(token=slack.token, base_url=slack.url), conv["id"], settings)
    thread = store.get(conv["id"])
    page.close()  # Ana leaves: no widget is watching any more
    deadline = time.monotonic() + 5
    while store.watched(conv["id"]) and time.monotonic() < deadline:
        time.sleep(0.05)

    events = SlackEvents(SECRET)
    req = events.event(events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=MAYA,
                                           text="Hi Ana, here is a fresh link: it works for 7 days."))
    assert requests.post(f"{live_server}/slack/events", data=req.body.encode(), headers=req.headers, timeout=5).status_code == 200
    email_queue = app.extensions["baton"].queue("email")
    deadline = time.monotonic() + 10
    while not email_queue.scheduled_job_registry.get_job_ids() and time.monotonic() < deadline:
        time.sleep(0.05)  # Bolt hands the reply to its listener after acking Slack
    time.sleep(1.2)  # BATON_EMAIL_AFTER
    SimpleWorker([email_queue], connection=store.r).work(burst=True, with_scheduler=True)

    [msg] = smtp_server.wait_for(1)
    assert msg["To"] == "ana@example.com"
    text = msg.get_body(("plain",)).get_content()
    assert "Hi Ana, here is a fresh link: it works for 7 days." in text
    assert conv["token"] not in msg.as_string()
    [link] = re.findall(r"http://\S+#baton-resume=\S+", text)

    fresh = browser.new_context(viewport={"width": 1280, "height": 820}, reduced_motion="reduce")
    try:
        elsewhere = fresh.new_page()
        elsewhere.goto(link)
        resumed = elsewhere.locator(".bw-panel")
        expect(resumed).to_be_visible()  # the link opens the chat
        expect(resumed.locator(".bw-row-agent")).to_contain_text("here is a fresh link")
        expect(resumed.locator(".bw-row-customer")).to_contain_text("download link has expired")
        assert "baton-resume" not in elsewhere.url  # the code leaves the address bar
        send(elsewhere, "Thanks, that worked!")
        delivered(elsewhere, "Thanks, that worked!")
        assert stored_conversation(elsewhere)["id"] == conv["id"]
        assert stored_conversation(elsewhere)["token"] != conv["token"]

        second = browser.new_context(viewport={"width": 1280, "height": 820}, reduced_motion="reduce")
        try:
            late = second.new_page()
            late.goto(link)
            expect(late.locator(".bw-error")).to_contain_text("expired or was already used")
            expect(late.locator(".bw-row-agent")).to_have_count(0)
        finally:
            second.close()
    finally:
        fresh.close()
    SimpleWorker([email_queue], connection=store.r).work(burst=True, with_scheduler=True)
    assert len(smtp_server.messages) == 1  # sent once
