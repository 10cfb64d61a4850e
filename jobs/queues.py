"""Queue names and the enqueue helpers that the web process, the bot and jobs share."""

from __future__ import annotations

from datetime import timedelta

import redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

ANSWERS = "answers"
SLACK = "slack"
DIGESTS = "digests"
INGEST = "ingest"
EMAIL = "email"
ALL = (ANSWERS, SLACK, DIGESTS, INGEST, EMAIL)  # the worker listens in this order of priority

# Retries with back-off (seconds) for work that talks to flaky services.
SLACK_RETRY = Retry(max=5, interval=[1, 5, 15, 60, 300])
ANSWER_RETRY = Retry(max=2, interval=[2, 10])
EMAIL_RETRY = Retry(max=3, interval=[60, 300, 900])
MIRROR_PENDING_TTL = 3600  # seconds; a lost pending flag (worker wiped) expires and mirroring resumes


def queue(connection: redis.Redis, name: str) -> Queue:
    if name not in ALL:
        raise ValueError(f"unknown queue {name!r}; expected one of {', '.join(ALL)}")
    return Queue(name, connection=connection)


ANSWER_RESULT_TTL = 3600  # seconds a finished answer job is remembered (ensure_answer reads it)
PENDING = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.FINISHED)


def answer_job_id(conv_id: str, entry_id: str) -> str:
    """One job id per customer message, so "is its answer queued, running or done?" can be asked."""
    return f"answer-{conv_id}-{entry_id}"


def enqueue_answer(connection: redis.Redis, conv_id: str, entry_id: str):
    """Ask the worker for the AI's turn on ``entry_id`` (a customer message)."""
    return queue(connection, ANSWERS).enqueue(
        "jobs.answers.respond", conv_id, entry_id, retry=ANSWER_RETRY, job_timeout=120, failure_ttl=7 * 86400,
        result_ttl=ANSWER_RESULT_TTL, job_id=answer_job_id(conv_id, entry_id),
    )


def ensure_answer(connection: redis.Redis, conv_id: str, entry_id: str):
    """``enqueue_answer`` unless a job for this message is queued, running, scheduled or finished.

    For a message that is stored but may never have been queued (the web process died, or Redis
    failed, between the append and the enqueue): the shopper's retry and the cron sweep call this.
    Returns the new job, or None.
    """
    try:
        job = Job.fetch(answer_job_id(conv_id, entry_id), connection=connection)
    except NoSuchJobError:
        job = None
    if job is not None and job.get_status(refresh=False) in PENDING:
        return None
    return enqueue_answer(connection, conv_id, entry_id)


def enqueue_draft(connection: redis.Redis, conv_id: str, escalation_id: str):
    """Ask the worker for a suggested reply to the escalation ``escalation_id`` (jobs.drafts.suggest)."""
    return queue(connection, ANSWERS).enqueue(
        "jobs.drafts.suggest", conv_id, escalation_id, retry=ANSWER_RETRY, job_timeout=120, failure_ttl=7 * 86400
    )


def enqueue_files(connection: redis.Redis, conv_id: str, channel: str, ts: str, user: str, files: list[dict]):
    """Ask the worker to send the files of a team member's thread message to the shopper (jobs.files.fetch)."""
    return queue(connection, SLACK).enqueue(
        "jobs.files.fetch", conv_id, channel, ts, user, files, retry=SLACK_RETRY, job_timeout=300, failure_ttl=7 * 86400
    )


def mirror_pending_key(conv_id: str) -> str:
    return f"baton:{{{conv_id}}}:mirror-pending"


def enqueue_mirror(connection: redis.Redis, conv_id: str):
    """Ask the worker to bring the conversation's Slack thread up to date.

    One *pending* mirror job per conversation is enough, since the job posts everything after its
    cursor: a flag set only when absent de-duplicates bursts of entries, and the job clears it as
    its first step, so an entry appended while a mirror is already running gets a fresh job.
    Returns the new job, or None when one is already pending.
    """
    if not connection.set(mirror_pending_key(conv_id), "1", nx=True, ex=MIRROR_PENDING_TTL):
        return None
    return queue(connection, SLACK).enqueue("jobs.slack.mirror", conv_id, retry=SLACK_RETRY, job_timeout=120, failure_ttl=7 * 86400)


HOME_PENDING = "baton:slack:home-pending"


def enqueue_home(connection: redis.Redis):
    """Ask the worker to republish App Home (the queue) for this week's viewers. Debounced like the
    mirror: one pending job at a time, cleared as the job starts, so a burst of changes publishes once
    or twice, never once per change. Returns the job, or None when one is already pending."""
    if not connection.set(HOME_PENDING, "1", nx=True, ex=MIRROR_PENDING_TTL):
        return None
    return queue(connection, SLACK).enqueue("jobs.slack.home", retry=SLACK_RETRY, job_timeout=120, failure_ttl=86400)


def enqueue_add_doc(connection: redis.Redis, draft_id: str, user: str, channel: str, thread_ts: str):
    """Ask the worker to save a digest draft in the docs folder and re-index ("Add to docs")."""
    return queue(connection, DIGESTS).enqueue(
        "jobs.digest.add_doc", draft_id, user, channel, thread_ts, retry=SLACK_RETRY, job_timeout=300, failure_ttl=7 * 86400
    )


def followup_pending_key(conv_id: str) -> str:
    return f"baton:{{{conv_id}}}:email-pending"


def enqueue_followup(connection: redis.Redis, conv_id: str, after: float):
    """E-mail the team's reply to the shopper in ``after`` seconds, unless they see it first.

    A delayed job (the worker runs ``--with-scheduler``) that re-checks before sending; one pending
    per conversation, like the mirror: replies that arrive meanwhile go out in the same e-mail.
    Returns the job, or None when one is already pending.
    """
    if not connection.set(followup_pending_key(conv_id), "1", nx=True, ex=int(after) + MIRROR_PENDING_TTL):
        return None
    return queue(connection, EMAIL).enqueue_in(
        timedelta(seconds=after), "jobs.followup.email_reply", conv_id, retry=EMAIL_RETRY, job_timeout=60, failure_ttl=7 * 86400
    )
