"""The widget when the server says no: rate limits and bad details keep what the shopper typed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_widget_browser import delivered, open_widget, send


@pytest.fixture
def settings(redis_url, tmp_path):
    """Tight limits so a test can reach them: two messages a minute per conversation."""
    import config

    return config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"), rate_limit_messages="2 per minute")


def test_a_rate_limited_message_comes_back_to_the_box_with_a_clear_note(page, live_server, app):
    """The third message in a minute is refused (429): the shopper is told to wait and keeps the text."""
    panel = open_widget(page, live_server)
    send(page, "One")
    delivered(page, "One")
    send(page, "Two")
    delivered(page, "Two")
    send(page, "Three, with details I don't want to type again")
    expect(panel.locator(".bw-error")).to_contain_text("sending messages too quickly")
    expect(panel.locator(".bw-error")).to_contain_text("seconds")
    expect(page.locator(".bw-textarea")).to_have_value("Three, with details I don't want to type again")
    expect(panel.locator(".bw-row-customer", has_text="Three")).to_have_count(0)
    store = app.extensions["baton"].store
    [conv] = store.recent()
    assert [e.text for e in store.entries(conv.id)] == ["One", "Two"]


def test_a_bad_email_is_caught_before_anything_is_sent(page, live_server, app):
    """An email without a domain opens the details line with a hint; no conversation is created."""
    panel = open_widget(page, live_server)
    panel.locator("summary").click()
    panel.locator("input[type=email]").fill("maya@")
    send(page, "Hello")
    expect(panel.locator(".bw-error")).to_contain_text("email address doesn't look right")
    expect(page.locator(".bw-textarea")).to_have_value("Hello")
    store = app.extensions["baton"].store
    assert store.recent() == []
    panel.locator("input[type=email]").fill("maya@example.com")
    panel.locator("input[autocomplete=name]").fill("Maya Schulz")
    send(page, "Hello")
    delivered(page, "Hello")
    [conv] = store.recent()
    assert conv.customer == {"name": "Maya Schulz", "email": "maya@example.com"}
    expect(panel.locator(".bw-about")).to_be_hidden()
