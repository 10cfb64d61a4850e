"""Files a team member shares in a conversation's thread reach the shopper (downloaded with the bot
token, kept under the data folder, served behind the conversation's token); files outside the type
or size limits get a note in the thread saying why; a file with text sends both."""

from __future__ import annotations

import dataclasses

import pytest
from rq import SimpleWorker

from bot.mirror import mirror_conversation
from conversations import Event
from jobs import queues
from tests.bot.conftest import ALICE, REFUND_ESCALATION, SIGNING_SECRET
from tests.fakes.slack_api import FILE_DOWNLOAD
from webhook import create_app

PDF = b"%PDF-1.4\n% a receipt\n" + b"0" * 2000 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 500


@pytest.fixture
def worker_env(monkeypatch, redis_url, slack, tmp_path, settings):
    """The worker's environment (jobs.context reads it), with a 1 MB limit and a private data folder."""
    for var, value in {"REDIS_URL": redis_url, "SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                       "SLACK_API_URL": slack.url, "SLACK_INBOX_CHANNEL": settings.slack_inbox_channel,
                       "BATON_DATA_DIR": str(tmp_path / "data"), "BATON_FILE_MAX_MB": "1"}.items():
        monkeypatch.setenv(var, value)
    return tmp_path / "data"


@pytest.fixture
def widget(settings, worker_env, store):
    """The web app (widget API) over the same Redis and data folder, and a conversation's token."""
    app = create_app(dataclasses.replace(settings, data_dir=str(worker_env)))
    return app.test_client()


def run_worker(redis_client) -> None:
    SimpleWorker([queues.queue(redis_client, queues.SLACK)], connection=redis_client).work(burst=True, with_scheduler=False)


def share(bot, events, thread, files, text=""):
    bot.send(events.event(events.file_share(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, files=files, text=text)))


def shopper_view(widget, conv_id, token):
    return widget.get(f"/api/v1/conversations/{conv_id}", headers={"Authorization": f"Bearer {token}"}).get_json()["entries"]


def notes(slack, thread) -> list[str]:
    return [p["text"] for p in slack.posts(thread_ts=thread.slack_ts) if "did not reach the shopper" in p.get("text", "")]


@pytest.fixture
def chat(store, web, settings, redis_client):
    """An escalated conversation in its Slack thread, with the shopper's token."""
    conv, token = store.create({"name": "Jane Doe", "email": "jane@example.com"}, "https://shop.example/fonts")
    store.append(conv.id, role="customer", text="Can I get an invoice for my order?", client_id="w1")
    store.update(conv.id, escalation=REFUND_ESCALATION)
    store.transition(conv.id, Event.ESCALATE, meta={"escalation": REFUND_ESCALATION})
    mirror_conversation(store, web, conv.id, settings)
    return store.get(conv.id), token


