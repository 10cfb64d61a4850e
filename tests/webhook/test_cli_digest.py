"""`flask --app webhook digest preview|send`: the managers' digest from the terminal."""

from __future__ import annotations

import time

import config
from insights.topic_ids import TOPICS
from tests.insights.stories import two_topics
from webhook import create_app


def make_app(redis_url, tmp_path, **overrides):
    settings = config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"), **overrides)
    return create_app(settings)


def test_preview_prints_the_digest_and_writes_the_chart(redis_url, redis_client, tmp_path):
    """The last 7 days' digest is printed with its metrics, topics and doc gaps, the chart PNG lands in
    --out, and nothing is posted or registered (the topic registry stays empty)."""
    r = redis_client
    two_topics(r, week_start=time.time() - 6 * 86400)
    out = tmp_path / "charts"
    result = make_app(redis_url, tmp_path).test_cli_runner().invoke(args=["digest", "preview", "--since", "7d", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Conversations" in result.output and "12" in result.output
    assert "Topics of handed-off conversations" in result.output and "Doc gaps" in result.output
    [png] = list(out.glob("baton-digest-*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and str(png) in result.output
    assert not r.exists(TOPICS)


def test_preview_of_a_quiet_period_says_so(redis_url, tmp_path):
    """No conversations in the last hour: a one-line quiet digest, no chart."""
    result = make_app(redis_url, tmp_path).test_cli_runner().invoke(args=["digest", "preview", "--since", "1h", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "quiet period" in result.output and "No chart" in result.output


def test_a_malformed_since_says_how_to_write_a_duration(redis_url, tmp_path):
    """--since 5w is refused with the accepted forms, not a traceback."""
    result = make_app(redis_url, tmp_path).test_cli_runner().invoke(args=["digest", "preview", "--since", "5w"])
    assert result.exit_code == 2
    assert "90s, 10m, 2h or 7d" in result.output and "Traceback" not in result.output


def test_send_without_a_digest_channel_names_the_settings(redis_url, tmp_path):
    """`digest send` without Slack says which variables to set."""
    result = make_app(redis_url, tmp_path).test_cli_runner().invoke(args=["digest", "send"])
    assert result.exit_code == 1
    assert "SLACK_DIGEST_CHANNEL" in result.output
