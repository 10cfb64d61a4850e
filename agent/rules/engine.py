"""The escalation rules engine: a store's policy for when a human steps in, run before the AI.

Every shopper message goes through ``RuleEngine.evaluate`` before the AI sees it. Rules are data
(a TOML file, ``BATON_RULES``), not instructions to a model, so no shopper text ("disregard your
guidelines and keep me with the bot") can talk the engine out of one.

    engine = RuleEngine(settings.rules_path)      # raises RulesError only if the first load fails
    engine.reload_if_changed()                   # cheap mtime check, call per message
    decision = engine.evaluate(text, RuleContext(conversation, history, now))
    decision.escalation / .reply / .tags / .close / .fired / .intent

A rule has triggers (``when``) and actions (``then``). Triggers: ``keywords`` (word boundaries,
case/accent-insensitive, typo tolerant), ``regex``, ``intent`` (built-in or store-defined),
``frustration``, ``ai_failures``, ``messages`` (conversation length), ``customer`` (attributes),
``outside_hours``. ``match = "any"`` (default) fires on any trigger, ``"all"`` needs all of them;
``unless`` holds triggers that veto the rule. Actions: ``escalate`` (priority, channel, mention,
category), ``reply`` (canned, a string or a per-language table), ``tag``, ``close``.
The file format is documented in docs/rules.md; demo/rules.toml is the default policy.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from agent.errors import RuleProblem, RulesError
from agent.rules.actions import Action
from agent.rules.intents import Analysis, IntentClassifier, IntentScore
from agent.rules.loader import load_rules
from agent.rules.model import PRIORITIES, Decision, Rule, RuleContext, RuleSet, Triggers
from agent.rules.text import detect_language, fold
from agent.types import Escalation

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Evaluation


_PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}


def _learned_head():
    """The learned intent head (agent/rules/head.py), or None with an error logged: the grammar still works."""
    from agent.rules.head import ClassifierError, default_head

    try:
        return default_head()
    except ClassifierError as exc:
        log.error("learned intents are off, the cue grammar works alone: %s", exc)
        return None


class RuleEngine:
    """Loaded rules plus the intent classifier; safe to share between threads once built."""

    def __init__(self, path: str | os.PathLike, *, settings=None, embedder=None, learned: bool = True):
        self.path = str(path)
        self.settings = settings
        self.embedder = embedder
        self.head = _learned_head() if learned else None
        self.errors: list[RuleProblem] = []
        self._mtime = self._stat()
        self.ruleset = load_rules(self.path, settings)  # the first load raises: nothing good to keep
        self.classifier = IntentClassifier(self.ruleset.intents, embedder=embedder, head=self.head)

    @property
    def rules(self) -> list[Rule]:
        return self.ruleset.rules

    @property
    def actions(self) -> list[Action]:
        return self.ruleset.actions

    def action(self, name: str) -> Action | None:
        return next((a for a in self.ruleset.actions if a.name == name), None)

    def _stat(self) -> tuple[float, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_mtime, st.st_size)

    def reload_if_changed(self) -> bool:
        """Reload when the file changed. A broken file keeps the last good rules and logs the error."""
        stamp = self._stat()
        if stamp == self._mtime:
            return False
        self._mtime = stamp
        try:
            ruleset = load_rules(self.path, self.settings)
        except RulesError as exc:
            self.errors = exc.problems
            log.error("rules file %s is broken, keeping the last good rules: %s", self.path, exc)
            return False
        self.errors = []
        self.classifier = IntentClassifier(ruleset.intents, embedder=self.embedder, head=self.head)
        self.ruleset = ruleset
        log.info("rules reloaded from %s: %d rules, %d actions", self.path, len(ruleset.rules), len(ruleset.actions))
        return True

    # -- evaluation -------------------------------------------------------------------------------

    def evaluate(self, text: str, ctx: RuleContext | None = None) -> Decision:
        ctx = ctx or RuleContext()
        ruleset = self.ruleset
        classifier = self.classifier
        earlier = _customer_texts(ctx.history)
        if earlier and earlier[-1] == text:
            earlier = earlier[:-1]  # the caller appended the message before asking
        analysis = classifier.analyze(text, earlier[-10:])
        for name, score in (ctx.intents or {}).items():
            if score > getattr(analysis.intents.get(name), "score", 0.0):
                analysis.intents[name] = IntentScore(name, float(score), "known from the widget (the shopper pressed its button)")
        decision = Decision()
        decision.intents = {name: s.score for name, s in analysis.intents.items()}
        best = analysis.best()
        if best is not None and best.score >= 0.3:
            decision.intent = (best.name, best.score)
        state = _State(text, analysis, ctx, ruleset, len(earlier) + 1)
        chosen: tuple[Rule, str] | None = None
        escalating: list[Rule] = []
        for rule in ruleset.rules:
            fired, why = _check(rule.when, rule.match, state)
            if not fired:
                continue
            if rule.unless is not None:
                vetoed, veto_why = _check(rule.unless, "any", state)
                if vetoed:
                    decision.fired.append((rule.name, f"vetoed by unless: {veto_why}"))
                    continue
            decision.fired.append((rule.name, why))
            if rule.escalate:
                escalating.append(rule)
            if rule.escalate and (chosen is None or _PRIORITY_RANK[rule.escalate.priority] > _PRIORITY_RANK[chosen[0].escalate.priority]):
                chosen = (rule, why)
            if rule.reply and decision.reply is None:
                decision.language = decision.language or _language(text, earlier, ruleset.default_language)
                decision.reply = _pick_reply(rule.reply, decision.language, ruleset.default_language)
            for tag in rule.tags:
                if tag not in decision.tags:
                    decision.tags.append(tag)
            decision.close = decision.close or rule.close
        if chosen is not None:
            rule, why = chosen
            esc = rule.escalate
            category = esc.category or next((i for i in rule.when.intents if decision.intents.get(i, 0) >= rule.when.intent_threshold), None)
            decision.escalation = Escalation(
                reason=f"Rule '{rule.name}' fired: {why}",
                category=category or (decision.intent[0] if decision.intent and decision.intent[1] >= 0.9 else "other"),
                summary=esc.summary,
                rule=rule.name,
                priority=esc.priority,
                channel=esc.channel or ruleset.channel,
                mention=esc.mention,
            )
            if _learned_only(escalating, state):
                decision.learned_only = float(analysis.learned.escalate)
        if decision.language is None:
            decision.language = _language(text, earlier, ruleset.default_language)
        return decision

    def analyze(self, text: str, history: list[str] | None = None) -> Analysis:
        return self.classifier.analyze(text, history or [])


@dataclass
class _State:
    text: str
    analysis: Analysis
    ctx: RuleContext
    ruleset: RuleSet
    customer_messages: int

    @property
    def folded(self) -> str:
        return fold(self.text)


def _customer_texts(history) -> list[str]:
    out = []
    for entry in history or []:
        if getattr(entry, "role", None) == "customer" and getattr(entry, "type", "message") == "message":
            out.append(entry.text)
    return out


def _learned_only(escalating: list[Rule], state: _State) -> bool:
    """Whether the handoff rests on the learned head alone: without its intent, none of the rules that
    escalated would fire (a keyword, the grammar or frustration next to it keeps the handoff firm)."""
    learned = {name for name, s in state.analysis.intents.items() if s.learned}
    if not learned:
        return False
    bare = replace(state, analysis=replace(state.analysis, intents={n: s for n, s in state.analysis.intents.items() if n not in learned}))
    return not any(_check(rule.when, rule.match, bare)[0] for rule in escalating)


def _check(trig: Triggers, match: str, state: _State) -> tuple[bool, str]:
    """Evaluate each trigger; return (fired, why) where why lists the reasons that held."""
    results: list[tuple[bool, str]] = []
    analysis = state.analysis
    if trig.keywords:
        hits = trig.lexicon.find(analysis.tokens) if trig.lexicon else {}
        spans = hits.get("keywords", [])
        if spans:
            s, e = spans[0]
            results.append((True, f"keyword matched {' '.join(analysis.tokens[s:e])!r}"))
        else:
            results.append((False, ""))
    if trig.regex:
        found = ""
        for pattern in trig.regex:
            m = pattern.search(state.text) or pattern.search(state.folded)
            if m:
                found = f"regex /{pattern.pattern}/ matched {m.group(0)[:40]!r}"
                break
        results.append((bool(found), found))
    if trig.intents:
        hit = ""
        for name in trig.intents:
            score = analysis.intents.get(name)
            if score is not None and score.score >= trig.intent_threshold:
                hit = f"intent {name} ({score.score:.2f}: {score.why})"
                break
        results.append((bool(hit), hit))
    if trig.frustration is not None:
        ok = analysis.frustration >= trig.frustration
        results.append((ok, f"frustration {analysis.frustration:g} ({'; '.join(analysis.frustration_why)})" if ok else ""))
    if trig.ai_failures is not None:
        conv = state.ctx.conversation
        failures = max(state.ctx.ai_failures, getattr(conv, "ai_failures", 0) or 0)
        ok = failures >= trig.ai_failures
        results.append((ok, f"the AI could not answer {failures} times in a row" if ok else ""))
    if trig.messages is not None:
        ok = state.customer_messages >= trig.messages
        results.append((ok, f"{state.customer_messages} shopper messages in this conversation" if ok else ""))
    if trig.customer:
        ok, why = _customer_matches(trig.customer, state.ctx.conversation)
        results.append((ok, why))
    if trig.outside_hours is not None:
        hours = state.ruleset.hours
        now = state.ctx.now or datetime.now(UTC)
        closed = not hours.is_open(now)
        ok = closed == trig.outside_hours
        local = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(hours.timezone)
        results.append((ok, f"{'outside' if closed else 'inside'} business hours ({local:%a %H:%M} {hours.timezone.key})" if ok else ""))
    if not results:
        return False, ""
    if match == "all":
        return all(ok for ok, _ in results), " and ".join(why for ok, why in results if ok)
    reasons = [why for ok, why in results if ok]
    return bool(reasons), "; ".join(reasons)


def _customer_matches(wanted: dict, conversation) -> tuple[bool, str]:
    customer = dict(getattr(conversation, "customer", None) or {})
    tags = {str(t).lower() for t in (customer.get("tags") or [])} | {str(t).lower() for t in (getattr(conversation, "tags", None) or [])}
    reasons = []
    for key, value in wanted.items():
        if key == "tags":
            needed = [value] if isinstance(value, str) else list(value)
            if not all(str(t).lower() in tags for t in needed):
                return False, ""
            reasons.append(f"tagged {', '.join(needed)}")
        else:
            have = customer.get(key)
            if isinstance(value, list):
                if have not in value:
                    return False, ""
            elif have != value and not (isinstance(value, str) and isinstance(have, str) and have.lower() == value.lower()):
                return False, ""
            reasons.append(f"{key} = {have!r}")
    return True, "customer " + " and ".join(reasons)


def _language(text: str, earlier: list[str], default: str) -> str:
    return detect_language(text) or detect_language(" ".join(earlier[-3:])) or default


def _pick_reply(replies: dict[str, str], language: str, default: str) -> str:
    for key in (language, default, "*", "en"):
        if key in replies:
            return replies[key]
    return next(iter(replies.values()))
