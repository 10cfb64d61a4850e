"""`flask --app webhook rules check` and `rules test "message"`: validate and try the escalation rules.

Both read the file named by BATON_RULES (default demo/rules.toml) unless --file is given. Errors are
printed one per line as ``path:line: message`` and the command exits non-zero, so `rules check` can
run in CI before a deploy.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import click
from flask import current_app
from flask.cli import with_appcontext


def _settings():
    return current_app.extensions["baton"].settings


def _path(file: str | None) -> str:
    return file or _settings().rules_path


@click.group("rules", help="Check the escalation rules file and try messages against it.")
def rules():
    pass


@rules.command("check")
@click.option("--file", "file", type=click.Path(dir_okay=False), help="rules file (default: BATON_RULES)")
@with_appcontext
def check_command(file):
    """Load the rules file and report every problem with its line number."""
    from agent.rules import RulesError, load_rules

    path = _path(file)
    try:
        ruleset = load_rules(path, _settings())
    except RulesError as exc:
        for problem in exc.problems:
            click.echo(f"{path}:{problem.line or '?'}: {problem.message}", err=True)
        raise click.ClickException(f"{len(exc.problems)} problem(s) in {path}; the app keeps the last good rules until they are fixed") from None
    intents = ", ".join(ci.name for ci in ruleset.intents) or "none"
    actions = ", ".join(a.name for a in ruleset.actions) or "none"
    click.echo(f"{path}: OK — {len(ruleset.rules)} rules, custom intents: {intents}, actions: {actions}")


@rules.command("test")
@click.argument("message")
@click.option("--file", "file", type=click.Path(dir_okay=False), help="rules file (default: BATON_RULES)")
@click.option("--tag", "tags", multiple=True, help="customer tag (repeatable), e.g. --tag vip")
@click.option("--verified", is_flag=True, help="the customer is verified")
@click.option("--ai-failures", type=int, default=0, help="AI turns in a row that could not answer")
@click.option("--at", "at", help="pretend it is this time (ISO 8601, e.g. 2025-06-01T23:30+01:00)")
@with_appcontext
def test_command(message, file, tags, verified, ai_failures, at):
    """Show which rules fire for MESSAGE, and why."""
    from agent.rules import RuleContext, RuleEngine, RulesError

    path = _path(file)
    try:
        engine = RuleEngine(path, settings=_settings())
    except RulesError as exc:
        raise click.ClickException(f"{exc}\nFix the file first (`flask --app webhook rules check`).") from None
    now = None
    if at:
        try:
            now = datetime.fromisoformat(at)
        except ValueError:
            raise click.BadParameter("use ISO 8601, e.g. 2025-06-01T23:30+01:00", param_hint="--at") from None
    conversation = SimpleNamespace(customer={"tags": list(tags), "verified": verified}, tags=[], ai_failures=ai_failures)
    decision = engine.evaluate(message, RuleContext(conversation=conversation, history=[], now=now, ai_failures=ai_failures))
    if decision.fired:
        for name, why in decision.fired:
            click.echo(f"fires  {name}: {why}")
    else:
        click.echo("no rule fires: the AI answers")
    if decision.escalation:
        esc = decision.escalation
        extras = "".join(f", {k} {v}" for k, v in (("channel", esc.channel), ("mention", esc.mention)) if v)
        click.echo(f"escalate: priority {esc.priority}, category {esc.category}{extras}")
    if decision.tags:
        click.echo(f"tags: {', '.join(decision.tags)}")
    if decision.close:
        click.echo("close: yes")
    if decision.reply:
        click.echo(f"reply ({decision.language}): {decision.reply}")
    if decision.intent:
        click.echo(f"intent: {decision.intent[0]} ({decision.intent[1]:.2f})")
