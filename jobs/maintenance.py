"""Housekeeping jobs run by the cron process."""

from __future__ import annotations

import logging
import time

from conversations import Event, InvalidTransition, notices
from jobs import context
from jobs.queues import enqueue_mirror

log = logging.getLogger(__name__)

IDLE_SECONDS = 24 * 3600  # a conversation untouched this long is closed


def close_idle(idle_seconds: int = IDLE_SECONDS) -> int:
    """Close conversations idle for ``idle_seconds``; returns how many were closed."""
    ctx = context.get()
    cutoff = time.time() - idle_seconds
    closed = 0
    for conv_id in ctx.store.idle(before=cutoff):
        conv = ctx.store.get(conv_id)
        try:
            ctx.store.transition(conv.id, Event.CLOSE, actor="", text=notices.line(notices.IDLE_CLOSE, conv.locale), meta={"reason": "idle"})
        except InvalidTransition:
            continue
        closed += 1
        if conv.slack_ts:
            enqueue_mirror(ctx.redis, conv.id)
    log.info("closed idle conversations", extra={"closed": closed})
    return closed
