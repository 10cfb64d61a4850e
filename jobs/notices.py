"""What the shopper is told when their conversation reaches the team: when to expect a person.

Inside business hours (the rules file's ``[store]``), the expected wait comes from how long the team
took to pick up recent conversations (``ConversationStore.first_reply_times``: the median of the
latest ones, once there are enough to say). Outside them, the shopper learns when the team is back,
that the answer will appear in the chat, and, when they gave an e-mail and Baton can send mail
(``BATON_SMTP_URL``), that it will be e-mailed too. The demo's ``after-hours`` rule says the hours
in the shopper's language; this line adds the concrete time the team is back.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from conversations import Conversation, ConversationStore, Event, notices
from conversations.machine import ANNOUNCEMENTS

RECENT_SECONDS = 7 * 86400  # first replies of the last week count
RECENT_COUNT = 20  # … at most the latest twenty
MIN_SAMPLES = 3  # fewer than this and we make no promise


def expected_wait(store: ConversationStore, now: float) -> float | None:
    """The median of recent first-reply times in seconds, or None when too few are known."""
    times = store.first_reply_times(since=now - RECENT_SECONDS)[-RECENT_COUNT:]
    if len(times) < MIN_SAMPLES:
        return None
    return statistics.median(times)


def wait_phrase(seconds: float) -> str:
    minutes = max(round(seconds / 60), 1)
    if minutes < 2:
        return "a minute or two"
    if minutes < 60:
        rounded = minutes if minutes < 10 else 5 * round(minutes / 5)
        return f"about {rounded} minutes"
    hours = round(minutes / 60, 1)
    return "about an hour" if hours <= 1.2 else f"about {hours:g} hours"


def next_opening(hours, now: float) -> datetime | None:
    """When the team is next in (``hours``: ``agent.rules.BusinessHours``), in the store's timezone."""
    local = datetime.fromtimestamp(now, UTC).astimezone(hours.timezone)
    for days in range(0, 15):
        day = (local + timedelta(days=days)).date()
        candidate = datetime.combine(day, hours.open, tzinfo=hours.timezone)
        if candidate > local and hours.is_open(candidate):
            return candidate
    return None


def _when(opening: datetime, now: float, tz) -> str:
    today = datetime.fromtimestamp(now, UTC).astimezone(tz).date()
    if opening.date() == today:
        day = "today"
    elif opening.date() == today + timedelta(days=1):
        day = "tomorrow"
    else:
        day = opening.strftime("%A")
    place = tz.key.rsplit("/", 1)[-1].replace("_", " ") if getattr(tz, "key", "") else ""
    return f"{day} at {opening:%H:%M}" + (f", {place} time" if place else "")


def handoff_notice(store: ConversationStore, settings, conv: Conversation, hours, now: float | None = None) -> str:
    """The escalation line the shopper reads (and the thread shows). The wait and the team's return
    are said in English only: a conversation in another language gets Baton's notice in its language."""
    if notices.language(conv.locale) not in ("", "en"):
        return notices.line(Event.ESCALATE, conv.locale)
    now = time.time() if now is None else now
    email = bool(conv.customer.get("email")) and bool(getattr(settings, "smtp_url", ""))
    if hours is not None and not hours.is_open(datetime.fromtimestamp(now, UTC)):
        opening = next_opening(hours, now)
        back = f"when they're back ({_when(opening, now, hours.timezone)})" if opening else "when they're back"
        line = f"I've passed this to our team, who are offline right now. A person will reply here {back}"
        return line + (", and by e-mail too." if email else ".")
    wait = expected_wait(store, now)
    if wait is None:
        return ANNOUNCEMENTS[Event.ESCALATE]
    return f"I've passed this to our team. A person will reply here, usually within {wait_phrase(wait)}."
