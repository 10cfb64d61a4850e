"""What the shopper is told when a person is needed: the expected wait, or when the team is back.

Times are pinned (Monday 7 December 2026, Berlin); the hours are the demo rules' [store] (Mon-Fri
09:00-18:00 Europe/Berlin), read through agent.rules like the worker reads them.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import config
from agent.rules import load_rules
from conversations import ConversationStore, Event
from conversations.machine import ANNOUNCEMENTS
from jobs.notices import handoff_notice

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_11 = datetime(2026, 12, 7, 11, 0, tzinfo=BERLIN).timestamp()


@pytest.fixture
def store(redis_client):
    return ConversationStore(redis_client)


@pytest.fixture
def hours():
    return load_rules(config.Settings().rules_path).hours


def picked_up_after(store, minutes: float) -> None:
    """A conversation that waited ``minutes`` before a team member took it (recorded by the take-over)."""
    conv, _ = store.create({"name": "Earlier shopper"})
    store.transition(conv.id, Event.ESCALATE)
    store.update(conv.id, waiting_since=store.get(conv.id).waiting_since - minutes * 60)
    store.transition(conv.id, Event.TAKE_OVER, actor="Alice", assignee="U0ALICE0001")


def test_the_shopper_is_told_the_usual_wait_from_recent_first_replies(store, hours):
    """Three recent pick-ups after 8, 14 and 30 minutes: "usually within about 15 minutes"."""
    for minutes in (8, 14, 30):
        picked_up_after(store, minutes)
    conv, _ = store.create({"name": "Ada"})

    text = handoff_notice(store, config.Settings(), conv, hours, now=MONDAY_11)

    assert text == "I've passed this to our team. A person will reply here, usually within about 15 minutes."


def test_without_enough_history_no_wait_is_promised(store, hours):
    """One earlier pick-up is not enough to promise anything: the plain hand-off line."""
    picked_up_after(store, 5)
    conv, _ = store.create({"name": "Ada"})

    assert handoff_notice(store, config.Settings(), conv, hours, now=MONDAY_11) == ANNOUNCEMENTS[Event.ESCALATE]


@pytest.mark.parametrize(("email", "smtp", "ending"), [
    ("ada@example.com", "smtp://mail.example:587", "Berlin time), and by e-mail too."),
    ("ada@example.com", "", "Berlin time)."),  # no mail server: no e-mail promised
    ("", "smtp://mail.example:587", "Berlin time)."),  # no address given
])
def test_after_hours_the_shopper_learns_when_the_team_is_back_and_about_email(store, hours, email, smtp, ending):
    """Saturday noon: the team is back Monday at 09:00 Berlin time; e-mail only when an address was given and mail is set up."""
    conv, _ = store.create({"name": "Ada", **({"email": email} if email else {})})
    saturday = datetime(2026, 12, 5, 12, 0, tzinfo=BERLIN).timestamp()

    text = handoff_notice(store, config.Settings(smtp_url=smtp), conv, hours, now=saturday)

    assert text.startswith("I've passed this to our team, who are offline right now. A person will reply here when they're back (Monday at 09:00, Berlin time)")
    assert text.endswith(ending)


def test_late_evening_says_tomorrow(store, hours):
    """Tuesday 20:00: back tomorrow at 09:00."""
    conv, _ = store.create({"name": "Ada"})
    tuesday = datetime(2026, 12, 8, 20, 0, tzinfo=BERLIN).timestamp()

    assert "when they're back (tomorrow at 09:00, Berlin time)" in handoff_notice(store, config.Settings(), conv, hours, now=tuesday)


def test_a_take_over_from_waiting_records_how_long_it_waited(store):
    """The pick-up time feeds the estimate; a take-over in watch mode (from the AI) does not."""
    picked_up_after(store, 12)
    watched, _ = store.create({"name": "Bo"})
    store.transition(watched.id, Event.TAKE_OVER, actor="Alice", assignee="U0ALICE0001")

    (waited,) = store.first_reply_times()
    assert 719 <= waited <= 725


@pytest.mark.parametrize("when", [MONDAY_11, datetime(2026, 12, 7, 22, 0, tzinfo=BERLIN).timestamp()])
def test_a_conversation_in_german_is_told_in_german(store, hours, when):
    """The widget said the shopper reads German: the handoff notice is Baton's German line, day or night."""
    conv, _ = store.create({"name": "Jonas"}, locale="de-AT")
    notice = handoff_notice(store, config.Settings(), store.get(conv.id), hours, now=when)
    assert notice == "Ich habe das an unser Team weitergegeben. Ein Mensch antwortet dir hier in Kürze."
