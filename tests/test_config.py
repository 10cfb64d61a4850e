"""Settings: durations are written the Baton way (90s, 10m, 2h, 7d) and bad values name the variable."""

from __future__ import annotations

import pytest

import config


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("10m", 600), ("2h", 7200), ("7d", 604800), (" 1.5h ", 5400), ("30M", 1800)])
def test_durations_are_read_in_seconds(text, seconds):
    """Each unit the docs promise turns into the right number of seconds."""
    assert config.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10", "ten minutes", "5w", "-3m", "1h30m"])
def test_a_malformed_duration_says_how_to_write_one(text):
    """A value that is not a duration is refused with the accepted forms in the message."""
    with pytest.raises(ValueError, match="90s, 10m, 2h or 7d"):
        config.parse_duration(text)
