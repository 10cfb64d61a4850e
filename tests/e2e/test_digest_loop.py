"""The learning loop on real parts: a week of handoffs in a real Redis, the digest job posting to a local
Slack Web API server (message + the SDK's three-step chart upload), the signed "Add to docs" click, the
worker writing the doc and re-indexing a real LanceDB, and the AI then answering from that doc."""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path

import pytest
from rq import SimpleWorker

import config
from conversations import ConversationStore
from insights.digest import period_key
from jobs import context
from jobs import digest as job
from jobs.queues import ANSWERS, DIGESTS, INGEST, enqueue_answer, queue
from knowledge import KnowledgeBase
from tests.conftest import ROOT
from tests.fakes.slack_api import RESPONSE_URL, UPLOAD, FakeSlack
from tests.fakes.slack_events import SlackEvents
from tests.insights.conftest import END, WEEK
from tests.insights.stories import two_topics
from webhook import create_app

SECRET = "digest-signing-secret"
DIGEST = "C0DIGEST001"
MANAGER = "U0MANAGER01"
QUESTION = "I reached the download limit, how can I download my fonts again?"


@pytest.fixture
def slack():
    with FakeSlack(users={MANAGER: {"display_name": "Mia"}}) as fake:
        yield fake


@pytest.fixture
def settings(monkeypatch, redis_url, tmp_path, slack):
    """The environment of a deployed Baton: Slack on the fake, a small docs folder with no download doc."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("installing-fonts.md", "refund-policy.md", "license-keys-and-activation.md"):
        shutil.copy(ROOT / "demo" / "docs" / name, docs / name)
    env = {"REDIS_URL": redis_url, "SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.url,
           "SLACK_INBOX_CHANNEL": "C0INBOX0001", "SLACK_DIGEST_CHANNEL": DIGEST, "BATON_DOCS_DIR": str(docs),
           "BATON_DATA_DIR": str(tmp_path / "data")}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    settings = config.load(dotenv=False)
    KnowledgeBase(settings.index_dir).ingest(str(docs))
    return settings


def digest_posts(slack) -> list[dict]:
    return slack.posts(channel=DIGEST)


def button(post: dict) -> dict:
    return next(b["accessory"] for b in post["blocks"] if b.get("accessory", {}).get("action_id") == "digest_add_doc")


def work(r, *names):
    SimpleWorker([queue(r, n) for n in names], connection=r).work(burst=True)


def test_the_digest_reaches_slack_with_its_chart_once(settings, redis_client, slack):
    """The job posts the digest to the managers' channel, uploads the chart PNG through
    files.getUploadURLExternal → upload URL → files.completeUploadExternal, and a second run posts nothing."""
    two_topics(redis_client)
    assert job.send(end=END, period=WEEK) == "posted"
    assert job.send(end=END, period=WEEK) == "already_sent"

    posts = digest_posts(slack)
    assert len(posts) == 1
    text = str(posts[0]["blocks"])
    assert "Baton digest" in text and "What people were handed off about" in text and "Add to docs" in text
    assert posts[0]["text"].startswith("Baton digest: 12 conversations, 100% handed to a person")
    ask = slack.calls("files.getUploadURLExternal")
    assert len(ask) == 1 and ask[0].params["filename"].endswith(".png")
    assert [c.ok for c in slack.calls(UPLOAD)] == [True]
    done = slack.calls("files.completeUploadExternal")
    assert len(done) == 1 and done[0].params["channel_id"] == DIGEST
    upload = next(iter(slack.uploads.values()))
    assert upload["completed"] and upload["bytes"][:8] == b"\x89PNG\r\n\x1a\n" and upload["length"] == len(upload["bytes"])


def test_a_doubled_scheduled_run_posts_the_period_once(settings, redis_client, slack):
    """The cron poll at Monday 09:00 Berlin posts last week's digest; the same poll again (or a retry) does not."""
    two_topics(redis_client)
    assert job.scheduled(now=END + 120) == "posted"
    assert job.scheduled(now=END + 420) == "already_sent"
    assert job.scheduled(now=END + 13 * 3600) == "not_due"
    assert len(digest_posts(slack)) == 1


def test_a_failed_chart_upload_still_sends_the_text(settings, redis_client, slack):
    """The upload URL answers 500: the digest text is in the channel and the period counts as posted."""
    two_topics(redis_client)
    slack.fail(UPLOAD, "server_error", status=500)
    assert job.send(end=END, period=WEEK) == "posted"
    assert len(digest_posts(slack)) == 1
    assert not slack.calls("files.completeUploadExternal")
    assert job.send(end=END, period=WEEK) == "already_sent"


