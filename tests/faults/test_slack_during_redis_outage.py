"""A team reply that arrives while Redis is down is not lost: Slack is told to redeliver, and the
redelivery is stored once."""

from __future__ import annotations

import logging

from conversations import ConversationStore
from tests.fakes.slack_events import SlackEvents
from tests.faults.conftest import INBOX, MAYA, SECRET
from webhook import create_app

THREAD = "1712345678.000100"


def test_a_reply_during_an_outage_gets_a_503_and_the_redelivery_is_stored_once(fault_settings, redis_proc, caplog):
    """Redis down: the endpoint answers 503 (Slack redelivers); Redis back: the redelivery (X-Slack-Retry-Num 1)
    stores the reply, a second redelivery stores nothing more; the outage is logged without a traceback."""
    app = create_app(fault_settings)
    client = app.test_client()
    store = ConversationStore.from_url(redis_proc.url)
    conv, _ = store.create(customer={"name": "Ada"})
    store.set_thread(conv.id, INBOX, THREAD)
    events = SlackEvents(SECRET)
    reply = events.thread_reply(channel=INBOX, thread_ts=THREAD, user=MAYA, text="Hi Ada, refund done.")
    event_id = "Ev0OUTAGE01"

    redis_proc.stop()
    caplog.set_level(logging.INFO)
    first = events.event(reply, event_id=event_id)
    resp = client.post("/slack/events", data=first.body, headers=first.headers)
    assert resp.status_code == 503
    assert resp.get_json()["error"]["code"] == "unavailable"
    assert not [r for r in caplog.records if r.exc_info], "the outage is logged without a traceback"
    assert any("Slack redelivers" in r.getMessage() for r in caplog.records)

    redis_proc.start()  # same port, same AOF
    for retry_num in (1, 2):
        again = events.event(reply, event_id=event_id, retry_num=retry_num)
        assert client.post("/slack/events", data=again.body, headers=again.headers).status_code == 200
    agent_lines = [e.text for e in store.entries(conv.id) if e.role == "agent"]
    assert agent_lines == ["Hi Ada, refund done."]
    assert store.get(conv.id).state.value == "human"


def test_slack_requests_with_malformed_timestamps_get_a_400(fault_settings, redis_proc, caplog):
    """A non-numeric X-Slack-Request-Timestamp, a message ts that is not a Slack ts, or a non-numeric
    X-Slack-Retry-Num is a 400 in the JSON error format; nothing is stored and nothing logs a traceback."""
    from tests.fakes.slack_events import signature

    app = create_app(fault_settings)
    client = app.test_client()
    store = ConversationStore.from_url(redis_proc.url)
    conv, _ = store.create()
    store.set_thread(conv.id, INBOX, THREAD)
    events = SlackEvents(SECRET)
    caplog.set_level(logging.INFO)

    req = events.event(events.thread_reply(channel=INBOX, thread_ts=THREAD, user=MAYA, text="hi"))
    headers = {**req.headers, "X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": signature(SECRET, "soon", req.body)}
    cases = [(req.body, headers, "bad_timestamp")]
    for event in (
        events.thread_reply(channel=INBOX, thread_ts=THREAD, user=MAYA, text="hi", ts="not-a-ts"),
        events.thread_reply(channel=INBOX, thread_ts="1712345678.x", user=MAYA, text="hi"),
        events.message_changed(channel=INBOX, thread_ts=THREAD, ts="abc", user=MAYA, text="edited"),
        events.message_deleted(channel=INBOX, thread_ts=THREAD, ts="12e4"),
    ):
        signed = events.event(event)
        cases.append((signed.body, signed.headers, "bad_timestamp"))
    retry = events.event(events.thread_reply(channel=INBOX, thread_ts=THREAD, user=MAYA, text="hi"), retry_num=1)
    cases.append((retry.body, {**retry.headers, "X-Slack-Retry-Num": "one"}, "bad_retry_num"))
    click = events.block_action("take_over", conv.id, user=MAYA, channel=INBOX, message_ts="yesterday", response_url="http://127.0.0.1:9/r")
    cases.append((click.body, click.headers, "bad_timestamp"))

    for body, headers, code in cases:
        resp = client.post("/slack/events", data=body, headers=headers)
        assert resp.status_code == 400, (resp.status_code, resp.get_data(as_text=True))
        error = resp.get_json()["error"]
        assert error["code"] == code and error["message"]
    assert store.entries(conv.id) == []
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_an_unsigned_request_with_bad_timestamps_is_still_refused_as_unsigned(fault_settings, redis_proc):
    """The timestamp check comes after Bolt's signature check: a forged body gets 401, not a hint."""
    app = create_app(fault_settings)
    events = SlackEvents("not-the-secret")
    req = events.event(events.thread_reply(channel=INBOX, thread_ts="x", user=MAYA, text="hi", ts="y"))
    assert app.test_client().post("/slack/events", data=req.body, headers=req.headers).status_code == 401
