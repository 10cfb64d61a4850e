"""Property-based tests (hypothesis): whatever a client or Slack sends, the answer is a documented
status in the JSON error format, never a 500, and a refusal stores nothing."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import config
from bot.redelivery import SLACK_TS
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_events import SlackEvents
from webhook import create_app

EXAMPLES = 60  # bounded so `make test` stays fast
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
UNLIMITED = {f"rate_limit_{k}": "1000000 per minute" for k in ("messages", "create", "address", "reads", "bad_token")}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
# Text as a hostile client could send it: any code point, including lone surrogates (as JSON escapes).
hostile_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300) | st.sampled_from(
    ["\u200b", "\x00", "a\x1bb", "\ud800", "\udfffx", " \u3164 ", "\u2028", "😀" * 10, "x" * 4001]
)


def escape_json(value) -> bytes:
    """JSON with every non-ASCII character escaped, so lone surrogates travel as \\udXXX like a browser's would."""
    return json.dumps(value, ensure_ascii=True).encode()


@pytest.fixture
def api(redis_url, tmp_path):
    app = create_app(config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"), **UNLIMITED))
    client = app.test_client()
    conv = client.post("/api/v1/conversations", json={}).get_json()
    return app, client, conv


def history(client, conv) -> list[dict]:
    return client.get(f"/api/v1/conversations/{conv['id']}", headers={"Authorization": f"Bearer {conv['token']}"}).get_json()["entries"]


def assert_error_format(resp):
    assert resp.status_code < 500, resp.get_data(as_text=True)
    if resp.status_code >= 400:
        body = resp.get_json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
        assert body["error"]["code"] and body["error"]["message"]


@PROPERTY
@given(text=hostile_text, client_id=st.none() | st.text(max_size=120) | st.integers() | st.just("\ud800"))
def test_any_message_is_stored_once_exactly_or_refused_without_a_trace(api, text, client_id):
    """A posted message is either stored once with its text as sent (trimmed) or refused with a 4xx that stores nothing."""
    app, client, conv = api
    before = history(client, conv)
    if isinstance(client_id, str) and client_id.strip():
        client_id = f"{uuid.uuid4().hex[:8]}{client_id}"  # fresh per example: a reused id means "retry", by design
    body = {"text": text} if client_id is None else {"text": text, "client_id": client_id}
    url = f"/api/v1/conversations/{conv['id']}/messages"
    headers = {"Authorization": f"Bearer {conv['token']}", "Content-Type": "application/json"}
    resp = client.post(url, data=escape_json(body), headers=headers)
    assert_error_format(resp)
    after = history(client, conv)
    if resp.status_code == 202:
        entry_id = resp.get_json()["entry_id"]
        new = [e for e in after if e["id"] not in {b["id"] for b in before}]
        assert [(e["id"], e["text"]) for e in new] == [(entry_id, text.strip())]
        again = client.post(url, data=escape_json(body), headers=headers)
        if isinstance(client_id, str) and client_id:
            assert again.get_json()["entry_id"] == entry_id and len(history(client, conv)) == len(after)
    else:
        assert resp.status_code in (400, 413, 422)
        assert after == before


@PROPERTY
@given(body=json_values | st.dictionaries(st.sampled_from(["customer", "page_url", "user", "text"]), json_values, max_size=4))
def test_any_json_body_to_create_gets_a_documented_answer(api, body):
    """Arbitrary JSON to create is a 201 or a 4xx in the error format; a refusal creates nothing."""
    app, client, _ = api
    store = app.extensions["baton"].store
    count = len(store.r.keys("baton:{*}:conv"))
    resp = client.post("/api/v1/conversations", data=escape_json(body), headers={"Content-Type": "application/json"})
    assert_error_format(resp)
    assert resp.status_code in (201, 400, 403, 422)
    assert len(store.r.keys("baton:{*}:conv")) == count + (1 if resp.status_code == 201 else 0)


@PROPERTY
@given(raw=st.binary(max_size=400), content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""]))
def test_any_bytes_to_the_message_endpoint_are_never_a_500(api, raw, content_type):
    """Random bytes with any content type get a 4xx (or 202 if they happen to be a valid message), never a 500."""
    _, client, conv = api
    headers = {"Authorization": f"Bearer {conv['token']}"}
    if content_type:
        headers["Content-Type"] = content_type
    resp = client.post(f"/api/v1/conversations/{conv['id']}/messages", data=raw, headers=headers)
    assert_error_format(resp)


SECRET = "property-signing-secret"
INBOX = "C0INBOX0001"
THREAD = "1712345678.000100"
slack_ts = st.builds(lambda s, u: f"{s}.{u:06d}", st.integers(1_600_000_000, 1_900_000_000), st.integers(0, 999_999))
junk_ts = st.text(max_size=20) | st.sampled_from(["1712345678.000100\n", "١٧١٢٣٤٥٦٧٨.١", "1e9", "-1.5", " 1.2", "1.2.3"])


@pytest.fixture
def slack_app(redis_url, tmp_path):
    with FakeSlack(users={"U0MAYA00001": {"display_name": "Maya"}}) as fake:
        app = create_app(config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"),
                                     slack_bot_token=fake.token, slack_signing_secret=SECRET, slack_api_url=fake.url, slack_inbox_channel=INBOX))
        store = app.extensions["baton"].store
        conv, _ = store.create(customer={"name": "Ada"})
        store.set_thread(conv.id, INBOX, THREAD)
        yield app.test_client(), store, conv, set()


@PROPERTY
@given(text=st.text(max_size=200), user=st.from_regex(r"U[0-9A-Z]{8,10}", fullmatch=True), ts=slack_ts | junk_ts,
       subtype=st.sampled_from([None, None, "thread_broadcast", "bot_message", "channel_join", "file_share"]))
def test_any_signed_thread_event_is_stored_at_most_once_and_never_a_500(slack_app, text, user, ts, subtype):
    """A signed message event with generated fields gets 200 (or 400 for a ts that is not Slack's);
    delivered twice (Slack's retry), a reply is stored at most once, and a refusal stores nothing."""
    client, store, conv, seen = slack_app
    events = SlackEvents(SECRET)
    event = events.thread_reply(channel=INBOX, thread_ts=THREAD, user=user, text=text, ts=ts)
    event["ts"] = event["event_ts"] = ts  # as generated, even when empty
    if subtype:
        event["subtype"] = subtype
    before = len(store.entries(conv.id))
    event_id = f"Ev{abs(hash((text, user, ts, subtype))) % 10**10:010d}"
    for retry in (None, 1):
        req = events.event(event, event_id=event_id, retry_num=retry)
        resp = client.post("/slack/events", data=req.body, headers=req.headers)
        assert resp.status_code in (200, 400), resp.get_data(as_text=True)
    stored = [e for e in store.entries(conv.id)[before:] if e.meta.get("slack_ts") == ts]
    if ts == "" or SLACK_TS.fullmatch(ts):  # empty: Slack's way of leaving a field out
        assert resp.status_code == 200
        plain = re.fullmatch(r"[A-Za-z0-9 ,.!?']*[A-Za-z0-9][A-Za-z0-9 ,.!?']*", text) and not text.lower().startswith("note")
        if subtype in (None, "thread_broadcast", "file_share") and plain and ts and ts not in seen:
            assert len([e for e in stored if e.type == "message"]) == 1  # a person's plain reply, new ts: stored
    else:
        assert resp.status_code == 400, repr(ts)
        assert len(store.entries(conv.id)) == before
    assert len(stored) <= 1
    seen.add(ts)
