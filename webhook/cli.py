"""Flask CLI commands: `flask --app webhook kb …`, `rules …`, `slack socket`, `inbox remind`, `setup`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext


@click.command("setup")
@with_appcontext
def setup_command():
    """Check Redis and the rules, and bring the docs index up to date with BATON_DOCS_DIR."""
    import redis

    baton = current_app.extensions["baton"]
    settings = baton.settings
    try:
        baton.redis.ping()
    except redis.RedisError:
        raise click.ClickException(f"cannot reach Redis at {settings.redis_url}: start redis-server or set REDIS_URL") from None
    from agent.errors import RulesError
    from agent.rules import load_rules
    from knowledge import KnowledgeBase
    from knowledge.embeddings import load_embedder
    from knowledge.errors import KnowledgeError

    try:
        load_rules(settings.rules_path)
    except RulesError as err:
        raise click.ClickException(f"{err}\nFix the rules file, then run again (`flask --app webhook rules check`).") from None
    try:
        kb = KnowledgeBase(settings.index_dir, load_embedder(settings.embedder))
        # Incremental: unchanged docs are skipped, so this is instant after the first run.
        report = kb.ingest(settings.docs_dir, base_url=settings.docs_base_url, progress=True)
    except KnowledgeError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Docs index: {report.summary()}")
    click.echo("Slack: " + ("configured" if settings.slack_enabled else "not configured (mirroring is off; see README)"))
    click.echo("AI: " + ("Claude (" + settings.anthropic_model + ")" if settings.anthropic_enabled else "offline answerer (set ANTHROPIC_API_KEY for Claude)"))


@click.group("slack", cls=AppGroup)
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
        run(baton.settings, baton.store, baton.enqueue_mirror, baton.enqueue_answer, baton.enqueue_files, baton.enqueue_add_doc)
    except SlackNotConfigured as err:
        raise click.ClickException(str(err)) from None


@click.group("inbox", cls=AppGroup)
def inbox_group():
    """The team's Slack inbox."""


@inbox_group.command("remind")
def remind_command():
    """Post the reminders that are due now for conversations left waiting (the cron process does this every minute)."""
    import redis

    from jobs.reminders import remind

    baton = current_app.extensions["baton"]
    if not baton.settings.slack_enabled:
        raise click.ClickException("Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (docs/slack.md)")
    try:
        posted = remind(settings=baton.settings)
    except redis.RedisError:
        raise click.ClickException(f"cannot reach Redis at {baton.settings.redis_url}: start redis-server or set REDIS_URL") from None
    click.echo(f"Posted {posted} reminder(s).")


def register_cli(app: Flask) -> None:
    app.cli.add_command(setup_command)
    app.cli.add_command(slack_group)
    app.cli.add_command(inbox_group)
    from webhook.cli_digest import digest
    from webhook.cli_kb import kb
    from webhook.cli_rules import rules

    app.cli.add_command(kb)
    app.cli.add_command(rules)
    app.cli.add_command(digest)
