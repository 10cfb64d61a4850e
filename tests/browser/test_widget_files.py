"""In a real browser: files a team member shares in the Slack thread show in the shopper's widget, an
image inline and any file as a download, both fetched with the conversation's token."""

from __future__ import annotations

import base64

import pytest
import requests
from playwright.sync_api import expect
from rq import SimpleWorker

import config
from bot.app import web_client
from bot.mirror import mirror_conversation
from conversations import Event
from jobs import queues
from tests.browser.test_widget_browser import start_chat
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_events import SlackEvents

SECRET = "browser-signing-secret"
INBOX = "C0INBOX0010"
ALICE = "U0ALICE0010"
# A 1×1 PNG, so the browser really decodes an image.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
PDF = b"%PDF-1.4\n% invoice\n%%EOF\n"


@pytest.fixture
def slack():
    with FakeSlack(users={ALICE: {"display_name": "Alice"}}) as fake:
        yield fake


@pytest.fixture
def settings(redis_url, tmp_path, slack, monkeypatch):
    """The app with Slack on the fake; the worker's environment points at the same Redis and data folder."""
    data = str(tmp_path / "data")
    for var, value in {"REDIS_URL": redis_url, "SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": SECRET,
                       "SLACK_API_URL": slack.url, "SLACK_INBOX_CHANNEL": INBOX, "BATON_DATA_DIR": data}.items():
        monkeypatch.setenv(var, value)
    return config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=data, slack_bot_token=slack.token,
                       slack_signing_secret=SECRET, slack_api_url=slack.url, slack_inbox_channel=INBOX)


def test_shopper_sees_an_image_inline_and_downloads_a_pdf_the_team_shared(page, live_server, app, settings, slack, screenshot):
    """Alice shares a screenshot and an invoice with a line of text: the widget shows her text, the
    image decoded from the file route, and a link that downloads the PDF's exact bytes."""
    store = app.extensions["baton"].store
    panel, conv = start_chat(page, live_server, "Can I have my invoice?")
    store.transition(conv["id"], Event.ESCALATE)
    mirror_conversation(store, web_client(settings), conv["id"], settings)
    thread = store.get(conv["id"])
    files = [slack.add_file("screenshot.png", PNG, "image/png", user=ALICE), slack.add_file("invoice.pdf", PDF, "application/pdf", user=ALICE)]
    req = SlackEvents(SECRET).event(SlackEvents(SECRET).file_share(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE,
                                                                   files=files, text="Here is your invoice"))
    assert requests.post(f"{live_server}/slack/events", data=req.body.encode(), headers=req.headers, timeout=5).status_code == 200
    redis = store.r
    queue = queues.queue(redis, queues.SLACK)
    for _ in range(50):  # the listener queues the job after its 200
        if queue.count:
            break
        page.wait_for_timeout(100)
    SimpleWorker([queue], connection=redis).work(burst=True, with_scheduler=False)

    rows = panel.locator(".bw-row-agent")
    expect(rows.first.locator(".bw-text")).to_have_text("Here is your invoice")
    image = panel.locator(".bw-file-image")
    expect(image).to_have_count(1)
    assert image.evaluate("img => new Promise(r => img.complete && img.naturalWidth ? r(img.naturalWidth) : img.onload = () => r(img.naturalWidth))") == 1
    assert image.get_attribute("src").startswith("blob:")
    screenshot(page, "widget-files")

    with page.expect_download() as info:
        panel.locator(".bw-file-link", has_text="invoice.pdf").click()
    download = info.value
    assert download.suggested_filename == "invoice.pdf"
    with open(download.path(), "rb") as fh:
        assert fh.read() == PDF
