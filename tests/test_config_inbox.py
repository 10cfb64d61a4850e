"""The inbox settings: watch mode, reminder durations and the on-duty group, checked at start-up."""

from __future__ import annotations

import pytest

import config


def test_reminder_durations_are_written_the_baton_way():
    """BATON_REMIND_AFTER=90s and BATON_REMIND_AGAIN=2h become seconds; the defaults are 10 and 30 minutes."""
    assert (config.load(environ={}, dotenv=False).remind_after, config.load(environ={}, dotenv=False).remind_again) == (600, 1800)
    settings = config.load(environ={"BATON_REMIND_AFTER": "90s", "BATON_REMIND_AGAIN": "2h"}, dotenv=False)
    assert (settings.remind_after, settings.remind_again) == (90, 7200)


@pytest.mark.parametrize(("env", "names"), [
    ({"BATON_REMIND_AFTER": "ten minutes"}, "BATON_REMIND_AFTER"),
    ({"BATON_MIRROR": "everything"}, "BATON_MIRROR"),
    ({"SLACK_ONDUTY_GROUP": "@support"}, "SLACK_ONDUTY_GROUP"),
])
def test_bad_inbox_settings_fail_at_start_naming_the_variable(env, names):
    """A typo stops Baton at start-up with the variable's name and the accepted form."""
    with pytest.raises(config.ConfigError, match=names):
        config.load(environ=env, dotenv=False)


def test_watch_mode_and_onduty_group():
    """BATON_MIRROR=all and a user-group id are taken as given."""
    settings = config.load(environ={"BATON_MIRROR": "all", "SLACK_ONDUTY_GROUP": "S0123ABCD"}, dotenv=False)
    assert (settings.mirror, settings.slack_onduty_group) == ("all", "S0123ABCD")
