"""The AI side of Baton: escalation rules, then a brain that answers from the docs.

    agent = build_agent(settings, kb, rules)       # once per worker process
    reply = agent.respond(conversation, history, on_typing=None)   # -> Reply

    rules/    what decides a handoff: the rules engine, intents (grammar + learned head), HTTP actions
    brains/   what answers: Claude (anthropic SDK, tool use over the docs with citations) when
              ANTHROPIC_API_KEY is set, the offline extractive answerer otherwise; small talk, lines
    core.py   one turn: rules first, then a brain; types.py and errors.py sit beneath everything

rules/ never imports brains/; a brain uses only agent.rules' public names. May import knowledge/ and
conversations/; never Flask, Slack or Redis.
"""

from __future__ import annotations

from agent.core import Agent, Options
from agent.errors import AgentError, AIUnavailable
from agent.types import Escalation, Reply

__all__ = ["AIUnavailable", "Agent", "AgentError", "Escalation", "Options", "Reply", "build_agent"]


def build_agent(settings, kb, rules=None, *, brain: str | None = None) -> Agent:
    """The agent for these settings: Claude when an API key is set, the offline answerer otherwise.

    ``kb`` is a knowledge.KnowledgeBase (anything with ``search(query, k, audience)``); ``rules`` an
    agent.rules.RuleEngine or None. ``brain`` ("claude" or "offline") forces a choice.
    """
    options = Options.from_settings(settings)
    choice = brain or ("claude" if settings.anthropic_enabled else "offline")
    if choice == "claude":
        from agent.brains.claude import ClaudeBrain

        actions = list(getattr(rules, "actions", None) or []) if rules is not None else []
        return Agent(settings, kb, rules, ClaudeBrain(settings, kb, actions, options=options))
    if choice == "offline":
        from agent.brains.offline import OfflineBrain

        return Agent(settings, kb, rules, OfflineBrain(settings, kb, options=options))
    raise ValueError(f"unknown brain {choice!r}; expected 'claude' or 'offline'")
