"""Bad input to the widget API: a clear 4xx in the JSON error format, never a 500, nothing stored."""

from __future__ import annotations

import logging

import pytest

from tests.webhook.test_widget_api import auth, create


def entries(client, conv):
    return client.get(f"/api/v1/conversations/{conv['id']}", headers=auth(conv)).get_json()["entries"]


def assert_json_error(resp, status: int, code: str):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.is_json, resp.content_type
    error = resp.get_json()["error"]
    assert error["code"] == code
    assert len(error["message"]) > 10
    return error["message"]


@pytest.fixture
def no_tracebacks(caplog):
    """Fails the test if anything was logged with a traceback or at ERROR level."""
    caplog.set_level(logging.INFO)
    yield
    bad = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not bad, [r.getMessage() for r in bad]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/v1/nothing-here", 404, "not_found"),
        ("get", "/api/v2/conversations", 404, "not_found"),
        ("get", "/api/v1/conversations", 405, "method_not_allowed"),
        ("put", "/api/v1/conversations/abc/messages", 405, "method_not_allowed"),
        ("get", "/slack/events", 405, "method_not_allowed"),
    ],
)
def test_flask_own_errors_on_api_paths_are_json(client, no_tracebacks, method, path, status, code):
    """Unknown API paths and wrong methods answer the JSON error format, not Flask's HTML page."""
    message = assert_json_error(getattr(client, method)(path), status, code)
    assert path in message
    if status == 405:
        assert "allowed:" in message


def test_a_browser_on_an_unknown_page_still_gets_html(client):
    """A person who mistypes a store page URL gets an HTML page; an API client asking for JSON gets JSON."""
    html = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert html.status_code == 404 and html.content_type.startswith("text/html")
    as_json = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert_json_error(as_json, 404, "not_found")


def test_an_oversized_body_is_a_json_413_even_without_a_json_content_type(client, no_tracebacks):
    """Past 64 KiB the answer is 413 too_large (with the limit in the message), whatever the body is."""
    conv = create(client)
    for headers in ({}, {"Content-Type": "application/json"}):
        resp = client.post(f"/api/v1/conversations/{conv['id']}/messages", data="x" * 70_000, headers={**auth(conv), **headers})
        assert "65536" in assert_json_error(resp, 413, "too_large")
    assert entries(client, conv) == []


RAW_BODIES = [
    pytest.param('{"text": "\\ud800 hi"}', 400, "bad_unicode", id="lone-high-surrogate"),
    pytest.param('{"text": "hi \\udfff"}', 400, "bad_unicode", id="lone-low-surrogate"),
    pytest.param('{"text": "ok", "client_id": "\\udc00"}', 400, "bad_unicode", id="surrogate-in-client-id"),
    pytest.param('{"text": "ok", "\\ud800": 1}', 400, "bad_unicode", id="surrogate-in-a-key"),
    pytest.param('{"text": ' + "[" * 5000 + "]" * 5000 + "}", 400, "too_deep", id="deeply-nested"),
    pytest.param('{"text": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": 1}}}}}}}}}', 400, "too_deep", id="nested-past-the-limit"),
    pytest.param('{"text": NaN}', 400, "bad_json", id="nan"),
    pytest.param('{"text": "unterminated', 400, "bad_json", id="truncated"),
    pytest.param('["text", "hi"]', 400, "bad_json", id="array-not-object"),
    pytest.param('{"text": "hi\\u0000there"}', 422, "invalid_characters", id="nul"),
    pytest.param('{"text": "hi\\u001b[31mred"}', 422, "invalid_characters", id="ansi-escape"),
    pytest.param('{"text": "bell\\u0007"}', 422, "invalid_characters", id="bell"),
    pytest.param('{"text": "ok", "client_id": "c\\n1"}', 422, "invalid_characters", id="newline-in-client-id"),
    pytest.param('{"text": "\\u200b\\u200b"}', 422, "empty", id="zero-width-spaces-only"),
    pytest.param('{"text": "\\u2060\\ufeff \\u3164"}', 422, "empty", id="joiners-bom-filler-only"),
    pytest.param('{"text": "\\u00a0\\u2003\\u202f"}', 422, "empty", id="unicode-spaces-only"),
]