def test_a_pdf_with_text_reaches_the_shopper_as_both_and_only_their_token_reads_it(worker_env, widget, bot, events, slack, chat, redis_client):
    """Alice shares invoice.pdf with "Here you go": the shopper sees her text, then the file from her;
    the file downloads with their token, read by Baton with the bot token; no token, another
    conversation's token or an unknown file id get JSON errors."""
    conv, token = chat
    pdf = slack.add_file("invoice.pdf", PDF, "application/pdf", user=ALICE)

    share(bot, events, conv, [pdf], text="Here you go, Jane!")
    run_worker(redis_client)

    entries = [e for e in shopper_view(widget, conv.id, token) if e["role"] == "agent"]
    assert [(e["text"], e["author"]["name"]) for e in entries] == [("Here you go, Jane!", "Alice"), ("invoice.pdf", "Alice")]
    assert entries[1]["file"] == {"id": pdf["id"], "name": "invoice.pdf", "mimetype": "application/pdf", "size": len(PDF)}
    assert [c.authorization for c in slack.calls(FILE_DOWNLOAD)] == [f"Bearer {slack.token}"]

    url = f"/api/v1/conversations/{conv.id}/files/{pdf['id']}"
    got = widget.get(url, headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 200 and got.data == PDF
    assert got.mimetype == "application/pdf" and got.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in got.headers["Content-Disposition"] and "invoice.pdf" in got.headers["Content-Disposition"]
    got.close()
    assert (worker_env / "files" / conv.id / pdf["id"]).read_bytes() == PDF

    assert widget.get(url).status_code == 401
    other = widget.post("/api/v1/conversations", json={"customer": {"name": "Eve"}}).get_json()
    assert widget.get(url, headers={"Authorization": f"Bearer {other['token']}"}).status_code == 404
    assert widget.get(f"/api/v1/conversations/{other['id']}/files/{pdf['id']}", headers={"Authorization": f"Bearer {other['token']}"}).status_code == 404
    missing = widget.get(f"/api/v1/conversations/{conv.id}/files/F000000000", headers={"Authorization": f"Bearer {token}"})
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert notes(slack, conv) == []


def test_an_image_alone_reaches_the_shopper_and_is_served_inline(worker_env, widget, bot, events, slack, chat, redis_client, store):
    """A screenshot without text: the shopper gets it (shown, not downloaded) and Alice holds the conversation."""
    conv, token = chat
    png = slack.add_file("screenshot.png", PNG, "image/png", user=ALICE)

    share(bot, events, conv, [png])
    run_worker(redis_client)

    file_entries = [e for e in shopper_view(widget, conv.id, token) if e.get("file")]
    assert [e["file"]["name"] for e in file_entries] == ["screenshot.png"]
    got = widget.get(f"/api/v1/conversations/{conv.id}/files/{png['id']}", headers={"Authorization": f"Bearer {token}"})
    assert got.data == PNG and "attachment" not in got.headers.get("Content-Disposition", "")
    got.close()
    assert store.get(conv.id).assignee == ALICE


@pytest.mark.parametrize("name, content, mimetype, size, why", [
    ("setup.exe", b"MZ" + b"\x00" * 100, "application/x-msdownload", None, "application/x-msdownload files are not sent"),
    ("video.mov", b"\x00" * 100, "video/quicktime", None, "video/quicktime files are not sent"),
    ("scan.pdf", b"%PDF" + b"0" * 2 * 1024 * 1024, "application/pdf", None, "it is 2.0 MB, and files up to 1.0 MB are sent"),
])
def test_a_file_outside_the_limits_gets_a_note_in_the_thread_and_is_never_downloaded(worker_env, widget, bot, events, slack, chat, redis_client,
                                                                                       name, content, mimetype, size, why):
    """The wrong type or too large: the thread says why (naming the setting), the shopper gets nothing, Slack is not asked for the bytes."""
    conv, token = chat
    file = slack.add_file(name, content, mimetype, user=ALICE, size=size)

    share(bot, events, conv, [file])
    run_worker(redis_client)

    [note] = notes(slack, conv)
    assert name in note and why in note
    assert "BATON_FILE_" in note
    assert not [e for e in shopper_view(widget, conv.id, token) if e.get("file")]
    assert slack.calls(FILE_DOWNLOAD) == []


def test_a_file_larger_than_it_claims_is_stopped_at_the_limit(worker_env, widget, bot, events, slack, chat, redis_client):
    """A file object that declares 1 KB but holds 3 MB is cut off while downloading and refused with a note."""
    conv, token = chat
    file = slack.add_file("big.zip", b"PK" + b"\x00" * 3 * 1024 * 1024, "application/zip", user=ALICE, size=1024)

    share(bot, events, conv, [file])
    run_worker(redis_client)

    [note] = notes(slack, conv)
    assert "big.zip" in note and "over 1.0 MB" in note
    assert not [e for e in shopper_view(widget, conv.id, token) if e.get("file")]
    assert not (worker_env / "files" / conv.id / file["id"]).exists()


def test_one_good_and_one_refused_file_send_the_good_one_and_note_the_other_once(worker_env, widget, bot, events, slack, chat, redis_client):
    """Two files in one message, the job run twice (a retry): one file entry, one note."""
    conv, token = chat
    good = slack.add_file("invoice.pdf", PDF, "application/pdf", user=ALICE)
    bad = slack.add_file("tool.exe", b"MZ", "application/x-msdownload", user=ALICE)

    share(bot, events, conv, [good, bad], text="Two files for you")
    queues.enqueue_files(redis_client, *bot.files[-1])  # the same job again, as RQ's retry would run it
    run_worker(redis_client)

    assert [e["file"]["name"] for e in shopper_view(widget, conv.id, token) if e.get("file")] == ["invoice.pdf"]
    assert len(notes(slack, conv)) == 1 and "tool.exe" in notes(slack, conv)[0]


def test_a_file_shared_in_a_note_stays_internal(worker_env, widget, bot, events, slack, chat, redis_client):
    """"note: the customer's receipt" with a file: the note is logged, the file is not sent or downloaded."""
    conv, token = chat
    pdf = slack.add_file("receipt.pdf", PDF, "application/pdf", user=ALICE)

    share(bot, events, conv, [pdf], text="note: the customer's receipt")
    run_worker(redis_client)

    assert not [e for e in shopper_view(widget, conv.id, token) if e["role"] == "agent"]
    assert slack.calls(FILE_DOWNLOAD) == []
