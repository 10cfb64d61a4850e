"""Nothing waits unseen: reminders in the thread of a conversation left waiting, inside business hours.

Times are pinned: the conversation starts waiting on Monday 7 December 2026 at 10:00 Berlin time
(the demo rules' [store] hours are Mon-Fri 09:00-18:00 Europe/Berlin), and ``remind(now=...)`` runs
the pass the cron process runs every minute, against the fake Slack Web API.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import config
from jobs.reminders import remind
from tests.bot.conftest import ALICE, INBOX, SIGNING_SECRET

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=BERLIN).timestamp()
MINUTE = 60
ONDUTY = "S0ONDUTY01"


@pytest.fixture
def settings(redis_url, slack):
    return config.load(environ={}, dotenv=False, redis_url=redis_url, slack_bot_token=slack.token, slack_signing_secret=SIGNING_SECRET,
                       slack_api_url=slack.url, slack_inbox_channel=INBOX, slack_onduty_group=ONDUTY)


@pytest.fixture
def waiting(store, thread):
    """The mirrored, escalated conversation, waiting since Monday 10:00."""
    store.update(thread.id, waiting_since=MONDAY_10)
    return store.get(thread.id)


def reminders(slack, conv) -> list[str]:
    return [p["text"] for p in slack.posts(thread_ts=conv.slack_ts) if "waiting" in p["text"].lower()]


def test_two_reminders_then_silence(settings, slack, waiting):
    """After 10 minutes the on-duty group is pinged in the thread, after 30 again, and never a third time."""
    assert remind(now=MONDAY_10 + 9 * MINUTE, settings=settings) == 0
    assert remind(now=MONDAY_10 + 11 * MINUTE, settings=settings) == 1
    assert remind(now=MONDAY_10 + 12 * MINUTE, settings=settings) == 0  # the next cron pass: once is enough
    assert remind(now=MONDAY_10 + 31 * MINUTE, settings=settings) == 1
    for minutes in (32, 60, 240):
        assert remind(now=MONDAY_10 + minutes * MINUTE, settings=settings) == 0

    first, second = reminders(slack, waiting)
    assert first.startswith(f"<!subteam^{ONDUTY}> :alarm_clock: #1001 (Jane Doe) has been waiting 11 min")
    assert second.startswith(f"<!subteam^{ONDUTY}> :rotating_light: Still waiting: #1001")
    assert "31 min" in second


def test_a_reminder_pings_the_assignee_when_someone_holds_it(settings, slack, store, waiting):
    """A conversation with an assignee reminds that person, not the whole group."""
    store.update(waiting.id, assignee=ALICE)

    remind(now=MONDAY_10 + 11 * MINUTE, settings=settings)

    assert reminders(slack, waiting)[0].startswith(f"<@{ALICE}> :alarm_clock:")


def test_no_reminders_outside_business_hours_and_one_catch_up_when_the_team_is_back(settings, slack, store, waiting):
    """Waiting since Friday 17:55: nothing at night or at the weekend; Monday 09:00 brings one reminder, the later one."""
    friday = datetime(2026, 12, 4, 17, 55, tzinfo=BERLIN).timestamp()
    store.update(waiting.id, waiting_since=friday)

    assert remind(now=friday + 30 * MINUTE, settings=settings) == 0  # Friday 18:25, closed
    assert remind(now=datetime(2026, 12, 5, 11, 0, tzinfo=BERLIN).timestamp(), settings=settings) == 0  # Saturday
    monday_9 = datetime(2026, 12, 7, 9, 0, tzinfo=BERLIN).timestamp()
    assert remind(now=monday_9, settings=settings) == 1
    assert remind(now=monday_9 + 30 * MINUTE, settings=settings) == 0

    (only,) = reminders(slack, waiting)
    assert "Still waiting" in only


def test_a_conversation_taken_over_is_not_reminded(settings, slack, bot, events, store, waiting):
    """Someone answered in the thread: the conversation is no longer waiting, so no reminder."""
    bot.send(events.event(events.thread_reply(channel=waiting.slack_channel, thread_ts=waiting.slack_ts, user=ALICE, text="On it")))

    assert remind(now=MONDAY_10 + 11 * MINUTE, settings=settings) == 0
    assert reminders(slack, waiting) == []


def test_waiting_again_after_a_hand_back_starts_a_new_round(settings, slack, store, waiting):
    """A new escalation is a new waiting period, with its own two reminders."""
    remind(now=MONDAY_10 + 11 * MINUTE, settings=settings)
    store.update(waiting.id, waiting_since=MONDAY_10 + 60 * MINUTE)  # handed back and escalated again at 11:00

    assert remind(now=MONDAY_10 + 71 * MINUTE, settings=settings) == 1
    assert len(reminders(slack, waiting)) == 2


def test_slack_failure_leaves_the_reminder_for_the_next_pass(settings, slack, waiting):
    """Slack is down when the reminder is due: the next minute's pass posts it."""
    slack.fail("chat.postMessage", "internal_error", status=500)

    assert remind(now=MONDAY_10 + 11 * MINUTE, settings=settings) == 0
    assert remind(now=MONDAY_10 + 12 * MINUTE, settings=settings) == 1
    assert len(reminders(slack, waiting)) == 1


def test_entering_waiting_records_when(store):
    """The escalation itself stamps waiting_since, which the reminders and App Home read."""
    from tests.bot.conftest import escalated

    conv = escalated(store)
    assert conv.waiting_since > 0
