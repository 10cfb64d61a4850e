"""Time inside business hours: how long a shopper waited while the team was meant to be there.

``hours`` is any object shaped like ``agent.rules.BusinessHours`` (``timezone``, ``days`` with
0 = Monday, ``open``, ``close``, ``holidays``); jobs/ passes the rules file's ``[store]`` hours in,
so insights/ never imports agent/. Overnight hours (22:00-06:00) follow ``BusinessHours.is_open``:
on an open day the store is open from midnight to ``close`` and from ``open`` to midnight.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

MAX_DAYS = 400  # a wait longer than this is counted only over its first MAX_DAYS days


def _intervals(day: date, hours) -> list[tuple[float, float]]:
    """The day's open spans as Unix times (correct across daylight-saving changes)."""
    tz = hours.timezone
    if day in hours.holidays or day.weekday() not in hours.days:
        return []
    start = datetime.combine(day, hours.open, tz)
    end = datetime.combine(day, hours.close, tz)
    if hours.open <= hours.close:
        return [(start.timestamp(), end.timestamp())]
    midnight = datetime.combine(day, datetime.min.time(), tz)
    following = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz)
    return [(midnight.timestamp(), end.timestamp()), (start.timestamp(), following.timestamp())]


def business_seconds(start: float, end: float, hours=None) -> float:
    """Seconds between two Unix times that fall inside business hours (all of them when ``hours`` is None)."""
    if end <= start:
        return 0.0
    if hours is None:
        return end - start
    tz = hours.timezone
    a = datetime.fromtimestamp(start, UTC).astimezone(tz)
    b = datetime.fromtimestamp(end, UTC).astimezone(tz)
    total = 0.0
    day = a.date()
    last = min(b.date(), day + timedelta(days=MAX_DAYS))
    while day <= last:
        for lo, hi in _intervals(day, hours):
            overlap = min(hi, end) - max(lo, start)
            if overlap > 0:
                total += overlap
        day += timedelta(days=1)
    return total
