"""The handoff state machine (see docs/architecture.md).

        rule fires / AI unsure / shopper asks for a human
  ai ───────────────────────────────────────────▶ waiting
  ▲                                                  │ agent replies / "Take over"
  └──── /handback · button · shortcut ──── human ◀───┘
  closed ◀── close (from any state); the shopper writing again reopens it (→ ai)
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    AI = "ai"
    WAITING = "waiting"
    HUMAN = "human"
    CLOSED = "closed"


class Event(StrEnum):
    ESCALATE = "escalate"
    TAKE_OVER = "take_over"
    HAND_BACK = "hand_back"
    CLOSE = "close"
    REOPEN = "reopen"


# event → (states it may start from, state it leads to)
TRANSITIONS: dict[Event, tuple[frozenset[State], State]] = {
    Event.ESCALATE: (frozenset({State.AI}), State.WAITING),
    Event.TAKE_OVER: (frozenset({State.AI, State.WAITING}), State.HUMAN),
    Event.HAND_BACK: (frozenset({State.WAITING, State.HUMAN}), State.AI),
    Event.CLOSE: (frozenset({State.AI, State.WAITING, State.HUMAN}), State.CLOSED),
    Event.REOPEN: (frozenset({State.CLOSED}), State.AI),
}

# What the shopper (and the Slack thread) is told about each transition.
ANNOUNCEMENTS: dict[Event, str] = {
    Event.ESCALATE: "I've passed this to our team. A person will reply here shortly.",
    Event.TAKE_OVER: "{actor} from our team has joined the conversation.",
    Event.HAND_BACK: "{actor} handed the conversation back to our AI assistant.",
    Event.CLOSE: "This conversation was closed. Write again any time to reopen it.",
    Event.REOPEN: "Conversation reopened.",
}

# States in which the AI must not answer.
AI_SILENT = frozenset({State.WAITING, State.HUMAN})
