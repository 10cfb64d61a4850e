"""A broken rules file never takes the app down, and `rules check` points at each broken line."""

from __future__ import annotations

import logging
import os
from types import SimpleNamespace

import pytest
from flask import Flask

import config
from agent.errors import RulesError
from agent.rules import RuleContext, RuleEngine, load_rules
from tests.agent_rules.helpers import DEFAULT_RULES, write_rules
from webhook.cli_rules import rules as rules_group

GOOD = """
[[rules]]
name = "refunds"
when = { keywords = ["refund"] }
then = { escalate = { priority = "high" } }
"""

BROKEN = """
[store]
timezone = "Mars/Olympus_Mons"

[[rules]]
name = "refunds"
when = { keywords = ["refund"], mood = "angry" }
then = { escalate = { priority = "high" } }

[[rules]]
name = "bad-regex"
[rules.when]
intent = "human_request"
regex = [
  "fine",
  "(unclosed",
]
[rules.then]
escalate = { priority = "sky-high", channel = "" }
explode = true

[[rules]]
name = "ghost-intent"
when = { intent = "wants_pizza" }
then = { tag = ["pizza"] }

[[actions]]
name = "lookup_order"
url = "https://api.example.test/orders"
secret_env = "BATON_TEST_MISSING_SECRET"
"""


def _touch_later(path):
    """Move the mtime forward so the change is seen even within the same clock tick."""
    st = os.stat(path)
    os.utime(path, (st.st_atime + 5, st.st_mtime + 5))


def test_broken_file_keeps_the_last_good_rules_and_logs(tmp_path, caplog):
    """After a bad edit the engine keeps enforcing the previous rules and logs the problem lines."""
    path = write_rules(tmp_path, GOOD)
    engine = RuleEngine(path)
    assert engine.evaluate("refund please", RuleContext()).escalation is not None
    path.write_text(BROKEN)
    _touch_later(path)
    with caplog.at_level(logging.ERROR, logger="agent.rules"):
        assert engine.reload_if_changed() is False
    assert engine.evaluate("refund please", RuleContext()).escalation is not None
    assert any("keeping the last good rules" in r.getMessage() for r in caplog.records)
    assert engine.errors and all(p.line for p in engine.errors)


def test_fixed_file_is_picked_up_on_the_next_message(tmp_path):
    """Saving a valid file replaces the rules without a restart; an unchanged file is not re-read."""
    path = write_rules(tmp_path, GOOD)
    engine = RuleEngine(path)
    assert engine.reload_if_changed() is False
    path.write_text(GOOD.replace('"refund"', '"chargeback"'))
    _touch_later(path)
    assert engine.reload_if_changed() is True
    assert engine.evaluate("refund please", RuleContext()).escalation is None
    assert engine.evaluate("chargeback!", RuleContext()).escalation is not None


def test_first_load_of_a_broken_file_raises(tmp_path):
    """With no good rules to fall back on, building the engine raises RulesError with every problem."""
    with pytest.raises(RulesError) as caught:
        RuleEngine(write_rules(tmp_path, BROKEN))
    assert len(caught.value.problems) >= 7


def test_every_problem_has_the_line_it_is_on(tmp_path):
    """Unknown trigger, bad regex, bad priority, empty channel, unknown action and intent, missing secret: each at its line."""
    path = write_rules(tmp_path, BROKEN)
    lines = path.read_text().splitlines()
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    found = {(p.line, p.message.split(" ")[0] + " " + p.message.split(" ")[1]) for p in caught.value.problems}

    def line_of(fragment):
        return next(i for i, text in enumerate(lines, start=1) if fragment in text)

    expected = {
        line_of("Mars/Olympus_Mons"): "unknown timezone",
        line_of('mood = "angry"'): "unknown trigger",
        line_of('"(unclosed"'): "bad regular",
        line_of('priority = "sky-high"'): "priority 'sky-high'",
        line_of("explode = true"): "unknown action",
        line_of("wants_pizza"): "unknown intent",
        line_of("BATON_TEST_MISSING_SECRET"): "action 'lookup_order':",
    }
    for line, start in expected.items():
        assert (line, start) in found, (line, start, sorted(found))
    channel = [p for p in caught.value.problems if p.message.startswith("channel is empty")]
    assert channel and channel[0].line == line_of('channel = ""')


