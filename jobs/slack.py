"""The Slack mirror job: bring one conversation's Slack thread up to date.

Enqueued by ``jobs.queues.enqueue_mirror`` (one pending job per conversation; this job clears the
pending flag first) with retries; a Slack outage raises so RQ retries with back-off, and the cursor
kept by ``bot.mirror`` means a retry posts only what is still missing.

Rate limits: the WebClient waits out a short ``Retry-After`` itself (``bot.app.web_client``); a
longer one comes here as ``SlackRateLimited``. Slack limits the workspace, not one thread, so the
job records a pause (``RATE_LIMITED_KEY``, expiring with Retry-After), re-queues itself after the
delay, and every mirror job that starts during the pause is deferred to its end instead of calling.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from bot import messages, trouble
from bot.errors import SlackCallFailed, SlackRateLimited
from bot.home import publish as publish_home
from bot.mirror import CARD, CURSOR, escalated, fingerprint, mirror_conversation, render_card
from bot.webapi import call
from jobs import context, drafts
from jobs.queues import HOME_PENDING, SLACK, SLACK_RETRY, enqueue_home, enqueue_mirror, mirror_pending_key, queue

log = logging.getLogger(__name__)
_told_not_configured = False  # say it once per worker process, not once per message

RATE_LIMITED_KEY = "baton:slack:rate-limited"  # set while Slack asked us to wait (value: seconds)
SWEEP_WINDOW_SECONDS = 2 * 86400  # the sweep looks at conversations updated this recently
SWEEP_LIMIT = 2000  # … at most this many, most recent first


def mirror(conv_id: str) -> str:
    """Mirror ``conv_id`` into Slack; returns a short outcome for the job's result."""
    global _told_not_configured
    ctx = context.get()
    ctx.redis.delete(mirror_pending_key(conv_id))  # from here on, a new entry needs a new job
    if ctx.slack is None:
        if not _told_not_configured:
            log.warning(messages.NOT_CONFIGURED)
            _told_not_configured = True
        return "skipped: Slack is not configured"
    paused_ms = ctx.redis.pttl(RATE_LIMITED_KEY)
    if paused_ms and paused_ms > 0:
        return _again_in(ctx, conv_id, paused_ms / 1000)
    try:
        result = mirror_conversation(ctx.store, ctx.slack, conv_id, ctx.settings)
    except SlackRateLimited as err:
        ctx.redis.set(RATE_LIMITED_KEY, f"{err.retry_after:g}", px=max(int(err.retry_after * 1000), 1))
        log.warning("Slack asked Baton to slow down: mirroring pauses for %gs", err.retry_after, extra={"conversation": conv_id})
        return _again_in(ctx, conv_id, err.retry_after)
    log.info("mirrored to Slack: %s", result, extra={"conversation": conv_id})
    if not result.skipped:
        drafts.after_mirror(ctx, conv_id)
    if result.card:  # the card changed (state, assignee, priority …): so does the queue in App Home
        enqueue_home(ctx.redis)
    return str(result)


def home() -> str:
    """Republish App Home for everyone who opened it this week (queued by ``enqueue_home``)."""
    ctx = context.get()
    ctx.redis.delete(HOME_PENDING)  # a change from here on queues a fresh publish
    if ctx.slack is None:
        return "skipped: Slack is not configured"
    published = publish_home(ctx.store, ctx.slack)
    return f"published to {published}"


def paused(ctx) -> float:
    """Seconds left of a pause Slack asked for (0 when none)."""
    ms = ctx.redis.pttl(RATE_LIMITED_KEY)
    return ms / 1000 if ms and ms > 0 else 0.0


def defer(ctx, err: SlackRateLimited | None, queue_name: str, func: str, *args, seconds: float = 0.0) -> str:
    """Honour Retry-After for any Slack job: record the pause (when ``err`` is the 429) and run
    ``func(*args)`` again after it, instead of letting RQ's fixed retry intervals call into the limit."""
    if err is not None:
        seconds = err.retry_after
        ctx.redis.set(RATE_LIMITED_KEY, f"{seconds:g}", px=max(int(seconds * 1000), 1))
    delay = max(seconds, 0.001)
    queue(ctx.redis, queue_name).enqueue_in(timedelta(seconds=delay), func, *args, retry=SLACK_RETRY, job_timeout=300, failure_ttl=7 * 86400)
    return f"rate limited: again in {delay:g}s"


def _again_in(ctx, conv_id: str, seconds: float) -> str:
    """Re-queue this conversation's mirror after ``seconds``; the pending flag stays set until the
    job runs, so entries appended meanwhile ride along instead of queueing jobs that would call Slack."""
    delay = max(seconds, 0.001)
    ctx.redis.set(mirror_pending_key(conv_id), "1", px=int((delay + 3600) * 1000))
    queue(ctx.redis, SLACK).enqueue_in(timedelta(seconds=delay), "jobs.slack.mirror", conv_id, retry=SLACK_RETRY, job_timeout=120, failure_ttl=7 * 86400)
    return f"rate limited: again in {delay:g}s"


def sweep() -> int:
    """Queue a mirror for every conversation whose Slack thread is behind its log; returns how many.

    Run by the cron process every minute. It is what makes Slack trouble lose nothing: a run that
    stopped on a channel the bot was not in, an archived channel or a revoked token left its cursor
    behind the log, and once Slack takes posts again the next sweep brings the thread up to date,
    without waiting for the shopper to write. With a token Slack refuses, one ``auth.test`` tells
    and the sweep waits for the fix instead of failing once per conversation.
    """
    ctx = context.get()
    if ctx.slack is None or ctx.redis.exists(RATE_LIMITED_KEY):
        return 0
    if trouble.TOKEN in trouble.failing(ctx.redis):
        try:
            call(ctx.slack, "auth_test")
        except SlackCallFailed as err:
            if err.error in trouble.TOKEN_ERRORS:
                trouble.report(ctx.redis, err, "")
            return 0
    store = ctx.store
    behind = 0
    for conv in store.recent(limit=SWEEP_LIMIT, since=time.time() - SWEEP_WINDOW_SECONDS):
        if not escalated(store, conv, ctx.settings):
            continue
        stale = not conv.slack_ts or store.cursor(conv.id, CARD) != fingerprint(render_card(store, conv, ctx.settings))
        if stale or store.entries(conv.id, after=store.cursor(conv.id, CURSOR), count=1):
            if enqueue_mirror(ctx.redis, conv.id) is not None:
                behind += 1
    if behind:
        log.info("Slack sweep: %d conversation(s) behind their log, mirroring queued", behind)
    return behind