def test_a_channel_the_bot_is_not_in_gives_one_clear_log_line(settings, redis_client, slack, caplog):
    """Slack says not_in_channel: nothing is retried in a loop, and the log says what to do, once."""
    two_topics(redis_client)
    slack.fail("chat.postMessage", "not_in_channel")
    with caplog.at_level(logging.INFO):
        assert job.send(end=END, period=WEEK) == "not_in_channel"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "/invite @Baton" in errors[0].getMessage()
    assert not slack.calls("files.getUploadURLExternal")


def test_an_empty_week_is_a_short_quiet_digest(settings, slack):
    """No conversations: a short "quiet week" message, no chart."""
    assert job.send(end=END, period=WEEK) == "posted"
    post = digest_posts(slack)[0]
    assert "quiet week" in str(post["blocks"]).lower() and len(post["blocks"]) <= 3
    assert not slack.calls("files.getUploadURLExternal")


def test_add_to_docs_saves_the_draft_reindexes_and_the_ai_then_answers(settings, redis_client, slack):
    """A manager clicks "Add to docs" (a signed block action): the worker writes the Markdown file with
    front matter naming its conversations, re-indexes, answers in the digest's thread, and the download
    question that the docs could not answer before is answered from the new doc."""
    store = ConversationStore(redis_client)
    ids = two_topics(redis_client)

    before, _ = store.create({"name": "Ola"})
    entry_id, _ = store.append(before.id, role="customer", text=QUESTION)
    enqueue_answer(redis_client, before.id, entry_id)
    work(redis_client, ANSWERS)
    assert not any("Download limit" in s.get("title", "") for e in store.entries(before.id) if e.role == "ai" for s in e.sources)

    assert job.send(end=END, period=WEEK) == "posted"
    post = digest_posts(slack)[0]
    draft_id = button(post)["value"]

    app = create_app(settings)
    sent = json.loads(redis_client.get(job.SENT + period_key(END - WEEK, END)))
    click = SlackEvents(SECRET).block_action("digest_add_doc", draft_id, user=MANAGER, channel=DIGEST, message_ts=sent["ts"],
                                             response_url=slack.response_url("add"))
    response = app.test_client().post("/slack/events", data=click.body, headers=click.headers)
    assert response.status_code == 200
    ack = slack.wait_for(RESPONSE_URL)[0].params
    assert "Saving" in ack["text"] and ack["response_type"] == "ephemeral"
    deadline = time.monotonic() + 5
    while not queue(redis_client, DIGESTS).count and time.monotonic() < deadline:
        time.sleep(0.02)

    work(redis_client, DIGESTS, INGEST)
    saved = list(Path(settings.docs_dir).glob("download*.md"))
    assert len(saved) == 1
    text = saved[0].read_text()
    assert text.startswith("---\ntitle: \"Download limit reached\"") and "source: baton-digest" in text
    assert all(conv_id in text for conv_id in ids["download"])
    thread = [p for p in digest_posts(slack) if p.get("thread_ts")]
    assert len(thread) == 1 and thread[0]["thread_ts"] == sent["ts"]
    assert saved[0].name in thread[0]["text"] and "<@U0MANAGER01>" in thread[0]["text"]

    # The worker's index looks for a newer version at most once a second (knowledge/index.py): wait
    # until the answering process sees the new doc, as a shopper a moment later would.
    kb = context.get().kb
    deadline = time.monotonic() + 10
    while not any(h.title.startswith("Download limit reached") for h in kb.search(QUESTION, k=5)) and time.monotonic() < deadline:
        time.sleep(0.2)

    after, _ = store.create({"name": "Ola"})
    entry_id, _ = store.append(after.id, role="customer", text=QUESTION)
    enqueue_answer(redis_client, after.id, entry_id)
    work(redis_client, ANSWERS)
    answers = [e for e in store.entries(after.id) if e.role == "ai"]
    assert answers and any(s.get("title", "").startswith("Download limit reached") for s in answers[-1].sources), answers[-1].text


def test_the_digest_is_also_emailed_with_its_chart(settings, redis_client, slack, smtp_server, monkeypatch):
    """With BATON_SMTP_URL and BATON_DIGEST_EMAIL set, the same digest reaches a real SMTP server:
    the one-line summary as subject, the text digest as body, the chart as a PNG attachment."""
    monkeypatch.setenv("BATON_SMTP_URL", smtp_server.url)
    monkeypatch.setenv("BATON_EMAIL_FROM", "baton@shop.example")
    monkeypatch.setenv("BATON_DIGEST_EMAIL", "managers@shop.example")
    two_topics(redis_client)
    assert job.send(end=END, period=WEEK, settings=config.load(dotenv=False)) == "posted"
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "managers@shop.example"
    assert message["Subject"].startswith("Baton digest: 12 conversations")
    body = message.get_body(("plain",)).get_content()
    assert "Topics of handed-off conversations" in body and "Download limit reached" in body
    [chart] = [part for part in message.iter_attachments() if part.get_content_type() == "image/png"]
    assert chart.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(digest_posts(slack)) == 1
