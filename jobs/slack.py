"""The Slack mirror job: bring one conversation's Slack thread up to date.

Enqueued by ``jobs.queues.enqueue_mirror`` (one pending job per conversation; this job clears the pending flag first) with retries; a
rate limit or a Slack outage raises so RQ retries with back-off, and the cursor kept by
``bot.mirror`` means a retry posts only what is still missing.
"""

from __future__ import annotations

import logging

from bot import messages
from bot.mirror import mirror_conversation
from jobs import context
from jobs.queues import mirror_pending_key

log = logging.getLogger(__name__)
_told_not_configured = False  # say it once per worker process, not once per message


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
    result = mirror_conversation(ctx.store, ctx.slack, conv_id, ctx.settings)
    log.info("mirrored to Slack: %s", result, extra={"conversation": conv_id})
    return str(result)
