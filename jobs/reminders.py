"""Nothing waits unseen: reminders in the thread of a conversation left ``waiting`` too long.

``remind()`` runs every minute from the cron process (and once with ``flask --app webhook inbox
remind``). A conversation waiting longer than ``BATON_REMIND_AFTER`` (default 10m) gets a reminder in
its Slack thread that mentions its assignee, else ``SLACK_ONDUTY_GROUP``; after ``BATON_REMIND_AGAIN``
(default 30m) a second one; never a third. Reminders go out only inside the business hours of the
rules file's ``[store]`` section (a shop closed for the night is not pinged; the first pass after
opening catches up with one reminder, the later level). Each reminder is recorded per waiting
period (``baton:{<id>}:reminders``) before it is posted, so a re-run or two cron processes post it
once; a failed post is un-recorded so the next pass tries again.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from bot.errors import SlackCallFailed, SlackRateLimited, SlackUnavailable
from bot.reminders import post_reminder
from conversations import State
from jobs import context
from jobs.queues import enqueue_home

log = logging.getLogger(__name__)

SCAN_LIMIT = 1000  # waiting conversations looked at per pass


def _key(conv_id: str) -> str:
    return f"baton:{{{conv_id}}}:reminders"


def due_level(waited: float, settings) -> int:
    """0 (none yet), 1 (first reminder) or 2 (the second) for a conversation waiting ``waited`` seconds."""
    if waited >= settings.remind_again:
        return 2
    if waited >= settings.remind_after:
        return 1
    return 0


def remind(now: float | None = None, settings=None) -> int:
    """Post the reminders that are due at ``now`` (default: the current time); returns how many were posted."""
    ctx = context.get(settings)
    now = time.time() if now is None else now
    hours = ctx.hours
    if hours is not None and not hours.is_open(datetime.fromtimestamp(now, UTC)):
        return 0
    if ctx.slack is None:
        return 0
    settings, store = ctx.settings, ctx.store
    posted = 0
    waiting = store.recent([State.WAITING], limit=SCAN_LIMIT)
    if waiting:
        enqueue_home(store.r)  # App Home shows how long each has waited: refresh it every minute
    for conv in waiting:
        if not conv.slack_ts or not conv.waiting_since:
            continue  # no thread yet: the mirror's card is the first notice
        level = due_level(now - conv.waiting_since, settings)
        if not level:
            continue
        period = f"{conv.waiting_since:.3f}"
        marks = [f"{period}:{n}" for n in range(1, level + 1)]
        # Claim the level atomically: whoever sets it first posts; lower levels due at once are skipped.
        if not store.r.hsetnx(_key(conv.id), marks[-1], int(now)):
            continue
        for lower in marks[:-1]:
            store.r.hsetnx(_key(conv.id), lower, int(now))
        store.r.expire(_key(conv.id), 30 * 86400)
        try:
            post_reminder(ctx.slack, conv, level=level, waited=now - conv.waiting_since, onduty_group=settings.slack_onduty_group)
        except (SlackRateLimited, SlackUnavailable, SlackCallFailed) as err:
            store.r.hdel(_key(conv.id), marks[-1])
            log.warning("could not post a reminder: %s", err, extra={"conversation": conv.id})
            continue
        posted += 1
    if posted:
        log.info("posted %d reminder(s) for conversations left waiting", posted)
    return posted
