"""Queue names and the enqueue helpers that the web process, the bot and jobs share."""

from __future__ import annotations

import redis
from rq import Queue, Retry

ANSWERS = "answers"
SLACK = "slack"
DIGESTS = "digests"
INGEST = "ingest"
ALL = (ANSWERS, SLACK, DIGESTS, INGEST)  # the worker listens in this order of priority

# Retries with back-off (seconds) for work that talks to flaky services.
SLACK_RETRY = Retry(max=5, interval=[1, 5, 15, 60, 300])
ANSWER_RETRY = Retry(max=2, interval=[2, 10])


def queue(connection: redis.Redis, name: str) -> Queue:
    if name not in ALL:
        raise ValueError(f"unknown queue {name!r}; expected one of {', '.join(ALL)}")
    return Queue(name, connection=connection)


def enqueue_answer(connection: redis.Redis, conv_id: str, entry_id: str):
    """Ask the worker for the AI's turn on ``entry_id`` (a customer message)."""
    return queue(connection, ANSWERS).enqueue(
        "jobs.answers.respond", conv_id, entry_id, retry=ANSWER_RETRY, job_timeout=120, failure_ttl=7 * 86400
    )


def enqueue_mirror(connection: redis.Redis, conv_id: str):
    """Ask the worker to bring the conversation's Slack thread up to date.

    One pending mirror job per conversation is enough (the job posts everything after its
    cursor), so a fixed job id de-duplicates bursts of entries.
    """
    q = queue(connection, SLACK)
    job_id = f"mirror-{conv_id}"
    existing = q.fetch_job(job_id)
    if existing is not None and existing.get_status(refresh=True) in ("queued", "deferred", "scheduled"):
        return existing
    if existing is not None:
        existing.delete()
    return q.enqueue("jobs.slack.mirror", conv_id, job_id=job_id, retry=SLACK_RETRY, job_timeout=120, failure_ttl=7 * 86400)
