"""The widget API: create, post, read, stream; tokens; bad input."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from conversations import Event
from tests.sse import parse_sse


def create(client, **body):
    resp = client.post("/api/v1/conversations", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def auth(conv):
    return {"Authorization": f"Bearer {conv['token']}"}


def test_shopper_starts_a_conversation_and_gets_a_secret_token(client):
    """Creating a conversation returns its id, a number for the team and a long random token."""
    a = create(client, customer={"name": "Ada", "email": "ada@example.com"}, page_url="https://shop.example/fonts")
    b = create(client)
    assert a["number"] + 1 == b["number"]
    assert len(a["token"]) >= 40 and a["token"] != b["token"]
    got = client.get(f"/api/v1/conversations/{a['id']}", headers=auth(a)).get_json()
    customer = {"name": "Ada", "email": "ada@example.com", "verified": False}
    assert got == {"id": a["id"], "number": a["number"], "state": "ai", "customer": customer, "locale": "", "rating": None, "entries": [], "next": None}


def test_posting_the_same_client_id_twice_stores_one_message(client, app):
    """A retried post (same client_id) is stored once and answers with the same entry id."""
    conv = create(client)
    url = f"/api/v1/conversations/{conv['id']}/messages"
    first = client.post(url, json={"text": "Where is my download link?", "client_id": "c-1"}, headers=auth(conv))
    again = client.post(url, json={"text": "Where is my download link?", "client_id": "c-1"}, headers=auth(conv))
    assert first.status_code == again.status_code == 202
    assert first.get_json()["entry_id"] == again.get_json()["entry_id"]
    entries = client.get(f"/api/v1/conversations/{conv['id']}", headers=auth(conv)).get_json()["entries"]
    assert [(e["role"], e["text"]) for e in entries] == [("customer", "Where is my download link?")]
    assert set(entries[0]) == {"id", "type", "role", "text", "html", "author", "sources", "at"}


def test_a_customer_message_is_queued_for_the_ai(client, app):
    """Posting in an AI conversation enqueues exactly one answer job for that entry."""
    conv = create(client)
    resp = client.post(f"/api/v1/conversations/{conv['id']}/messages", json={"text": "hi", "client_id": "x"}, headers=auth(conv))
    q = app.extensions["baton"].queue("answers")
    jobs = q.get_jobs()
    assert [j.args for j in jobs] == [(conv["id"], resp.get_json()["entry_id"])]


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer wrong-token"}, 404), ({"Authorization": "Basic abc"}, 401)],
)
def test_missing_or_wrong_token_reveals_nothing(client, headers, status):
    """Without the right token the API answers 401/404 and no conversation data."""
    conv = create(client)
    for method, path in [("get", ""), ("get", "/events"), ("post", "/messages")]:
        resp = getattr(client, method)(f"/api/v1/conversations/{conv['id']}{path}", headers=headers, json={"text": "x"})
        assert resp.status_code == status
        assert conv["id"] not in resp.get_data(as_text=True)


def test_another_conversations_token_does_not_open_this_one(client):
    """A valid token for conversation A gets 404 on conversation B."""
    a, b = create(client), create(client)
    client.post(f"/api/v1/conversations/{b['id']}/messages", json={"text": "my secret order", "client_id": "1"}, headers=auth(b))
    resp = client.get(f"/api/v1/conversations/{b['id']}", headers=auth(a))
    assert resp.status_code == 404
    assert "secret" not in resp.get_data(as_text=True)
    assert client.get("/api/v1/conversations/does-not-exist", headers=auth(a)).status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": "   "}, 422, "empty"),
        ({"text": ""}, 422, "empty"),
        ({"text": 5}, 422, "empty"),
        ({"text": "x" * 4001}, 413, "too_long"),
        ({"text": "ok", "client_id": "c" * 101}, 422, "invalid"),
    ],
)
def test_bad_messages_get_a_clear_error_and_change_nothing(client, body, status, code):
    """Empty, oversized or malformed messages are refused with a message; nothing is stored."""
    conv = create(client)
    resp = client.post(f"/api/v1/conversations/{conv['id']}/messages", json=body, headers=auth(conv))
    assert resp.status_code == status
    assert resp.get_json()["error"]["code"] == code
    assert resp.get_json()["error"]["message"]
    assert client.get(f"/api/v1/conversations/{conv['id']}", headers=auth(conv)).get_json()["entries"] == []


def test_non_json_body_is_refused(client):
    """A form post instead of JSON is a 400 that says what to send."""
    conv = create(client)
    resp = client.post(f"/api/v1/conversations/{conv['id']}/messages", data="text=hi", headers=auth(conv))
    assert resp.status_code == 400
    assert "JSON" in resp.get_json()["error"]["message"]


def test_bad_customer_details_are_refused(client):
    """An email that is not an email, or a name too long, is a 422 and creates nothing."""
    assert client.post("/api/v1/conversations", json={"customer": {"email": "not-an-email"}}).status_code == 422
    assert client.post("/api/v1/conversations", json={"customer": {"name": "n" * 81}}).status_code == 422
    assert client.post("/api/v1/conversations", json={"customer": "Ada"}).status_code == 422


def test_message_rate_limit_per_conversation(redis_url, tmp_path):
    """Past the per-conversation message limit the shopper gets a 429 with a friendly message."""
    import config
    from webhook import create_app

    app = create_app(config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path), rate_limit_messages="3 per minute"))
    client = app.test_client()
    conv = create(client)
    codes = [
        client.post(f"/api/v1/conversations/{conv['id']}/messages", json={"text": f"m{i}", "client_id": str(i)}, headers=auth(conv)).status_code
        for i in range(5)
    ]
    assert codes == [202, 202, 202, 429, 429]
    resp = client.post(f"/api/v1/conversations/{conv['id']}/messages", json={"text": "again", "client_id": "z"}, headers=auth(conv))
    assert "too quickly" in resp.get_json()["error"]["message"]


def test_customer_markup_is_escaped_in_html(client):
    """A shopper's <script> comes back as text in the entry's html, never as markup."""
    conv = create(client)
    text = "<!channel> <@U123> & <b>hi</b> <script>alert(1)</script>"
    client.post(f"/api/v1/conversations/{conv['id']}/messages", json={"text": text, "client_id": "1"}, headers=auth(conv))
    entry = client.get(f"/api/v1/conversations/{conv['id']}", headers=auth(conv)).get_json()["entries"][0]
    assert entry["text"] == text
    assert "<script>" not in entry["html"] and "&lt;script&gt;" in entry["html"]


def test_agent_markdown_is_rendered_and_sanitised(client, app):
    """Agent text renders Markdown links but loses script, handlers and javascript: URLs."""
    conv = create(client)
    store = app.extensions["baton"].store
    store.append(conv["id"], role="agent", text="See [the guide](https://x.example/a) <img src=x onerror=alert(1)> [bad](javascript:alert(1))", author={"name": "Maya"})
    entry = client.get(f"/api/v1/conversations/{conv['id']}", headers=auth(conv)).get_json()["entries"][0]
    assert '<a href="https://x.example/a"' in entry["html"]
    assert "onerror" not in entry["html"] and "javascript:" not in entry["html"] and "<img" not in entry["html"]
    assert entry["author"]["name"] == "Maya"


def test_internal_notes_never_reach_the_widget(client, app):
    """A team note is in the log but not in what the shopper can read."""
    conv = create(client)
    store = app.extensions["baton"].store
    store.append(conv["id"], role="agent", type="note", text="note: customer seems upset")
    store.append(conv["id"], role="agent", text="Hi! Looking into it.", author={"name": "Maya"})
    entries = client.get(f"/api/v1/conversations/{conv['id']}", headers=auth(conv)).get_json()["entries"]
    assert [e["text"] for e in entries] == ["Hi! Looking into it."]


def read_events(url, headers, stop_after, timeout=5.0):
    """Read SSE events from a real HTTP stream until ``stop_after`` events with data arrived."""
    events = []
    with requests.get(url, headers=headers, stream=True, timeout=timeout) as resp:
        assert resp.status_code == 200
        assert resp.headers["Content-Type"].startswith("text/event-stream")
        for event in parse_sse(resp.iter_lines(decode_unicode=True)):
            events.append(event)
            if len(events) >= stop_after:
                break
    return events


def test_stream_delivers_new_entries_live_and_resumes_after_last_event_id(client, app, live_server):
    """Entries appended while a stream is open arrive on it, in order; Last-Event-ID resumes."""
    conv = create(client)
    store = app.extensions["baton"].store
    first, _ = store.append(conv["id"], role="customer", text="one")
    url = f"{live_server}/api/v1/conversations/{conv['id']}/events"

    def later():
        time.sleep(0.3)
        store.append(conv["id"], role="agent", text="two", author={"name": "Maya"})
        store.transition(conv["id"], Event.TAKE_OVER, actor="Maya")

    threading.Thread(target=later).start()
    events = read_events(url, auth(conv), stop_after=5)
    kinds = [(e.get("event"), e["data"].get("text") or e["data"].get("state")) for e in events]
    assert kinds == [("state", "ai"), (None, "one"), (None, "two"), (None, "Maya from our team has joined the conversation."), ("state", "human")]
    assert events[1]["id"] == first

    resumed = read_events(url, {**auth(conv), "Last-Event-ID": first}, stop_after=3)
    assert [e["data"].get("text") for e in resumed[1:]] == ["two", "Maya from our team has joined the conversation."]


def test_one_process_holds_many_open_streams(client, app, live_server):
    """Twenty shoppers streaming at once all get their own entries, through one pub/sub hub."""
    convs = [create(client) for _ in range(20)]
    store = app.extensions["baton"].store
    results: dict[str, list] = {}

    def reader(conv):
        results[conv["id"]] = read_events(f"{live_server}/api/v1/conversations/{conv['id']}/events", auth(conv), stop_after=2, timeout=10)

    threads = [threading.Thread(target=reader, args=(c,)) for c in convs]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 5
    while app.extensions["baton"].live.open_streams < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert app.extensions["baton"].live.open_streams == 20
    for c in convs:
        store.append(c["id"], role="agent", text=f"hello {c['number']}", author={"name": "Maya"})
    for t in threads:
        t.join(timeout=10)
    for c in convs:
        assert results[c["id"]][1]["data"]["text"] == f"hello {c['number']}"


def test_one_address_cannot_fan_out_over_many_conversations(redis_url, tmp_path):
    """Messages from one address are limited across all its conversations, not just per conversation."""
    import config
    from webhook import create_app

    app = create_app(config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path), rate_limit_address="4 per minute"))
    client = app.test_client()
    convs = [create(client) for _ in range(3)]
    codes = [
        client.post(f"/api/v1/conversations/{c['id']}/messages", json={"text": "hi", "client_id": f"{n}"}, headers=auth(c)).status_code
        for n, c in enumerate(convs * 2)
    ]
    assert codes == [202, 202, 202, 202, 429, 429]
