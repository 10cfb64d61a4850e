"""The follow-up e-mail, as the worker runs it: a team reply nobody saw reaches the shopper's inbox once."""

from __future__ import annotations

import re
import time

import pytest
from rq import SimpleWorker

from conversations import ConversationStore
from jobs.queues import EMAIL, enqueue_followup, queue

SHOP = "https://shop.example/fonts/tapewarm"


@pytest.fixture
def store(redis_client, redis_url, smtp_server, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("BATON_SMTP_URL", smtp_server.url)
    monkeypatch.setenv("BATON_EMAIL_FROM", "help@pixelandpress.example")
    monkeypatch.setenv("BATON_PUBLIC_URL", "https://baton.example")
    return ConversationStore(redis_client)


def team_reply(store, conv_id, text="Hi Ana, I've re-sent your license key: check your inbox.", n=1):
    entry_id, _ = store.append(conv_id, role="agent", text=text, author={"name": "Maya"}, client_id=f"slack:C1:{n}")
    return entry_id


def run_followup(store, conv_id, delay=0.2):
    """Schedule the delayed job and let a worker with its scheduler run it once it is due."""
    job = enqueue_followup(store.r, conv_id, delay)
    time.sleep(delay + 0.1)
    SimpleWorker([queue(store.r, EMAIL)], connection=store.r).work(burst=True, with_scheduler=True)
    return job


def test_an_unseen_team_reply_is_emailed_once_with_a_resume_link(store, smtp_server, client):
    """No widget open: the reply goes out in the shopper's language with a one-time link back; a second run sends nothing."""
    conv, token = store.create({"name": "Ana", "email": "ana@example.com"}, page_url=SHOP + "#reviews", locale="de")
    team_reply(store, conv.id)
    job = run_followup(store, conv.id)
    assert job.return_value() == "sent"
    [msg] = smtp_server.wait_for(1)
    assert msg["To"] == "ana@example.com"
    assert msg["Subject"] == f"Pixel & Press hat auf deine Nachricht geantwortet (#{conv.number})"
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Maya:\nHi Ana, I've re-sent your license key: check your inbox." in text
    assert token not in msg.as_string()
    [link] = re.findall(r"https://\S+", text)
    code = link.removeprefix(SHOP + "#baton-resume=")
    assert link.startswith(SHOP + "#baton-resume=") and code
    resumed = client.post("/api/v1/resume", json={"code": code})
    assert resumed.status_code == 200 and resumed.get_json()["id"] == conv.id
    again = run_followup(store, conv.id)
    assert again.return_value() == "seen"
    assert len(smtp_server.messages) == 1
    notes = [e for e in store.entries(conv.id) if e.type == "note"]
    assert [n.text for n in notes] == ["The team's reply was e-mailed to the shopper."]


def test_replies_that_arrive_while_the_job_waits_go_out_in_one_email(store, smtp_server):
    """Two replies in a row: one pending job, one e-mail with both."""
    conv, _ = store.create({"email": "ana@example.com"})
    team_reply(store, conv.id, "First part of the answer.", 1)
    assert enqueue_followup(store.r, conv.id, 0.2) is not None
    team_reply(store, conv.id, "And the second part.", 2)
    assert enqueue_followup(store.r, conv.id, 0.2) is None
    time.sleep(0.3)
    SimpleWorker([queue(store.r, EMAIL)], connection=store.r).work(burst=True, with_scheduler=True)
    [msg] = smtp_server.wait_for(1)
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "First part of the answer." in text and "And the second part." in text
    assert "https://baton.example/#baton-resume=" in text  # no page URL: Baton's public URL


def test_a_reply_the_live_stream_delivered_is_not_emailed(store, smtp_server, live_server):
    """The shopper's widget received the reply on its stream: no e-mail."""
    import requests

    from tests.sse import parse_sse

    conv, token = store.create({"email": "ana@example.com"})
    reply_id = team_reply(store, conv.id)
    with requests.get(f"{live_server}/api/v1/conversations/{conv.id}/events", headers={"Authorization": f"Bearer {token}"}, stream=True, timeout=10) as resp:
        for event in parse_sse(resp.iter_lines(decode_unicode=True)):
            if event.get("id") == reply_id:
                break
    job = run_followup(store, conv.id)
    assert job.return_value() == "seen"
    assert smtp_server.messages == []


def test_no_email_while_a_widget_stream_is_open(store, smtp_server):
    """A widget with its stream open shows the reply live: the job sends nothing."""
    conv, _ = store.create({"email": "ana@example.com"})
    store.watch(conv.id, "stream-1", lease=30)
    team_reply(store, conv.id)
    assert run_followup(store, conv.id).return_value() == "watching"
    assert smtp_server.messages == []


def test_no_email_without_an_address(store, smtp_server):
    """A shopper who left no e-mail address gets none."""
    conv, _ = store.create({"name": "Ana"})
    team_reply(store, conv.id)
    assert run_followup(store, conv.id).return_value() == "no_email"
    assert smtp_server.messages == []


def test_a_reply_deleted_before_the_email_is_not_sent(store, smtp_server):
    """A reply the team withdrew in Slack in the meantime is not e-mailed."""
    conv, _ = store.create({"email": "ana@example.com"})
    reply_id = team_reply(store, conv.id)
    store.append(conv.id, role="agent", type="delete", target=reply_id, text="")
    assert run_followup(store, conv.id).return_value() == "seen"
    assert smtp_server.messages == []
