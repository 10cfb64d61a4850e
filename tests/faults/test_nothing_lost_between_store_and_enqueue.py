"""Storing a shopper's message and queueing its answer cannot be split by a crash: the widget's retry,
or the cron sweep, queues the missing answer, and never a second one."""

from __future__ import annotations

import time

from rq import SimpleWorker

from conversations import ConversationStore, Event
from jobs.answers import sweep_unanswered
from jobs.queues import ANSWERS, queue
from tests.webhook.test_widget_api import auth, create


def stored_without_answer(store: ConversationStore, conv_id: str, text: str, client_id: str) -> str:
    """What a web process that died between the append and the enqueue leaves behind."""
    entry_id, created = store.append(conv_id, role="customer", text=text, author={"name": "Shopper"}, client_id=f"widget:{client_id}")
    assert created
    return entry_id


def test_a_retry_after_a_crash_between_store_and_enqueue_queues_the_answer_once(client, app, redis_client):
    """The widget retries the same client_id: the message is not stored again, its answer is queued
    once, and further retries queue nothing more."""
    conv = create(client)
    store = app.extensions["baton"].store
    entry_id = stored_without_answer(store, conv["id"], "Where is my download link?", "c-1")
    answers = queue(redis_client, ANSWERS)
    assert answers.count == 0  # the crash: stored, never queued

    url = f"/api/v1/conversations/{conv['id']}/messages"
    for _ in range(3):
        resp = client.post(url, json={"text": "Where is my download link?", "client_id": "c-1"}, headers=auth(conv))
        assert resp.status_code == 202 and resp.get_json()["entry_id"] == entry_id
    assert [j.args for j in answers.get_jobs()] == [(conv["id"], entry_id)]
    assert [e.text for e in store.entries(conv["id"])] == ["Where is my download link?"]


def test_a_retry_of_an_answered_message_queues_nothing(client, app, redis_client):
    """A late duplicate of a message the AI already answered does not start a second turn."""
    conv = create(client)
    store = app.extensions["baton"].store
    entry_id = stored_without_answer(store, conv["id"], "hi", "c-2")
    store.append(conv["id"], role="ai", text="Hello! How can I help?", client_id=f"ai:{entry_id}")
    client.post(f"/api/v1/conversations/{conv['id']}/messages", json={"text": "hi", "client_id": "c-2"}, headers=auth(conv))
    assert queue(redis_client, ANSWERS).count == 0


def test_the_sweep_answers_a_shopper_who_never_retried_once(redis_client, redis_url, monkeypatch, tmp_path):
    """A message stored without its answer (and no retry: the tab was closed) is queued by the cron
    sweep a minute later, answered by a real worker, and not queued again; conversations with an
    answer, with a person, or too recent are left alone."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    store = ConversationStore(redis_client)
    lost, _ = store.create()
    lost_entry = stored_without_answer(store, lost.id, "Hello? Do you sell icon packs?", "c-3")
    answered, _ = store.create()
    first = stored_without_answer(store, answered.id, "hi", "c-4")
    store.append(answered.id, role="ai", text="Hello!", client_id=f"ai:{first}")
    with_person, _ = store.create()
    stored_without_answer(store, with_person.id, "refund please", "c-5")
    store.transition(with_person.id, Event.ESCALATE)
    now = time.time()

    assert sweep_unanswered(now=now) == 0  # too recent: its job may still be on its way
    assert sweep_unanswered(now=now + 120) == 1
    assert [j.args for j in queue(redis_client, ANSWERS).get_jobs()] == [(lost.id, lost_entry)]
    assert sweep_unanswered(now=now + 180) == 0  # queued already

    SimpleWorker([ANSWERS], connection=redis_client).work(burst=True)
    assert [e.role for e in store.entries(lost.id) if e.type == "message"] == ["customer", "ai"]
    assert sweep_unanswered(now=now + 240) == 0
    assert queue(redis_client, ANSWERS).count == 0
