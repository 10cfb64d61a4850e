"""What happened in one conversation, read off its log once: handoffs, waits, resolution, citations.

Everything the digest counts is derived from these facts, so each definition lives in one place:

* a *handoff* is an ``escalate`` event; its *question* is the shopper's message that led to it;
* its *trigger* says why: ``shopper`` (asked for a person), ``rule`` (a store rule fired), ``unsure``
  (the AI found no confident answer: ``docs_gap``), ``unavailable`` (the AI service failed) or
  ``intent`` (the AI decided, with a category);
* the *wait* is business-hours time from the handoff to the team's first public reply;
* the *resolution* is the hand-back to the AI or the close, whichever ends the handoff first (an
  idle close counts from the last thing said before it);
* a conversation is *AI-resolved* when it closed without a person and neither it nor the same
  shopper's next conversation was escalated (or it reopened) within 7 days of the close.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conversations import Event
from insights.hours import business_seconds
from insights.logs import Thread, entry_time

RELEVANT = 0.5  # a looked-at doc at or above this relevance answered (knowledge.defaults.RELEVANCE_THRESHOLD)
QUESTION_MESSAGES = 2  # the shopper's last messages before a handoff that make up its question
QUESTION_CHARS = 600
RESOLVED_DAYS = 7  # a close counts as AI-resolved only if nothing came back within this many days
IDLE_CLOSE = "idle"

SHOPPER_CATEGORIES = {"human_request"}
UNSURE_CATEGORIES = {"docs_gap"}
UNAVAILABLE_CATEGORIES = {"ai_unavailable"}


def trigger_of(escalation: dict) -> tuple[str, str]:
    """(kind, label) of why a handoff happened; kinds: shopper, rule, unsure, unavailable, intent."""
    category = str(escalation.get("category") or "other")
    if category in SHOPPER_CATEGORIES:
        return "shopper", "Shopper asked for a person"
    if escalation.get("rule"):
        return "rule", f"Rule: {escalation['rule']}"
    if category in UNAVAILABLE_CATEGORIES:
        return "unavailable", "AI unavailable"
    if category in UNSURE_CATEGORIES:
        return "unsure", "AI unsure"
    return "intent", f"AI decided: {category.replace('_', ' ')}"


def is_gap(escalation: dict) -> bool:
    """Retrieval found nothing relevant: the AI said so (``docs_gap``), or every doc it looked at scored low."""
    if escalation.get("category") in UNSURE_CATEGORIES:
        return True
    looked = escalation.get("looked_at") or []
    if not looked or escalation.get("rule") or escalation.get("category") in SHOPPER_CATEGORIES | UNAVAILABLE_CATEGORIES:
        return False
    return all(float(doc.get("relevance") or 0) < RELEVANT for doc in looked)


@dataclass
class Handoff:
    at: float
    escalation: dict
    question: str
    trigger: tuple[str, str]
    gap: bool
    cited: list[dict] = field(default_factory=list)  # sources of AI answers the shopper got before the handoff
    first_reply_at: float | None = None
    wait: float | None = None  # business seconds to the first human reply
    resolved_at: float | None = None
    replies: list[str] = field(default_factory=list)  # the team's public replies while it had the conversation


@dataclass
class Facts:
    id: str
    number: int
    created_at: float
    customer: str  # the shopper's e-mail, lower-cased ("" when unknown): links their conversations
    slack_channel: str
    handoffs: list[Handoff] = field(default_factory=list)
    hand_backs: int = 0
    human: bool = False  # a person took part (handoff, take-over or a team reply)
    closed_at: float | None = None  # the first close
    came_back: bool = False  # reopened or escalated within RESOLVED_DAYS of the first close
    ai_resolved: bool = False  # set by :func:`mark_resolved`, which also looks at the shopper's later conversations

    @property
    def escalated(self) -> bool:
        return bool(self.handoffs)


def _question(texts: list[str]) -> str:
    """What the shopper asked: their last two messages before the handoff (the problem is often stated
    first, the "still not working" that triggers the handoff comes after), clipped."""
    return " ".join(t.strip() for t in texts[-QUESTION_MESSAGES:] if t.strip())[:QUESTION_CHARS]


def read_facts(thread: Thread, hours=None) -> Facts:
    conv = thread.conv
    facts = Facts(conv.id, conv.number, conv.created_at, str(conv.customer.get("email") or "").strip().lower(), conv.slack_channel)
    shopper: list[str] = []  # shopper messages since the last handoff
    cited: list[dict] = []
    open_handoff: Handoff | None = None
    last_said = conv.created_at
    for entry in thread.entries:
        at = entry_time(entry)
        if entry.type == "message":
            if entry.revision == "deleted":
                continue
            if entry.role == "customer":
                shopper.append(entry.text)
            elif entry.role == "ai":
                cited.extend(entry.sources or [])
            elif entry.role == "agent" and entry.public:
                facts.human = True
                if open_handoff is not None:
                    if open_handoff.first_reply_at is None:
                        open_handoff.first_reply_at = at
                        open_handoff.wait = business_seconds(open_handoff.at, at, hours)
                    open_handoff.replies.append(entry.text)
            last_said = at
            continue
        if entry.type != "event":
            continue
        event = entry.meta.get("event")
        if facts.closed_at is not None and at - facts.closed_at <= RESOLVED_DAYS * 86400 and event in (Event.REOPEN, Event.ESCALATE):
            facts.came_back = True
        if event == Event.ESCALATE:
            escalation = entry.meta.get("escalation") or conv.escalation or {}
            open_handoff = Handoff(at, escalation, _question(shopper), trigger_of(escalation), is_gap(escalation), cited=list(cited))
            facts.handoffs.append(open_handoff)
            facts.human = True
            shopper, cited = [], []
        elif event == Event.TAKE_OVER:
            facts.human = True
        elif event == Event.HAND_BACK:
            facts.hand_backs += 1
            if open_handoff is not None and open_handoff.resolved_at is None:
                open_handoff.resolved_at = at
            open_handoff = None
        elif event == Event.CLOSE:
            if facts.closed_at is None:
                facts.closed_at = at
                facts.ai_resolved = not facts.human
            if open_handoff is not None and open_handoff.resolved_at is None:
                idle = entry.meta.get("reason") == IDLE_CLOSE
                open_handoff.resolved_at = last_said if idle else at
            open_handoff = None
    return facts


def mark_resolved(facts: list[Facts], later_escalated: dict[str, list[float]]) -> None:
    """Finish the AI-resolved flag: a close that came back (reopened, escalated, or the same shopper's
    next conversation escalated within RESOLVED_DAYS) is not a resolution.

    ``later_escalated``: shopper e-mail -> creation times of their escalated conversations (any period).
    """
    window = RESOLVED_DAYS * 86400
    for f in facts:
        if not f.ai_resolved or f.closed_at is None:
            f.ai_resolved = False
            continue
        if f.came_back:
            f.ai_resolved = False
            continue
        if f.customer and any(f.closed_at <= t <= f.closed_at + window for t in later_escalated.get(f.customer, ())):
            f.ai_resolved = False
