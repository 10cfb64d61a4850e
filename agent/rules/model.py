"""The rules file as data: a store's rules, triggers, actions, business hours, and one decision."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from agent.rules.actions import Action
from agent.rules.intents import CustomIntent
from agent.rules.lexicon import Lexicon
from agent.types import Escalation

PRIORITIES = ("low", "normal", "high", "urgent")
DEFAULT_INTENT_THRESHOLD = 0.9  # built-in intents score 1.0 when their grammar matches, 0.3-0.8 when only hinted


# ---------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class BusinessHours:
    timezone: ZoneInfo
    days: frozenset[int]  # 0 = Monday
    open: time
    close: time
    holidays: frozenset[date] = frozenset()

    def is_open(self, now: datetime) -> bool:
        local = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(self.timezone)
        if local.date() in self.holidays or local.weekday() not in self.days:
            return False
        if self.open <= self.close:
            return self.open <= local.time() < self.close
        return local.time() >= self.open or local.time() < self.close  # overnight, e.g. 22:00-06:00


@dataclass
class Triggers:
    keywords: list[str] = field(default_factory=list)
    regex: list[re.Pattern] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)
    intent_threshold: float = DEFAULT_INTENT_THRESHOLD
    frustration: float | None = None
    ai_failures: int | None = None
    messages: int | None = None
    customer: dict = field(default_factory=dict)
    outside_hours: bool | None = None
    lexicon: Lexicon | None = None

    def empty(self) -> bool:
        return not (
            self.keywords or self.regex or self.intents or self.customer
            or self.frustration is not None or self.ai_failures is not None
            or self.messages is not None or self.outside_hours is not None
        )


@dataclass
class EscalateAction:
    priority: str = "normal"
    channel: str | None = None
    mention: str | None = None
    category: str | None = None
    summary: str = ""


@dataclass
class Rule:
    name: str
    when: Triggers
    unless: Triggers | None = None
    match: str = "any"
    description: str = ""
    escalate: EscalateAction | None = None
    reply: dict[str, str] = field(default_factory=dict)  # language -> text; "*" = any language
    tags: list[str] = field(default_factory=list)
    close: bool = False
    line: int | None = None


@dataclass
class RuleSet:
    """A parsed, validated rules file."""

    rules: list[Rule]
    actions: list[Action]
    intents: list[CustomIntent]
    hours: BusinessHours | None = None
    default_language: str = "en"
    channel: str | None = None  # default Slack channel for escalations from this file
    path: str = ""


@dataclass
class RuleContext:
    """What the engine knows besides the message. Every field may be empty."""

    conversation: Any = None  # conversations.Conversation | None
    history: list = field(default_factory=list)  # list[conversations.Entry], oldest first
    now: datetime | None = None
    ai_failures: int = 0
    # Intents known without reading the text, name → score: the widget's "Talk to a person" button
    # stores a message flagged ``meta.request = "human"``, which is a human_request whatever it says.
    intents: dict = field(default_factory=dict)

    @classmethod
    def from_conversation(cls, conversation, history=None, now: datetime | None = None) -> RuleContext:
        history = list(history or [])
        latest = next((e for e in reversed(history) if getattr(e, "role", "") == "customer"), None)
        asked = latest is not None and (getattr(latest, "meta", None) or {}).get("request") == "human"
        return cls(
            conversation=conversation,
            history=history,
            now=now,
            ai_failures=int(getattr(conversation, "ai_failures", 0) or 0),
            intents={"human_request": 1.0} if asked else {},
        )


@dataclass
class Decision:
    """What the rules say about one shopper message."""

    escalation: Escalation | None = None
    reply: str | None = None
    tags: list[str] = field(default_factory=list)
    close: bool = False
    fired: list[tuple[str, str]] = field(default_factory=list)  # (rule name, why)
    intent: tuple[str, float] | None = None  # best intent and its score, for insights
    language: str | None = None
    intents: dict[str, float] = field(default_factory=dict)  # every intent's score (internal)
    # Set when every escalating rule fired only through the learned intent head: its P(escalate).
    # Such a handoff may be confirmed by Claude (agent.core); a grammar or rule hit never is.
    learned_only: float | None = None
