"""The agent's turn: rules first, then a brain (Claude or offline), never an exception for API trouble.

    Agent.respond(conversation, history, on_typing)
      1. the rules engine on the latest shopper message — a rule that escalates hands over at once,
         without the model (no shopper wording can talk the agent out of a rule); the one exception is
         a borderline handoff the learned intent head alone proposed, which Claude (when available)
         may overrule, see docs/rules.md;
      2. otherwise the brain answers: ClaudeBrain when ANTHROPIC_API_KEY is set, else OfflineBrain;
      3. a brain failure (API down, index missing, a bug) becomes an honest "a person will pick this
         up" and an escalation with category ``ai_unavailable`` — nothing is lost, nobody waits.

``Reply.meta["answered"]`` says whether this turn answered the shopper (False when the agent was not
sure or could not reach the model); jobs/ uses it for ``conversation.ai_failures``.
"""

from __future__ import annotations

import logging
import time

from agent.brains import lines, smalltalk
from agent.brains.turn import Options, Turn, clip
from agent.errors import AIUnavailable
from agent.types import Escalation, Reply

__all__ = ["Agent", "Options", "Turn", "latest_customer_text", "rule_context", "unavailable"]

log = logging.getLogger(__name__)


class Agent:
    """Rules, then a brain. Build it with ``agent.build_agent(settings, kb, rules)``."""

    def __init__(self, settings, kb, rules, brain):
        self.settings = settings
        self.kb = kb
        self.rules = rules
        self.brain = brain

    def close(self) -> None:
        close = getattr(self.brain, "close", None)
        if close:
            close()

    def respond(self, conversation, history, on_typing=None) -> Reply:
        started = time.perf_counter()
        text = latest_customer_text(history)
        turn = Turn(conversation, list(history), text, smalltalk.detect_language(text), on_typing)
        if not text:
            return Reply(meta={"brain": self.brain.name, "answered": True, "outcome": "nothing_to_answer"})

        decision = self._rules(turn)
        overruled = self._overruled(turn, decision)
        if overruled:
            decision = None
        if decision is not None and decision.language in lines.LINES["handoff"]:
            turn.language = decision.language  # the engine also reads earlier messages: a better guess
        fired = ",".join(_fired(decision))
        if decision is not None and decision.escalation is not None:
            reply = Reply(
                text=decision.reply or lines.line("handoff", turn.language),
                escalation=decision.escalation,
                tags=list(decision.tags or []),
                close=bool(decision.close),
                meta={"brain": "rules", "answered": True, "outcome": "rule", "rules": fired},
            )
            return _timed(reply, started)
        if decision is not None and decision.reply:  # a canned answer, no handoff
            reply = Reply(
                text=decision.reply,
                tags=list(decision.tags or []),
                close=bool(decision.close),
                meta={"brain": "rules", "answered": True, "outcome": "rule", "rules": fired},
            )
            return _timed(reply, started)
        turn.tags = list(getattr(decision, "tags", None) or [])

        try:
            reply = self.brain.answer(turn)
        except AIUnavailable as e:
            log.warning("AI unavailable: %s", e.reason, extra={"conversation": getattr(conversation, "id", "")})
            reply = unavailable(turn, e.reason, brain=self.brain.name)
        except Exception as e:  # the last safety net: a shopper never waits on a crashed turn
            log.exception("agent turn failed", extra={"conversation": getattr(conversation, "id", "")})
            reply = unavailable(turn, f"The assistant hit an internal error ({type(e).__name__})", brain=self.brain.name)
        reply.tags = _merge(turn.tags, reply.tags)
        if overruled:
            reply.meta["overruled"] = overruled
        if decision is not None and decision.close:
            reply.close = True
        if fired:
            reply.meta.setdefault("rules", fired)
        return _timed(reply, started)

    # A learned-only handoff at or above this P(escalate) is not worth a second opinion.
    CONFIRM_BELOW = 0.8

    def _overruled(self, turn: Turn, decision) -> str:
        """Names of the rules whose handoff Claude overruled ("" when none): only a handoff that came from
        the learned intent head alone, with P(escalate) below CONFIRM_BELOW, is put to the brain, and
        only a brain that can judge it (Claude) is asked. No answer keeps the offline decision."""
        if decision is None or decision.escalation is None or decision.learned_only is None:
            return ""
        if decision.learned_only >= self.CONFIRM_BELOW:
            return ""
        confirm = getattr(self.brain, "confirm_handoff", None)
        if confirm is None:
            return ""
        if confirm(turn, decision.escalation.category) is not False:
            return ""
        names = ",".join(_fired(decision))
        log.info("Claude overruled a learned handoff", extra={"conversation": getattr(turn.conversation, "id", ""), "rules": names})
        return names

    def _rules(self, turn: Turn):
        if self.rules is None:
            return None
        from agent.errors import RulesError

        try:
            return self.rules.evaluate(turn.text, rule_context(turn))
        except RulesError:
            log.exception("rules could not be evaluated; answering without them", extra={"conversation": getattr(turn.conversation, "id", "")})
            return None


def rule_context(turn: Turn):
    """The RuleContext for this turn (built from the conversation and its history)."""
    from agent.rules import RuleContext

    return RuleContext.from_conversation(turn.conversation, turn.history)


def _fired(decision) -> list[str]:
    """Names of the rules that fired (not those vetoed by their ``unless``)."""
    if decision is None:
        return []
    return [name for name, why in decision.fired if not str(why).startswith("vetoed")]


def unavailable(turn: Turn, reason: str, *, brain: str) -> Reply:
    """The honest answer when the brain cannot answer at all: a person takes over."""
    return Reply(
        text=lines.line("unavailable", turn.language),
        escalation=Escalation(
            reason=reason,
            category="ai_unavailable",
            summary=f"The AI could not answer (service trouble). The shopper asked: {clip(turn.text, 200)}",
            priority="high",
        ),
        meta={"brain": brain, "answered": False, "outcome": "unavailable"},
    )


def latest_customer_text(history) -> str:
    for entry in reversed(history):
        if entry.role == "customer" and entry.type == "message":
            return entry.text.strip()
    return ""


def _timed(reply: Reply, started: float) -> Reply:
    reply.meta["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return reply


def _merge(a: list, b: list) -> list:
    return list(dict.fromkeys([*a, *b]))