@pytest.mark.parametrize(("raw", "status", "code"), RAW_BODIES)
def test_crafted_message_bodies_get_a_4xx_and_store_nothing(client, no_tracebacks, raw, status, code):
    """Lone surrogates, deep nesting, NaN, control characters and invisible-only text are refused."""
    conv = create(client)
    resp = client.post(f"/api/v1/conversations/{conv['id']}/messages", data=raw.encode(), headers={**auth(conv), "Content-Type": "application/json"})
    assert_json_error(resp, status, code)
    assert entries(client, conv) == []
    assert client.application.extensions["baton"].queue("answers").count == 0


def test_a_body_that_is_not_utf8_says_so(client, no_tracebacks):
    """Latin-1 bytes in a JSON body are a 400 that names the offset, not a 500."""
    conv = create(client)
    resp = client.post(f"/api/v1/conversations/{conv['id']}/messages", data='{"text": "café"}'.encode("latin-1"), headers={**auth(conv), "Content-Type": "application/json"})
    assert "UTF-8" in assert_json_error(resp, 400, "bad_json")


@pytest.mark.parametrize(
    "raw",
    ['{"customer": {"name": "\\udc00"}}', '{"page_url": "\\ud83d"}', '{"customer": {"email": "a\\u0000@b.example"}}'],
)
def test_crafted_create_bodies_create_nothing(client, redis_client, no_tracebacks, raw):
    """A conversation is not created from a body with a lone surrogate or a NUL in it."""
    resp = client.post("/api/v1/conversations", data=raw.encode(), headers={"Content-Type": "application/json"})
    assert resp.status_code in (400, 422) and resp.is_json
    assert not redis_client.keys("baton:{*}:conv")


def test_text_with_line_breaks_tabs_and_emoji_is_still_fine(client):
    """The checks refuse control characters, not ordinary text: line breaks, tabs, emoji, RTL, ZWJ sequences."""
    conv = create(client)
    text = "Hi!\n\tOrder 5521 👩‍💻 ✓ שלום مرحبا"
    resp = client.post(f"/api/v1/conversations/{conv['id']}/messages", json={"text": text, "client_id": "ok"}, headers=auth(conv))
    assert resp.status_code == 202
    assert [e["text"] for e in entries(client, conv)] == [text]


@pytest.mark.parametrize("last_id", ["abc", "1-2-3", "-1-0", "1700000000000", "99999999999999999999-0", "18446744073709551616-0", "١٧-٠"])
def test_a_last_event_id_that_is_not_an_entry_id_is_a_400(client, no_tracebacks, last_id):
    """A Last-Event-ID that no entry can have is refused with a message saying how to reconnect."""
    conv = create(client)
    resp = client.get(f"/api/v1/conversations/{conv['id']}/events", headers={**auth(conv), "Last-Event-ID": last_id})
    assert "reconnect without it" in assert_json_error(resp, 400, "bad_last_event_id")


def test_oversized_headers_get_a_431(client, no_tracebacks):
    """Request headers past 8 KiB are refused with 431 and a message naming the limit."""
    conv = create(client)
    resp = client.get(f"/api/v1/conversations/{conv['id']}", headers={**auth(conv), "X-Padding": "a" * 9000})
    assert "8192" in assert_json_error(resp, 431, "headers_too_large")


def test_an_unexpected_error_is_a_json_500_without_internals(app, caplog):
    """A bug still answers the JSON error format on API paths (logged once, with its traceback)."""
    app.testing = False  # as in production: the error handler answers instead of re-raising

    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    resp = app.test_client().get("/api/v1/boom")
    assert resp.status_code == 500 and resp.is_json
    assert resp.get_json()["error"]["code"] == "internal"
    assert "secret" not in resp.get_data(as_text=True)
    assert [r.exc_info is not None for r in caplog.records if r.name == "webhook.errors"] == [True]
