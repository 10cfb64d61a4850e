"""The mirror as the worker runs it: jobs.slack.mirror on a real RQ queue, configured or not."""

from __future__ import annotations

import logging

from rq import SimpleWorker

import jobs.slack
from bot import messages
from jobs import queues
from tests.bot.conftest import INBOX, SIGNING_SECRET, escalated


def run_worker(redis_client) -> None:
    worker = SimpleWorker([queues.queue(redis_client, queues.SLACK)], connection=redis_client)
    worker.work(burst=True, with_scheduler=False)


def test_mirror_job_on_the_worker_posts_the_thread(monkeypatch, redis_url, redis_client, store, slack):
    """Enqueued like the web process does, run by a SimpleWorker: card and transcript reach Slack."""
    for var, value in {"REDIS_URL": redis_url, "SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                       "SLACK_API_URL": slack.url, "SLACK_INBOX_CHANNEL": INBOX}.items():
        monkeypatch.setenv(var, value)
    conv = escalated(store)

    job = queues.enqueue_mirror(redis_client, conv.id)
    run_worker(redis_client)

    assert job.get_status(refresh=True) == "finished"
    assert job.return_value() == "card posted, 4 posted"
    assert store.get(conv.id).slack_ts
    assert len(slack.posts(thread_ts=store.get(conv.id).slack_ts)) == 4


def test_mirror_job_without_slack_logs_how_to_configure_it_once(monkeypatch, redis_url, redis_client, store, caplog):
    """No SLACK_BOT_TOKEN: the job finishes, says once which variables to set, and posts nothing."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setattr(jobs.slack, "_told_not_configured", False)  # a fresh worker process
    conv = escalated(store)

    with caplog.at_level(logging.WARNING, logger="jobs"):
        first = jobs.slack.mirror(conv.id)
        second = jobs.slack.mirror(conv.id)

    assert first == second == "skipped: Slack is not configured"
    assert [r.getMessage() for r in caplog.records] == [messages.NOT_CONFIGURED]
    assert "SLACK_BOT_TOKEN" in caplog.text
    assert store.get(conv.id).slack_ts == ""


def test_rate_limited_mirror_job_fails_for_rq_to_retry(monkeypatch, redis_url, redis_client, store, slack):
    """Slack says 429: the job fails with SlackRateLimited and is scheduled for a retry, not dropped."""
    for var, value in {"REDIS_URL": redis_url, "SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                       "SLACK_API_URL": slack.url, "SLACK_INBOX_CHANNEL": INBOX}.items():
        monkeypatch.setenv(var, value)
    conv = escalated(store)
    slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=1)

    job = queues.enqueue_mirror(redis_client, conv.id)
    run_worker(redis_client)

    job.refresh()
    assert job.get_status() in ("scheduled", "queued")
    assert job.retries_left == queues.SLACK_RETRY.max - 1
    assert store.get(conv.id).slack_ts == ""



def test_a_burst_of_entries_queues_one_mirror_and_a_running_mirror_lets_a_new_one_queue(monkeypatch, redis_url, redis_client, store):
    """Five appends in a row queue one mirror job; once that job has started, the next entry queues another."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    conv = escalated(store)
    jobs_queued = [queues.enqueue_mirror(redis_client, conv.id) for _ in range(5)]
    assert sum(j is not None for j in jobs_queued) == 1
    assert queues.queue(redis_client, queues.SLACK).count == 1
    jobs.slack.mirror(conv.id)  # the job's first step clears the pending flag (Slack is not configured here)
    assert queues.enqueue_mirror(redis_client, conv.id) is not None
    assert queues.queue(redis_client, queues.SLACK).count == 2
