"""Loading and validating a rules file: every problem reported with its line, none fixed silently."""

from __future__ import annotations

import os
import re
import tomllib
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.errors import RuleProblem, RulesError
from agent.rules.actions import DEFAULT_TIMEOUT, IDENTITY_FIELDS, MAX_TIMEOUT, METHODS, Action, secret_value
from agent.rules.intents import CustomIntent
from agent.rules.lexicon import BUILTIN_INTENTS, Lexicon
from agent.rules.linemap import LineMap
from agent.rules.model import PRIORITIES, BusinessHours, EscalateAction, Rule, RuleSet, Triggers

TRIGGERS = ("keywords", "regex", "intent", "intent_threshold", "frustration", "ai_failures", "messages", "customer", "outside_hours")
ACTIONS = ("escalate", "reply", "tag", "close")
RULE_KEYS = ("name", "description", "when", "then", "match", "unless", "enabled")
ESCALATE_KEYS = ("priority", "channel", "mention", "category", "summary")
ACTION_KEYS = ("name", "description", "url", "method", "args", "secret_env", "secret_header", "secret_prefix", "timeout", "bind", "share_with_ai")
INTENT_KEYS = ("name", "description", "examples", "threshold", "keywords")
STORE_KEYS = ("timezone", "hours", "default_language", "channel")
HOURS_KEYS = ("days", "open", "close", "holidays", "timezone")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_FRUSTRATION = 2.0  # ALL CAPS = 1, each angry word = 1 (max 2), a threat = 2, a repeated message = 1
_CHANNEL = re.compile(r"^(#[a-z0-9][a-z0-9_\-]{0,79}|[CGD][A-Z0-9]{6,})$")
_MENTION = re.compile(r"^(@[\w.\-]+|<!subteam\^[A-Z0-9]+(\|[^>]*)?>|<@[UW][A-Z0-9]+>|<!here>|<!channel>)$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

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
            bind = self.action_bind(item.get("bind", {}), schema, name, path)
            share = self.string_list(item.get("share_with_ai", []), (*path, "share_with_ai"))
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
                    bind=bind,
                    share_with_ai=tuple(share),
                )
            )
        return out

    def action_bind(self, raw, schema, name: str, path) -> dict:
        """``bind = { email = "customer.email" }``: arguments filled from the verified identity."""
        if not isinstance(raw, dict):
            self.problem((*path, "bind"), f'action {name!r}: bind must be a table, e.g. bind = {{ email = "customer.email" }}')
            return {}
        properties = (schema.get("properties") or {}) if isinstance(schema, dict) else {}
        bind = {}
        for arg, field_path in raw.items():
            if field_path not in IDENTITY_FIELDS:
                self.problem((*path, "bind", arg), f"action {name!r}: bind.{arg} must be one of {', '.join(IDENTITY_FIELDS)}")
            elif arg not in properties:
                self.problem((*path, "bind", arg), f"action {name!r}: bind.{arg} names no argument in args.properties")
            else:
                bind[arg] = field_path
        return bind

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



def check_file(path: str | os.PathLike, settings=None) -> list[RuleProblem]:
    """Every problem in the file ([] when it is fine), for `flask rules check`."""
    try:
        load_rules(path, settings)
    except RulesError as exc:
        return exc.problems
    return []
