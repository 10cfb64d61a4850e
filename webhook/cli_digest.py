"""`flask --app webhook digest preview|send`: the managers' digest from the terminal.

``preview`` builds the digest of the last ``--since`` (default BATON_DIGEST_PERIOD, 7d), prints it
and writes the chart PNG; it posts nothing and leaves the topic registry as it was. ``send`` posts
it to SLACK_DIGEST_CHANNEL now (once per period, like the scheduled digest).
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

import config

PROGRESS_FROM = 2000  # conversations: a progress bar from this many on


def _since(value: str | None) -> float:
    settings = current_app.extensions["baton"].settings
    if not value:
        return settings.digest_period
    try:
        seconds = config.parse_duration(value)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--since") from None
    if seconds <= 0:
        raise click.BadParameter("the period must be longer than 0", param_hint="--since")
    return seconds


def _check_redis(baton) -> None:
    import redis

    try:
        baton.redis.ping()
    except redis.RedisError:
        raise click.ClickException(f"cannot reach Redis at {baton.settings.redis_url}: start redis-server or set REDIS_URL") from None


@click.group("digest", cls=AppGroup)
def digest():
    """The managers' digest: preview it in the terminal, or post it to Slack now."""


@digest.command("preview")
@click.option("--since", "since", default=None, metavar="DURATION", help="Period to cover, ending now: 90s, 10m, 2h, 7d (default BATON_DIGEST_PERIOD).")
@click.option("--out", "out", default=".", type=click.Path(file_okay=False), show_default=True, help="Folder for the chart PNG.")
def preview_command(since: str | None, out: str):
    """Print the digest of the last period and write its chart; posts nothing."""
    from insights.chart import handoffs_chart
    from insights.logs import count_inside
    from insights.text import render
    from jobs import context
    from jobs.digest import build

    baton = current_app.extensions["baton"]
    period = _since(since)
    _check_redis(baton)
    ctx = context.get(baton.settings)
    end = time.time()
    total = count_inside(ctx.store, end - 2 * period, end)
    bar = None
    if total >= PROGRESS_FROM:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="conv", desc="Reading conversations", leave=False)
    try:
        result = build(ctx, end=end, period=period, commit=False, progress=bar.update if bar else None)
    finally:
        if bar is not None:
            bar.close()
    click.echo(render(result), nl=False)
    chart = None if result.quiet else handoffs_chart(result)
    if chart:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"baton-digest-{result.days[-1]}.png"
        path.write_bytes(chart)
        click.echo(f"\nChart: {path}")
    else:
        click.echo("\nNo chart: no topic had handoffs in this period.")


@digest.command("send")
@click.option("--since", "since", default=None, metavar="DURATION", help="Period to cover, ending now: 90s, 10m, 2h, 7d (default BATON_DIGEST_PERIOD).")
def send_command(since: str | None):
    """Post the digest of the last period to SLACK_DIGEST_CHANNEL now."""
    from jobs.digest import send

    baton = current_app.extensions["baton"]
    period = _since(since)
    _check_redis(baton)
    if not baton.settings.slack_digest_channel or not baton.settings.slack_bot_token:
        raise click.ClickException("set SLACK_DIGEST_CHANNEL and SLACK_BOT_TOKEN to post the digest (see docs/slack.md)")
    outcome = send(end=time.time(), period=period, settings=baton.settings)
    messages = {
        "posted": f"Digest posted to {baton.settings.slack_digest_channel}.",
        "already_sent": "The digest of this period was posted already.",
        "not_in_channel": "Not posted: the bot is not in the digest channel. Invite it with /invite @Baton, then run again.",
        "channel_not_found": "Not posted: Slack cannot find SLACK_DIGEST_CHANNEL (or the bot cannot see it).",
        "is_archived": "Not posted: the digest channel is archived.",
    }
    if outcome != "posted":
        raise click.ClickException(messages.get(outcome, f"Not posted ({outcome})."))
    click.echo(messages[outcome])
