"""The agent's exceptions. Callers catch the branch they can handle; the edge turns them into messages.

    AgentError
     ├── RulesError   the rules file cannot be used: each problem with its line number
     ├── ActionError  a custom HTTP action could not be called or answered badly
     └── AIUnavailable the model API failed (rate limit, overload, 5xx, timeout, network)

Messages are written for the store owner reading a CLI or a log line: they say what is wrong and
what to change. They never contain a secret or a shopper's message.
"""

from __future__ import annotations

from dataclasses import dataclass


class AgentError(Exception):
    """Base class for everything the agent package raises on purpose."""


@dataclass(frozen=True)
class RuleProblem:
    """One problem in a rules file: where it is and what to do about it."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class RulesError(AgentError):
    """The rules file is broken. ``problems`` lists each error with its line (1-based)."""

    def __init__(self, path: str, problems: list[RuleProblem]):
        self.path = str(path)
        self.problems = list(problems)
        lines = "\n".join(f"  {self.path}:{p.line or '?'}: {p.message}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the rules file {self.path}:\n{lines}")


class ActionError(AgentError):
    """A custom HTTP action failed: bad arguments, no secret, timeout, or an error answer."""

    def __init__(self, action: str, message: str):
        self.action = action
        super().__init__(f"action {action!r}: {message}")


class AIUnavailable(AgentError):
    """The model could not be reached or answered with an error (rate limit, overload, timeout, network).

    Never shown raw to a shopper: the agent turns it into an honest "a person will pick this up"
    and escalates with category ``ai_unavailable``. ``reason`` is a short line for the Slack card.
    """

    def __init__(self, reason: str, *, status: int | None = None):
        self.reason = reason
        self.status = status
        super().__init__(reason)
