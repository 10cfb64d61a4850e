"""`flask --app webhook inbox remind`: one reminder pass now, from the command line."""

from __future__ import annotations

import time

import config
from bot.mirror import mirror_conversation
from tests.bot.conftest import INBOX, SIGNING_SECRET, escalated
from webhook import create_app


def cli_app(redis_url, tmp_path, slack=None):
    rules = tmp_path / "rules.toml"
    rules.write_text("# no [store] hours: the team is always in\n")
    slack_settings = {"slack_bot_token": slack.token, "slack_signing_secret": SIGNING_SECRET, "slack_api_url": slack.url,
                      "slack_inbox_channel": INBOX} if slack else {}
    settings = config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"), rules_path=str(rules),
                           slack_onduty_group="S0ONDUTY01", **slack_settings)
    return create_app(settings), settings


def test_inbox_remind_posts_the_reminders_due_now(redis_url, tmp_path, slack, store, web):
    """A conversation waiting 11 minutes: the command posts its reminder and says how many it posted; run again, none."""
    app, settings = cli_app(redis_url, tmp_path, slack)
    conv = escalated(store)
    mirror_conversation(store, web, conv.id, settings)
    store.update(conv.id, waiting_since=time.time() - 11 * 60)

    first = app.test_cli_runner().invoke(args=["inbox", "remind"])
    second = app.test_cli_runner().invoke(args=["inbox", "remind"])

    assert first.exit_code == 0 and "Posted 1 reminder(s)." in first.output
    assert second.exit_code == 0 and "Posted 0 reminder(s)." in second.output
    assert slack.posts(thread_ts=store.get(conv.id).slack_ts)[-1]["text"].startswith("<!subteam^S0ONDUTY01> :alarm_clock: #1001")


def test_inbox_remind_without_slack_says_what_to_set(redis_url, tmp_path):
    """Without a Slack token the command explains itself instead of doing nothing silently."""
    app, _ = cli_app(redis_url, tmp_path)

    result = app.test_cli_runner().invoke(args=["inbox", "remind"])

    assert result.exit_code == 1 and "SLACK_BOT_TOKEN" in result.output and "Traceback" not in result.output
