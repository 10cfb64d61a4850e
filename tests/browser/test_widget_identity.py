"""A signed-in shopper: the store page passes window.BatonSettings.user with its server's signature and the
widget hands it to Baton, so the conversation starts verified."""

from __future__ import annotations

import hashlib
import hmac

import pytest

import config
from tests.browser.test_widget_browser import delivered, send, stored_conversation
from tests.browser.test_widget_shopper import embed_page

SECRET = "store-identity-secret-for-the-browser-test"


@pytest.fixture
def settings(redis_url, tmp_path):
    return config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"), identity_secret=SECRET)


def test_a_signed_in_shopper_starts_a_verified_conversation(page, live_server, app):
    """BatonSettings.user {id, email, name, hash} reaches the create call: the customer is verified, no form is shown."""
    digest = hmac.new(SECRET.encode(), b"4711", hashlib.sha256).hexdigest()
    embed_page(page, live_server, settings=f'window.BatonSettings = {{user: {{id: "4711", email: "ana@example.com", name: "Ana Lima", hash: "{digest}"}}}};')
    page.locator(".bw-launcher").click()
    assert page.locator(".bw-about").is_hidden()
    send(page, "Where is my invoice?")
    delivered(page, "invoice")
    conv = app.extensions["baton"].store.get(stored_conversation(page)["id"])
    assert conv.verified and conv.customer["email"] == "ana@example.com" and conv.customer["name"] == "Ana Lima"
