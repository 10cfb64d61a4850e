"""Shared helpers for the digest's tests: times pinned in the store's time zone, business hours."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from agent.rules import BusinessHours

BERLIN = ZoneInfo("Europe/Berlin")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> float:
    """A Unix time in Berlin, in November 2026 (Mon 23 and Mon 30 start the two weeks used)."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN).timestamp()


# The digest of the week Mon 23 Nov 09:00 - Mon 30 Nov 09:00 (Berlin), against the week before.
END = at(30, 9)
WEEK = 7 * 86400


@pytest.fixture
def hours():
    """The demo store's hours: Mon-Fri 09:00-18:00 Berlin."""
    return BusinessHours(BERLIN, frozenset(range(5)), time(9), time(18))
