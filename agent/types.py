"""Plain data the agent hands back to jobs/ (which appends it to the conversation log)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Escalation:
    """Why a conversation goes to the team. Shown on the Slack card."""

    reason: str  # one line, for humans: "Rule 'refunds' fired" / the model's reason
    category: str = "other"  # refund_request, license_problem, human_request, billing_dispute, ...
    summary: str = ""  # two lines for the team
    rule: str | None = None  # name of the rule that fired, if any
    priority: str = "normal"  # low | normal | high | urgent
    channel: str | None = None  # Slack channel override
    mention: str | None = None  # user-group mention, e.g. "@billing" or "<!subteam^S123>"
    looked_at: list[dict] = field(default_factory=list)  # [{title, url, relevance}] docs consulted
    action_results: list[dict] = field(default_factory=list)  # custom HTTP action outputs


@dataclass
class Reply:
    """What the AI says to the shopper this turn (text may be empty when it only escalates)."""

    text: str = ""
    sources: list[dict] = field(default_factory=list)  # [{title, url}]
    escalation: Escalation | None = None
    tags: list[str] = field(default_factory=list)  # topics for insights
    close: bool = False
    meta: dict = field(default_factory=dict)  # brain, model, relevance, tool rounds ... (internal)
