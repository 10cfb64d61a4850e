"""What a brain is given and the answers every brain shares: the agent's options, one turn, "not sure".

A brain is any object with ``name`` and ``answer(turn: Turn) -> Reply`` (and optionally ``close()`` and
``confirm_handoff(turn, intent) -> bool | None``); agent/core.py calls it after the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.brains import lines
from agent.types import Escalation, Reply


@dataclass(frozen=True)
class Options:
    """The agent's knobs, from config.Settings (defaults and env vars are documented there)."""

    timeout: float = 30.0  # seconds per API request
    max_retries: int = 2  # SDK retries with back-off before the agent hands over
    effort: str = "low"  # output_config.effort ("" = the model's default)
    max_tool_rounds: int = 4  # tool rounds per turn before the agent hands over
    uncited: str = "offer"  # an answer without citations: "offer" a person, or "escalate"
    audience: str | None = None  # knowledge audience filter (None = all docs)
    max_tokens: int = 1024  # per model call: a chat answer plus (adaptive) thinking

    @classmethod
    def from_settings(cls, settings) -> Options:
        uncited = str(settings.agent_uncited).strip().lower()
        return cls(
            timeout=float(settings.anthropic_timeout),
            max_retries=int(settings.anthropic_max_retries),
            effort=_effort(settings.anthropic_effort),
            max_tool_rounds=max(1, int(settings.agent_max_tool_rounds)),
            uncited="escalate" if uncited == "escalate" else "offer",
        )

    def not_sure(self, turn: Turn, reason: str, looked_at: list[dict], meta: dict) -> Reply:
        """What the shopper hears when the docs do not back an answer: per the store's setting."""
        if self.uncited == "escalate":
            return not_sure_handoff(turn, reason, looked_at, meta)
        return Reply(
            text=lines.line("not_sure_offer", turn.language),
            meta={**meta, "answered": False, "outcome": "not_sure", "offered_handoff": True},
        )


@dataclass
class Turn:
    """One shopper message to answer, with what the brains need to answer it."""

    conversation: object
    history: list
    text: str
    language: str = "en"
    on_typing: object = None
    tags: list = field(default_factory=list)

    @property
    def previous_ai_meta(self) -> dict:
        """The meta of the AI's last message before this one (e.g. it offered a person)."""
        for entry in reversed(self.history[:-1]):
            if entry.type == "message" and entry.role in ("ai", "agent"):
                return entry.meta if entry.role == "ai" else {}
        return {}


def _effort(value) -> str:
    value = str(value or "").strip().lower()
    return "" if value in ("", "none", "default") else value


def not_sure_handoff(turn: Turn, reason: str, looked_at: list[dict], meta: dict, *, category: str = "docs_gap") -> Reply:
    """Say honestly that the agent is not sure, and hand over with the docs it looked at."""
    return Reply(
        text=lines.line("not_sure_handoff", turn.language),
        escalation=Escalation(
            reason=reason,
            category=category,
            summary=f"The shopper asked: {clip(turn.text, 220)}\nThe docs did not give a confident answer.",
            looked_at=looked_at,
        ),
        meta={**meta, "answered": False, "outcome": "not_sure"},
    )



def clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
