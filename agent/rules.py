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
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.actions import DEFAULT_TIMEOUT, MAX_TIMEOUT, METHODS, Action, secret_value
from agent.errors import RuleProblem, RulesError
from agent.intents import BUILTIN_INTENTS, Analysis, CustomIntent, IntentClassifier, Lexicon, detect_language, fold, tokenize
from agent.types import Escalation

log = logging.getLogger(__name__)

PRIORITIES = ("low", "normal", "high", "urgent")
TRIGGERS = ("keywords", "regex", "intent", "intent_threshold", "frustration", "ai_failures", "messages", "customer", "outside_hours")
ACTIONS = ("escalate", "reply", "tag", "close")
RULE_KEYS = ("name", "description", "when", "then", "match", "unless", "enabled")
ESCALATE_KEYS = ("priority", "channel", "mention", "category", "summary")
ACTION_KEYS = ("name", "description", "url", "method", "args", "secret_env", "secret_header", "secret_prefix", "timeout")
INTENT_KEYS = ("name", "description", "examples", "threshold", "keywords")
STORE_KEYS = ("timezone", "hours", "default_language", "channel")
HOURS_KEYS = ("days", "open", "close", "holidays", "timezone")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_INTENT_THRESHOLD = 0.9  # built-in intents score 1.0 when their grammar matches, 0.3-0.8 when only hinted
DEFAULT_FRUSTRATION = 2.0  # ALL CAPS = 1, each angry word = 1 (max 2), a threat = 2, a repeated message = 1
_CHANNEL = re.compile(r"^(#[a-z0-9][a-z0-9_\-]{0,79}|[CGD][A-Z0-9]{6,})$")
_MENTION = re.compile(r"^(@[\w.\-]+|<!subteam\^[A-Z0-9]+(\|[^>]*)?>|<@[UW][A-Z0-9]+>|<!here>|<!channel>)$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


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

    @classmethod
    def from_conversation(cls, conversation, history=None, now: datetime | None = None) -> RuleContext:
        return cls(
            conversation=conversation,
            history=list(history or []),
            now=now,
            ai_failures=int(getattr(conversation, "ai_failures", 0) or 0),
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


# ---------------------------------------------------------------------------------------------
# Line numbers


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+(?:\s*\.\s*[A-Za-z0-9_\-\"']+)*)\s*=")


class LineMap:
    """Maps a path in the parsed TOML ("rules", 2, "when", "regex") to its line in the file.

    tomllib gives no positions, so this reads the text: table headers (``[[rules]]``,
    ``[rules.when]``) and ``key =`` lines, tracking array-of-tables indexes. Good enough for the
    shapes a rules file has; an unknown path falls back to the nearest known parent.
    """

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.where: dict[tuple, int] = {}
        counts: dict[tuple, int] = {}
        current: tuple = ()
        in_string = False
        for number, raw in enumerate(self.lines, start=1):
            if raw.count('"""') % 2 == 1 or raw.count("'''") % 2 == 1:
                in_string = not in_string
                if not in_string:
                    continue
            if in_string:
                continue
            header = _HEADER.match(raw)
            if header:
                names = tuple(p.strip().strip("\"'") for p in header.group(2).split("."))
                if header.group(1) == "[[":
                    parent = self._resolve(names[:-1], counts)
                    key = (*parent, names[-1])
                    counts[key] = counts.get(key, -1) + 1
                    current = (*key, counts[key])
                else:
                    current = self._resolve(names, counts)
                self.where.setdefault(current, number)
                continue
            key = _KEY.match(raw)
            if key:
                names = tuple(p.strip().strip("\"'") for p in key.group(1).split("."))
                self.where.setdefault((*current, *names), number)

    @staticmethod
    def _resolve(names: tuple, counts: dict) -> tuple:
        """Insert the current index of every array of tables along ``names``: rules.when -> rules, 3, when."""
        out: tuple = ()
        for name in names:
            out = (*out, name)
            if out in counts:
                out = (*out, counts[out])
        return out

    def line(self, *path, needle: str | None = None) -> int | None:
        for end in range(len(path), 0, -1):
            if path[:end] in self.where:
                base = self.where[path[:end]]
                if needle:
                    for offset, raw in enumerate(self.lines[base - 1 : base + 40]):
                        if needle[:30] in raw:
                            return base + offset
                return base
        return None


# ---------------------------------------------------------------------------------------------
# Loading and validation


class _Loader:
    def __init__(self, path: str, text: str, settings):
        self.path = path
        self.lines = LineMap(text)
        self.problems: list[RuleProblem] = []
        self.settings = settings

    def problem(self, path: tuple, message: str, needle: str | None = None) -> None:
        self.problems.append(RuleProblem(self.lines.line(*path, needle=needle), message))

    def unknown_keys(self, data: dict, allowed, path: tuple, what: str) -> None:
        for key in data:
            if key not in allowed:
                self.problem((*path, key), f"unknown {what} {key!r}; expected one of: {', '.join(allowed)}")

    # -- sections ---------------------------------------------------------------------------------

    def load(self, data: dict) -> RuleSet:
        self.unknown_keys(data, ("store", "rules", "actions", "intents"), (), "section")
        store = data.get("store", {})
        hours, default_language, channel = self.store(store if isinstance(store, dict) else {})
        intents = self.custom_intents(data.get("intents", []))
        known_intents = set(BUILTIN_INTENTS) | {ci.name for ci in intents}
        actions = self.actions(data.get("actions", []))
        rules_data = data.get("rules", [])
        rules: list[Rule] = []
        if not isinstance(rules_data, list):
            self.problem(("rules",), "`rules` must be a list of tables: write each rule as [[rules]]")
            rules_data = []
        names: set[str] = set()
        for index, raw in enumerate(rules_data):
            rule = self.rule(index, raw, known_intents, hours, channel)
            if rule is None:
                continue
            if rule.name in names:
                self.problem(("rules", index, "name"), f"two rules are called {rule.name!r}; give each rule its own name")
            names.add(rule.name)
            rules.append(rule)
        return RuleSet(rules, actions, intents, hours, default_language, channel, self.path)

    def store(self, store: dict):
        self.unknown_keys(store, STORE_KEYS, ("store",), "store setting")
        tz_name = store.get("timezone", "UTC")
        tz = self.timezone(tz_name, ("store", "timezone"))
        hours = None
        raw = store.get("hours")
        if raw is not None:
            if not isinstance(raw, dict):
                self.problem(("store", "hours"), 'hours must be a table: hours = { days = "mon-fri", open = "09:00", close = "18:00" }')
            else:
                hours = self.hours(raw, tz)
        channel = store.get("channel")
        if channel is not None and not self.valid_channel(channel, ("store", "channel")):
            channel = None
        return hours, str(store.get("default_language", "en")), channel

    def timezone(self, name, path) -> ZoneInfo:
        try:
            return ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(path, f"unknown timezone {name!r}; use an IANA name such as \"Europe/Lisbon\" or \"America/New_York\"")
            return ZoneInfo("UTC")

    def hours(self, raw: dict, tz: ZoneInfo) -> BusinessHours | None:
        path = ("store", "hours")
        self.unknown_keys(raw, HOURS_KEYS, path, "hours setting")
        if "timezone" in raw:
            tz = self.timezone(raw["timezone"], (*path, "timezone"))
        days = self.days(raw.get("days", "mon-fri"), (*path, "days"))
        opening = self.clock(raw.get("open", "09:00"), (*path, "open"))
        closing = self.clock(raw.get("close", "17:00"), (*path, "close"))
        holidays = set()
        for item in raw.get("holidays", []):
            try:
                holidays.add(item if isinstance(item, date) else date.fromisoformat(str(item)))
            except ValueError:
                self.problem((*path, "holidays"), f"holiday {item!r} is not a date; write 2025-12-25", needle=str(item))
        if days is None or opening is None or closing is None:
            return None
        return BusinessHours(tz, frozenset(days), opening, closing, frozenset(holidays))

    def days(self, raw, path) -> set[int] | None:
        items = raw if isinstance(raw, list) else [p.strip() for p in str(raw).split(",")]
        out: set[int] = set()
        for item in items:
            item = str(item).strip().lower()[:7]
            if "-" in item:
                a, _, b = item.partition("-")
                if a[:3] in DAYS and b[:3] in DAYS:
                    i, j = DAYS.index(a[:3]), DAYS.index(b[:3])
                    out.update(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
                    continue
            elif item[:3] in DAYS:
                out.add(DAYS.index(item[:3]))
                continue
            self.problem(path, f"days {raw!r}: write day names like \"mon-fri\" or [\"mon\", \"wed\", \"sat\"]")
            return None
        return out

    def clock(self, raw, path) -> time | None:
        if isinstance(raw, time):
            return raw
        try:
            return time.fromisoformat(str(raw))
        except ValueError:
            self.problem(path, f"{raw!r} is not a time of day; write it as \"09:00\"")
            return None

    def custom_intents(self, raw) -> list[CustomIntent]:
        out = []
        if not isinstance(raw, list):
            self.problem(("intents",), "`intents` must be a list of tables: write each one as [[intents]]")
            return out
        for index, item in enumerate(raw):
            path = ("intents", index)
            self.unknown_keys(item, INTENT_KEYS, path, "intent setting")
            name = item.get("name")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name or ""):
                self.problem((*path, "name"), "each intent needs a name in lower_snake_case, e.g. name = \"custom_work\"")
                continue
            if name in BUILTIN_INTENTS:
                self.problem((*path, "name"), f"{name!r} is a built-in intent; pick another name for yours")
                continue
            examples = item.get("examples", [])
            if not isinstance(examples, list) or len(examples) < 2 or not all(isinstance(e, str) and e.strip() for e in examples):
                self.problem((*path, "examples"), f"intent {name!r} needs at least two example phrases (examples = [\"...\", \"...\"])")
                continue
            threshold = item.get("threshold", 0.6)
            if not isinstance(threshold, int | float) or not 0 < threshold <= 1:
                self.problem((*path, "threshold"), "threshold must be a number between 0 and 1 (similarity to the examples)")
                threshold = 0.6
            keywords = self.string_list(item.get("keywords", []), (*path, "keywords"))
            out.append(CustomIntent(name, examples, float(threshold), keywords, str(item.get("description", ""))))
        return out

    def actions(self, raw) -> list[Action]:
        out = []
        if not isinstance(raw, list):
            self.problem(("actions",), "`actions` must be a list of tables: write each one as [[actions]]")
            return out
        for index, item in enumerate(raw):
            path = ("actions", index)
            self.unknown_keys(item, ACTION_KEYS, path, "action setting")
            name = item.get("name")
            if not isinstance(name, str) or not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9_\-]{0,63}", name or ""):
                self.problem((*path, "name"), "each action needs a name of letters, digits, _ or - (it becomes a tool name)")
                continue
            url = item.get("url", "")
            if not isinstance(url, str) or not re.match(r"^https?://[^\s/]+", url):
                self.problem((*path, "url"), f"action {name!r} needs a url starting with https:// (or http://)")
            method = str(item.get("method", "GET")).upper()
            if method not in METHODS:
                self.problem((*path, "method"), f"action {name!r}: method {method!r} is not one of {', '.join(METHODS)}")
            schema = item.get("args", {"type": "object", "properties": {}})
            try:
                import jsonschema

                jsonschema.Draft202012Validator.check_schema(schema)
                if schema.get("type") != "object":
                    raise jsonschema.SchemaError("the top level must be {type = \"object\", properties = {...}}")
            except jsonschema.SchemaError as exc:
                self.problem((*path, "args"), f"action {name!r}: args is not a valid JSON schema: {exc.message}")
            secret_env = str(item.get("secret_env", ""))
            if secret_env:
                if not _ENV_NAME.match(secret_env):
                    self.problem((*path, "secret_env"), f"action {name!r}: secret_env must be the NAME of an environment variable")
                elif not secret_value(secret_env):
                    self.problem(
                        (*path, "secret_env"),
                        f"action {name!r}: the environment variable {secret_env} is not set; set it (or put it in .env) before starting Baton",
                    )
            timeout = item.get("timeout", DEFAULT_TIMEOUT)
            if not isinstance(timeout, int | float) or not 0 < timeout <= MAX_TIMEOUT:
                self.problem((*path, "timeout"), f"action {name!r}: timeout must be a number of seconds between 0 and {MAX_TIMEOUT:g}")
                timeout = DEFAULT_TIMEOUT
            out.append(
                Action(
                    name=name,
                    description=str(item.get("description", "")),
                    url=url if isinstance(url, str) else "",
                    method=method,
                    args_schema=schema if isinstance(schema, dict) else {},
                    secret_env=secret_env,
                    secret_header=str(item.get("secret_header", "Authorization")),
                    secret_prefix=str(item.get("secret_prefix", "")),
                    timeout=float(timeout),
                    line=self.lines.line(*path),
                )
            )
        return out

    def string_list(self, raw, path) -> list[str]:
        if isinstance(raw, str):
            return [raw]
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            self.problem(path, "expected a list of strings, e.g. [\"refund\", \"money back\"]")
            return []
        return raw

    def valid_channel(self, channel, path) -> bool:
        if not isinstance(channel, str) or not channel.strip():
            self.problem(path, "channel is empty: give a Slack channel such as \"#billing\" (or remove the line to use the inbox)")
            return False
        if not _CHANNEL.match(channel):
            self.problem(path, f"channel {channel!r} is not a Slack channel: write \"#name\" (lower case) or a channel id like C0123ABCD")
            return False
        return True

    def triggers(self, raw, path: tuple, known_intents: set[str], hours) -> Triggers:
        trig = Triggers()
        if not isinstance(raw, dict):
            self.problem(path, f"`{path[-1]}` must be a table of triggers, e.g. when = {{ intent = \"refund_request\" }}")
            return trig
        for key in raw:
            if key not in TRIGGERS:
                self.problem((*path, key), f"unknown trigger {key!r}; triggers are: {', '.join(TRIGGERS)}")
        trig.keywords = self.string_list(raw.get("keywords", []), (*path, "keywords"))
        if trig.keywords:
            trig.lexicon = Lexicon({"keywords": trig.keywords})
        for pattern in self.string_list(raw.get("regex", []), (*path, "regex")):
            try:
                trig.regex.append(re.compile(pattern, re.IGNORECASE))
            except re.error as exc:
                self.problem((*path, "regex"), f"bad regular expression {pattern!r}: {exc.msg} (at position {exc.pos})", needle=pattern)
        for intent in self.string_list(raw.get("intent", []), (*path, "intent")):
            if intent not in known_intents:
                self.problem(
                    (*path, "intent"),
                    f"unknown intent {intent!r}; built-in intents are {', '.join(BUILTIN_INTENTS)}, or define it under [[intents]]",
                    needle=intent,
                )
            else:
                trig.intents.append(intent)
        if "intent_threshold" in raw:
            value = raw["intent_threshold"]
            if not isinstance(value, int | float) or not 0 < value <= 1:
                self.problem((*path, "intent_threshold"), "intent_threshold must be a number between 0 and 1")
            else:
                trig.intent_threshold = float(value)
        if "frustration" in raw:
            value = raw["frustration"]
            if value is True:
                trig.frustration = DEFAULT_FRUSTRATION
            elif isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                trig.frustration = float(value)
            elif value is not False:
                self.problem((*path, "frustration"), "frustration must be true or a score such as 2 (ALL CAPS = 1, angry word = 1, threat = 2, repeat = 1)")
        for key in ("ai_failures", "messages"):
            if key in raw:
                value = raw[key]
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    self.problem((*path, key), f"{key} must be a whole number of at least 1")
                else:
                    setattr(trig, key, value)
        if "customer" in raw:
            value = raw["customer"]
            if not isinstance(value, dict) or not value:
                self.problem((*path, "customer"), 'customer must be a table of attributes, e.g. customer = { tags = ["vip"], verified = true }')
            else:
                trig.customer = value
        if "outside_hours" in raw:
            value = raw["outside_hours"]
            if not isinstance(value, bool):
                self.problem((*path, "outside_hours"), "outside_hours must be true or false")
            elif hours is None:
                self.problem((*path, "outside_hours"), 'outside_hours needs business hours: add [store] hours = { days = "mon-fri", open = "09:00", close = "18:00" }')
            else:
                trig.outside_hours = value
        return trig

    def rule(self, index: int, raw, known_intents, hours, default_channel) -> Rule | None:
        path = ("rules", index)
        if not isinstance(raw, dict):
            self.problem(path, "each rule must be a table: start it with [[rules]]")
            return None
        self.unknown_keys(raw, RULE_KEYS, path, "rule setting")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            self.problem(path, "this rule has no name: add name = \"...\" (it is shown to the team when the rule fires)")
            name = f"rule #{index + 1}"
        when = self.triggers(raw.get("when", {}), (*path, "when"), known_intents, hours)
        if when.empty():
            self.problem((*path, "when"), f"rule {name!r} has no triggers: add a `when` table, e.g. when = {{ intent = \"human_request\" }}")
        unless = self.triggers(raw["unless"], (*path, "unless"), known_intents, hours) if "unless" in raw else None
        match = raw.get("match", "any")
        if match not in ("any", "all"):
            self.problem((*path, "match"), 'match must be "any" (one trigger is enough) or "all" (every trigger must hold)')
            match = "any"
        rule = Rule(name=name, when=when, unless=unless, match=match, description=str(raw.get("description", "")), line=self.lines.line(*path))
        then = raw.get("then", {})
        if not isinstance(then, dict) or not then:
            self.problem((*path, "then"), f"rule {name!r} does nothing: add a `then` table, e.g. then = {{ escalate = {{ priority = \"high\" }} }}")
            return rule
        for key in then:
            if key not in ACTIONS:
                self.problem((*path, "then", key), f"unknown action {key!r}; actions are: {', '.join(ACTIONS)}")
        if "escalate" in then:
            rule.escalate = self.escalate(then["escalate"], (*path, "then", "escalate"), name, default_channel)
        if "reply" in then:
            reply = then["reply"]
            if isinstance(reply, str) and reply.strip():
                rule.reply = {"*": reply}
            elif isinstance(reply, dict) and reply and all(isinstance(v, str) and v.strip() for v in reply.values()):
                rule.reply = {str(k).lower(): v for k, v in reply.items()}
            else:
                self.problem((*path, "then", "reply"), 'reply must be a text or a table of texts per language, e.g. reply = { en = "...", es = "..." }')
        if "tag" in then:
            rule.tags = self.string_list(then["tag"], (*path, "then", "tag"))
        if "close" in then:
            if not isinstance(then["close"], bool):
                self.problem((*path, "then", "close"), "close must be true or false")
            else:
                rule.close = then["close"]
        if rule.close and rule.escalate:
            self.problem((*path, "then", "close"), f"rule {name!r} both escalates and closes; a closed conversation never reaches the team")
        return rule

    def escalate(self, raw, path, name, default_channel) -> EscalateAction | None:
        if raw is True:
            raw = {}
        if not isinstance(raw, dict):
            self.problem(path, 'escalate must be true or a table, e.g. escalate = { priority = "high", mention = "@billing" }')
            return None
        self.unknown_keys(raw, ESCALATE_KEYS, path, "escalate setting")
        action = EscalateAction()
        priority = raw.get("priority", "normal")
        if priority not in PRIORITIES:
            self.problem((*path, "priority"), f"priority {priority!r} is not one of {', '.join(PRIORITIES)}")
        else:
            action.priority = priority
        if "channel" in raw:
            if self.valid_channel(raw["channel"], (*path, "channel")):
                action.channel = raw["channel"]
        mention = raw.get("mention")
        if mention is not None:
            if not isinstance(mention, str) or not _MENTION.match(mention):
                self.problem((*path, "mention"), f"mention {mention!r} should look like \"@billing\" or \"<!subteam^S0123ABC>\"")
            else:
                action.mention = mention
        category = raw.get("category")
        if category is not None:
            action.category = str(category)
        action.summary = str(raw.get("summary", ""))
        settings = self.settings
        if (
            settings is not None
            and getattr(settings, "slack_enabled", False)
            and not getattr(settings, "slack_inbox_channel", "")
            and not action.channel
            and not default_channel
        ):
            self.problem(
                (*path, "channel") if "channel" in raw else path,
                f"rule {name!r} escalates but no Slack channel is set: set SLACK_INBOX_CHANNEL, "
                'or give the rule channel = "#support" (or [store] channel = "#support")',
            )
        return action


def load_rules(path: str | os.PathLike, settings=None) -> RuleSet:
    """Parse and validate a rules file. Raises RulesError listing every problem with its line."""
    path = str(path)
    try:
        raw_bytes = Path(path).read_bytes()
    except OSError as exc:
        raise RulesError(path, [RuleProblem(None, f"cannot read the rules file: {exc.strerror}; set BATON_RULES to an existing file")]) from None
    text = raw_bytes.decode("utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = int(match.group(1)) if match else getattr(exc, "lineno", None)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc)) or "not valid TOML"
        column = f" (column {match.group(2)})" if match else ""
        raise RulesError(path, [RuleProblem(line, f"TOML syntax error: {message}{column}")]) from None
    loader = _Loader(path, text, settings)
    ruleset = loader.load(data)
    if loader.problems:
        raise RulesError(path, sorted(loader.problems, key=lambda p: (p.line or 0)))
    return ruleset


# ---------------------------------------------------------------------------------------------
# Evaluation


_PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}


def _learned_head():
    """The learned intent head (agent/classifier.py), or None with an error logged: the grammar still works."""
    from agent.classifier import ClassifierError, default_head

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


def check_file(path: str | os.PathLike, settings=None) -> list[RuleProblem]:
    """Every problem in the file ([] when it is fine), for `flask rules check`."""
    try:
        load_rules(path, settings)
    except RulesError as exc:
        return exc.problems
    return []


__all__ = [
    "Decision",
    "RuleContext",
    "RuleEngine",
    "RuleSet",
    "RuleProblem",
    "RulesError",
    "check_file",
    "load_rules",
    "tokenize",
]
