"""The mirror as the worker runs it: jobs.slack.mirror on a real RQ queue, configured or not."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry
from rq.scheduler import RQScheduler

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


def slack_env(monkeypatch, redis_url, slack):
    for var, value in {"REDIS_URL": redis_url, "SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                       "SLACK_API_URL": slack.url, "SLACK_INBOX_CHANNEL": INBOX}.items():
        monkeypatch.setenv(var, value)


def test_long_retry_after_requeues_the_job_after_the_delay_and_pauses_every_thread(monkeypatch, redis_url, redis_client, store, slack):
    """Slack answers 429 with Retry-After 3: no call is repeated meanwhile, not even for another
    conversation; the job comes back after 3 s and posts the whole thread once."""
    slack_env(monkeypatch, redis_url, slack)
    first, second = escalated(store), escalated(store)
    slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=3)

    queues.enqueue_mirror(redis_client, first.id)
    before_429 = datetime.now(UTC)
    run_worker(redis_client)
    assert queues.enqueue_mirror(redis_client, first.id) is None  # new entries ride along with the re-queued job
    queues.enqueue_mirror(redis_client, second.id)
    run_worker(redis_client)

    assert len(slack.calls("chat.postMessage")) == 1  # the 429, and nothing after it
    scheduled = ScheduledJobRegistry(queue=queues.queue(redis_client, queues.SLACK))
    assert len(scheduled.get_job_ids()) == 2
    for job_id in scheduled.get_job_ids():
        # Both come back when the pause the 429 started ends, 3 s after that answer (rq keeps whole seconds,
        # so at least 2 s after the call; bounds that hold
        # however slowly this machine ran the two workers).
        at = scheduled.get_scheduled_time(job_id)
        assert (at - before_429).total_seconds() >= 1.99
        assert (at - datetime.now(UTC)).total_seconds() <= 3.1

    time.sleep(3.2)
    scheduler = RQScheduler([queues.SLACK], connection=redis_client)
    scheduler.acquire_locks()
    scheduler.enqueue_scheduled_jobs()  # what `rq worker --with-scheduler` does every second
    scheduler.release_locks()
    run_worker(redis_client)

    for conv in (first, second):
        conv = store.get(conv.id)
        assert conv.slack_ts
        assert len(slack.posts(thread_ts=conv.slack_ts)) == 4
    assert len([p for p in slack.posts() if "thread_ts" not in p]) == 2


def test_short_retry_after_is_waited_out_by_the_client(monkeypatch, redis_url, redis_client, store, slack):
    """A 429 with Retry-After 1 is retried in place by the SDK's handler: the job posts everything at once."""
    slack_env(monkeypatch, redis_url, slack)
    conv = escalated(store)
    slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=1, after=1)

    job = queues.enqueue_mirror(redis_client, conv.id)
    run_worker(redis_client)

    assert job.return_value() == "card posted, 4 posted"
    assert [c.ok for c in slack.calls("chat.postMessage")] == [True, False, True, True, True, True]


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