def test_toml_syntax_error_reports_its_line(tmp_path):
    """A TOML syntax error comes back with tomllib's line number."""
    path = write_rules(tmp_path, 'a = 1\n\n[[rules]\nname = "x"\n')
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert caught.value.problems[0].line == 3
    assert "TOML syntax error" in caught.value.problems[0].message


def test_escalation_without_any_slack_channel_is_reported(tmp_path):
    """With Slack on but no inbox channel, an escalating rule without its own channel is an error at its line."""
    path = write_rules(tmp_path, GOOD)
    settings = config.load(environ={}, dotenv=False, slack_bot_token="xoxb-test", slack_signing_secret="s")
    with pytest.raises(RulesError) as caught:
        load_rules(path, settings)
    assert "no Slack channel is set" in caught.value.problems[0].message
    assert caught.value.problems[0].line == 4
    ok = config.load(environ={}, dotenv=False, slack_bot_token="xoxb-test", slack_signing_secret="s", slack_inbox_channel="C0123ABCD")
    assert load_rules(path, ok).rules[0].name == "refunds"


def test_missing_secret_is_accepted_once_the_variable_is_set(tmp_path, monkeypatch):
    """The missing-secret error goes away when the environment variable is set."""
    path = write_rules(
        tmp_path,
        """
        [[actions]]
        name = "lookup_order"
        url = "https://api.example.test/orders"
        secret_env = "BATON_TEST_ORDERS_TOKEN"
        """,
    )
    with pytest.raises(RulesError):
        load_rules(path)
    monkeypatch.setenv("BATON_TEST_ORDERS_TOKEN", "t0ps3cret")
    assert load_rules(path).actions[0].name == "lookup_order"


def _cli_app(rules_path) -> Flask:
    app = Flask("rules-cli-test")
    app.extensions["baton"] = SimpleNamespace(settings=config.load(environ={}, dotenv=False, rules_path=str(rules_path)))
    app.cli.add_command(rules_group)
    return app


def test_rules_check_cli_lists_problems_with_lines(tmp_path):
    """`flask rules check` prints path:line: message for each problem and exits non-zero."""
    path = write_rules(tmp_path, BROKEN)
    result = _cli_app(path).test_cli_runner().invoke(args=["rules", "check"])
    assert result.exit_code != 0
    lines = path.read_text().splitlines()
    regex_line = next(i for i, text in enumerate(lines, start=1) if '"(unclosed"' in text)
    assert f"{path}:{regex_line}: bad regular expression" in result.output


def test_rules_check_cli_accepts_the_default_policy(tmp_path):
    """The shipped demo/rules.toml passes `rules check`."""
    result = _cli_app(DEFAULT_RULES).test_cli_runner().invoke(args=["rules", "check"])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output and "custom_work" in result.output


def test_rules_test_cli_shows_which_rules_fire_and_why(tmp_path):
    """`flask rules test "..."` lists the fired rules, the escalation and the reply."""
    runner = _cli_app(DEFAULT_RULES).test_cli_runner()
    result = runner.invoke(args=["rules", "test", "the activation code from my receipt says invalid", "--at", "2025-06-04T11:00+01:00"])
    assert result.exit_code == 0, result.output
    assert "fires  license-problem: intent license_problem" in result.output
    assert "escalate: priority normal, category license_problem" in result.output
    quiet = runner.invoke(args=["rules", "test", "do you offer refunds on e-books?"])
    assert "no rule fires: the AI answers" in quiet.output
    vip = runner.invoke(args=["rules", "test", "refund my order please", "--tag", "vip", "--verified", "--at", "2025-06-04T11:00+01:00"])
    assert "fires  vip-first" in vip.output and "priority urgent" in vip.output
