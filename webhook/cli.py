"""Flask CLI commands: `flask --app webhook kb …`, `rules …`, `setup`."""

from __future__ import annotations

import click
from flask import Flask, current_app


@click.command("setup")
def setup_command():
    """Check Redis and build the docs index from BATON_DOCS_DIR if it is empty."""
    import redis

    baton = current_app.extensions["baton"]
    settings = baton.settings
    try:
        baton.redis.ping()
    except redis.RedisError:
        raise click.ClickException(f"cannot reach Redis at {settings.redis_url}: start redis-server or set REDIS_URL") from None
    from knowledge import KnowledgeBase

    kb = KnowledgeBase(settings.index_dir)
    if kb.is_empty():
        click.echo(f"Building the docs index from {settings.docs_dir} …")
        report = kb.ingest(settings.docs_dir, base_url=settings.docs_base_url, progress=True)
        click.echo(f"Indexed {report.files} files into {report.chunks} chunks in {report.seconds:.1f}s.")
    else:
        click.echo(f"Docs index ready in {settings.index_dir}.")
    click.echo("Slack: " + ("configured" if settings.slack_enabled else "not configured (mirroring is off; see README)"))
    click.echo("AI: " + ("Claude (" + settings.anthropic_model + ")" if settings.anthropic_enabled else "offline answerer (set ANTHROPIC_API_KEY for Claude)"))


@click.group("slack")
def slack_group():
    """Slack helpers."""


@slack_group.command("socket")
def socket_command():
    """Serve Slack over Socket Mode (local development; needs SLACK_APP_TOKEN)."""
    import logging

    from bot.errors import SlackNotConfigured
    from bot.socket_mode import run

    baton = current_app.extensions["baton"]
    logging.basicConfig(level=logging.INFO)
    try:
        run(baton.settings, baton.store, baton.enqueue_mirror, baton.enqueue_answer)
    except SlackNotConfigured as err:
        raise click.ClickException(str(err)) from None


def register_cli(app: Flask) -> None:
    app.cli.add_command(setup_command)
    app.cli.add_command(slack_group)
    try:
        from webhook.cli_kb import kb
    except ImportError:  # pragma: no cover - during development of knowledge/
        kb = None
    if kb is not None:
        app.cli.add_command(kb)
    try:
        from webhook.cli_rules import rules
    except ImportError:  # pragma: no cover
        rules = None
    if rules is not None:
        app.cli.add_command(rules)
