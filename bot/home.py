"""App Home, the queue: built from the store, published to everyone who looked at it this week.

``publish(store, client, users=...)`` renders one view and calls views.publish for each member in
``baton:slack:home_viewers`` (a sorted set: user id by when they last opened App Home) seen in the
last ``VIEWERS_SECONDS``. The worker runs it after every change the card shows (jobs.slack.home,
queued and de-duplicated like the mirror), and the listener runs it for one member when they open it.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import redis
from slack_sdk import WebClient

from bot import blocks, links
from bot.errors import SlackCallFailed, SlackRateLimited
from bot.webapi import call
from conversations import ConversationStore, State

log = logging.getLogger(__name__)

VIEWERS = "baton:slack:home_viewers"
VIEWERS_SECONDS = 7 * 86400  # members who opened App Home in the last week get it republished
SCAN_LIMIT = 2000  # conversations looked at for today's counts


def remember_viewer(r: redis.Redis, user: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    pipe = r.pipeline()
    pipe.zadd(VIEWERS, {user: now})
    pipe.zremrangebyscore(VIEWERS, "-inf", now - VIEWERS_SECONDS)
    pipe.execute()


def viewers(r: redis.Redis, now: float | None = None) -> list[str]:
    now = time.time() if now is None else now
    return [u.decode() for u in r.zrangebyscore(VIEWERS, now - VIEWERS_SECONDS, "+inf")]


def start_of_day(now: float, tz=None) -> float:
    """Midnight of ``now``'s day in ``tz`` (the store's timezone; UTC when None)."""
    local = datetime.fromtimestamp(now, tz or UTC)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def today(store: ConversationStore, now: float, tz=None) -> blocks.Today:
    """New, handed to the team and resolved by the AI alone since midnight, and how many wait now.

    "Resolved by the AI": started today and never handed to the team."""
    midnight = start_of_day(now, tz)
    counts = blocks.Today()
    for conv in store.recent(limit=SCAN_LIMIT, since=midnight):
        if conv.created_at >= midnight:
            counts.new += 1
            if not conv.escalation and not conv.waiting_since and conv.state in (State.AI, State.CLOSED):
                counts.resolved_by_ai += 1
        if conv.waiting_since >= midnight:
            counts.handed_off += 1
    counts.waiting_now = len(store.recent([State.WAITING], limit=SCAN_LIMIT))
    return counts


def view(store: ConversationStore, now: float, tz=None) -> dict:
    waiting = store.recent([State.WAITING], limit=SCAN_LIMIT)
    waiting.sort(key=lambda c: c.waiting_since or c.updated_at)  # oldest first
    held = store.recent([State.HUMAN], limit=blocks.HOME_ROWS_MAX)
    shown = waiting[: blocks.HOME_ROWS_MAX] + held
    return blocks.home_view(waiting, held, links.thread_links(store.r, shown), today(store, now, tz), now)


def publish(store: ConversationStore, client: WebClient, *, users: list[str] | None = None, now: float | None = None, tz=None) -> int:
    """Publish the queue to ``users`` (default: this week's viewers); returns how many got it.
    A rate limit stops the round and raises, so the job retries."""
    now = time.time() if now is None else now
    users = viewers(store.r, now) if users is None else users
    if not users:
        return 0
    rendered = view(store, now, tz)
    done = 0
    for user in users:
        try:
            call(client, "views_publish", user_id=user, view=rendered)
            done += 1
        except SlackRateLimited:
            raise
        except SlackCallFailed as err:
            log.warning("could not publish the App Home view: %s", err, extra={"slack_user": user})
    return done
