"""manifest.yml against the code: every event, command, shortcut and action the Bolt app registers,
and every Web API method the code calls, needs the manifest's subscription, feature or scope.

Registrations are read from the built Bolt app (its listeners' matchers keep the constraints they
were registered with); Web API methods are found by scanning the code for ``call(client, "method")``
and ``<client>.<WebClient method>(`` and expanding SDK helpers (``files_upload_v2`` calls several
methods). A method or event missing from the maps below fails the test too: add it with its scopes
from Slack's docs (https://docs.slack.dev/reference/methods).
"""

from __future__ import annotations

import ast
import inspect
import re
from functools import cache
from pathlib import Path

import pytest
import yaml
from slack_sdk import WebClient

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "manifest.yml"
CODE_DIRS = ("bot", "jobs", "webhook", "insights", "conversations", "agent", "knowledge")

# Web API method → bot scopes it needs (any one of a tuple's alternatives; () = none).
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "api.test": (),
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "chat.scheduleMessage": ("chat:write",),
    "chat.getPermalink": (),
    "chat.meMessage": ("chat:write",),
    "users.info": ("users:read",),
    "users.list": ("users:read",),
    "users.lookupByEmail": ("users:read.email",),
    "users.profile.get": ("users.profile:read",),
    "usergroups.list": ("usergroups:read",),
    "usergroups.users.list": ("usergroups:read",),
    "views.publish": (),
    "views.open": (),
    "views.update": (),
    "views.push": (),
    "files.info": ("files:read",),
    "files.list": ("files:read",),
    "files.upload": ("files:write",),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
    "files.delete": ("files:write",),
    "files.remote.add": ("remote_files:write",),
    "conversations.info": ("channels:read", "groups:read"),
    "conversations.list": ("channels:read", "groups:read"),
    "conversations.history": ("channels:history", "groups:history"),
    "conversations.replies": ("channels:history", "groups:history"),
    "conversations.join": ("channels:join",),
    "conversations.members": ("channels:read", "groups:read"),
    "reactions.add": ("reactions:write",),
    "reactions.remove": ("reactions:write",),
    "pins.add": ("pins:write",),
    "team.info": ("team:read",),
    "bookmarks.add": ("bookmarks:write",),
    "apps.connections.open": (),  # the app-level token (connections:write), not a bot scope
}

# Events API event → manifest subscriptions that deliver it (any one), and the scopes each needs.
EVENT_SUBSCRIPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "message": {"message.channels": ("channels:history",), "message.groups": ("groups:history",),
                "message.im": ("im:history",), "message.mpim": ("mpim:history",)},
    "app_home_opened": {"app_home_opened": ()},
    "app_mention": {"app_mention": ("app_mentions:read",)},
    "file_shared": {"file_shared": ("files:read",)},
    "reaction_added": {"reaction_added": ("reactions:read",)},
    "member_joined_channel": {"member_joined_channel": ("channels:read", "groups:read")},
    "channel_archive": {"channel_archive": ("channels:read",)},
    "tokens_revoked": {"tokens_revoked": ()},
    "app_uninstalled": {"app_uninstalled": ()},
}

# Keyword arguments that need a scope of their own whatever the method.
ARGUMENT_SCOPES = {"icon_url": "chat:write.customize", "icon_emoji": "chat:write.customize", "username": "chat:write.customize"}
# Reading a file a member shared (its url_private) needs files:read, though it is no Web API method.
CODE_MARKERS = {"url_private": "files:read"}


@cache
def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text())


def bot_scopes() -> set[str]:
    return set(manifest()["oauth_config"]["scopes"].get("bot") or [])


def bot_events() -> set[str]:
    return set(manifest()["settings"]["event_subscriptions"].get("bot_events") or [])


# -- what the Bolt app registers ---------------------------------------------------------------------
def registrations(bolt) -> list[tuple[str, object]]:
    """(kind, constraint) for each listener: kind is the Bolt decorator (event, command, action,
    message_shortcut, view_submission …), constraint what it was given (a string, dict or pattern)."""
    found = []
    for listener in bolt._listeners:
        for matcher in listener.matchers:
            func = getattr(matcher, "func", None)
            if func is None or not func.__qualname__.endswith(".<locals>.func"):
                continue
            kind = func.__qualname__.split(".")[0]
            cells = [c.cell_contents for c in func.__closure__ or []]
            constraint = next((c for c in cells if isinstance(c, (str, dict, re.Pattern))), None)
            found.append((kind, constraint))
    return found


def _name(constraint, key: str) -> str:
    if isinstance(constraint, dict):
        constraint = constraint.get(key)
    if isinstance(constraint, re.Pattern):
        return constraint.pattern
    return str(constraint)


# -- what the code calls -----------------------------------------------------------------------------
def _sdk_methods(name: str, seen: set[str] | None = None) -> set[str]:
    """The Web API methods a WebClient method calls (``files_upload_v2`` → several)."""
    seen = seen if seen is not None else set()
    if name in seen or not hasattr(WebClient, name):
        return set()
    seen.add(name)
    source = inspect.getsource(getattr(WebClient, name))
    methods = set(re.findall(r"api_call\(\s*\"([A-Za-z.]+)\"", source))
    for helper in re.findall(r"self\.([a-z]+_[A-Za-z_0-9]+)\(", source):
        if helper not in ("api_call",):
            methods |= _sdk_methods(helper, seen)
    return methods


def code_files() -> list[Path]:
    return [p for d in CODE_DIRS for p in sorted((ROOT / d).rglob("*.py"))]


def called_methods() -> dict[str, set[str]]:
    """Web API method → the files that call it."""
    out: dict[str, set[str]] = {}
    for path in code_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            names: set[str] = set()
            func = node.func
            if isinstance(func, ast.Name) and func.id == "call" and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
                names.add(str(node.args[1].value))  # bot.webapi.call(client, "chat_postMessage", …)
            elif isinstance(func, ast.Attribute) and hasattr(WebClient, func.attr) and not func.attr.startswith("_"):
                if func.attr not in ("api_call", "__init__"):
                    names.add(func.attr)
            for name in names:
                methods = _sdk_methods(name) or {name.replace("_", ".", 1)}
                for method in methods:
                    out.setdefault(method, set()).add(str(path.relative_to(ROOT)))
    return out


def argument_scopes() -> dict[str, set[str]]:
    """Scopes needed by keyword arguments of Slack calls (``icon_url`` → chat:write.customize) and by markers."""
    out: dict[str, set[str]] = {}
    for path in code_files():
        text = path.read_text()
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                slack_call = (isinstance(func, ast.Name) and func.id == "call") or (isinstance(func, ast.Attribute) and hasattr(WebClient, func.attr))
                if slack_call:
                    for kw in node.keywords:
                        if kw.arg in ARGUMENT_SCOPES:
                            out.setdefault(ARGUMENT_SCOPES[kw.arg], set()).add(str(path.relative_to(ROOT)))
        for marker, scope in CODE_MARKERS.items():
            if marker in text:
                out.setdefault(scope, set()).add(str(path.relative_to(ROOT)))
    return out


# -- the tests -----------------------------------------------------------------------------------------
def test_every_registered_event_is_subscribed_with_its_scope(bot):
    """Each event the app listens to is in bot_events (through one of its subscriptions) with that subscription's scope."""
    events = {_name(c, "type") for kind, c in registrations(bot.bolt) if kind == "event"}
    assert events, "the app registers no events: registrations() no longer reads Bolt's listeners"
    problems = []
    for event in sorted(events):
        subscriptions = EVENT_SUBSCRIPTIONS.get(event)
        if subscriptions is None:
            problems.append(f"event {event!r} is not in EVENT_SUBSCRIPTIONS: add it with its scopes")
            continue
        subscribed = [s for s in subscriptions if s in bot_events()]
        if not subscribed:
            problems.append(f"event {event!r} is registered but manifest.yml subscribes to none of {sorted(subscriptions)}")
        for sub in subscribed:
            missing = set(subscriptions[sub]) - bot_scopes()
            if missing:
                problems.append(f"subscription {sub!r} needs scopes {sorted(missing)}")
    assert not problems, "\n".join(problems)


def test_every_subscribed_event_has_a_listener(bot):
    """An event in the manifest without a listener would get Bolt's 404, which Slack retries."""
    events = {_name(c, "type") for kind, c in registrations(bot.bolt) if kind == "event"}
    unheard = [sub for sub in sorted(bot_events()) if sub.split(".")[0] not in events]
    assert not unheard, f"manifest.yml subscribes to {unheard} but no listener handles them"


def test_every_command_and_shortcut_is_declared(bot):
    """Slash commands and shortcuts the app registers are in the manifest (commands scope, right type)."""
    regs = registrations(bot.bolt)
    features = manifest()["features"]
    declared_commands = {c["command"] for c in features.get("slash_commands") or []}
    shortcuts = {(s["callback_id"], s["type"]) for s in features.get("shortcuts") or []}
    problems = []
    for kind, constraint in regs:
        if kind == "command" and _name(constraint, "command") not in declared_commands:
            problems.append(f"command {_name(constraint, 'command')} is not in features.slash_commands")
        if kind in ("message_shortcut", "global_shortcut", "shortcut"):
            callback = _name(constraint, "callback_id")
            wanted = {"message_shortcut": {"message"}, "global_shortcut": {"global"}}.get(kind, {"message", "global"})
            if not any((callback, t) in shortcuts for t in wanted):
                problems.append(f"{kind} {callback!r} is not in features.shortcuts")
    if any(kind in ("command", "message_shortcut", "global_shortcut", "shortcut") for kind, _ in regs) and "commands" not in bot_scopes():
        problems.append("slash commands and shortcuts need the `commands` scope")
    assert not problems, "\n".join(problems)


def test_buttons_modals_and_shortcuts_have_interactivity(bot):
    """Actions, view submissions and shortcuts reach the app only with interactivity on, at the events URL."""
    interactive = [(k, _name(c, "action_id")) for k, c in registrations(bot.bolt)
                   if k in ("action", "block_action", "view", "view_submission", "view_closed", "options", "message_shortcut", "shortcut")]
    assert interactive
    settings = manifest()["settings"]
    assert settings.get("interactivity", {}).get("is_enabled") is True, f"{interactive} need settings.interactivity.is_enabled"
    assert settings["interactivity"]["request_url"] == settings["event_subscriptions"]["request_url"]


def test_app_home_is_enabled_when_the_app_publishes_or_listens_to_it(bot):
    """views.publish or an app_home_opened listener needs features.app_home.home_tab_enabled."""
    events = {_name(c, "type") for kind, c in registrations(bot.bolt) if kind == "event"}
    if "app_home_opened" in events or "views.publish" in called_methods():
        assert manifest()["features"]["app_home"]["home_tab_enabled"] is True


def test_every_web_api_method_the_code_calls_has_its_scope():
    """Every Slack Web API method called anywhere in the code has a scope the manifest grants."""
    calls = called_methods()
    assert "chat.postMessage" in calls, "called_methods() no longer finds the mirror's posts"
    problems = []
    for method, files in sorted(calls.items()):
        if method not in METHOD_SCOPES:
            problems.append(f"{method} (called in {sorted(files)}) is not in METHOD_SCOPES: add it with its scopes")
            continue
        needs = METHOD_SCOPES[method]
        if needs and not set(needs) & bot_scopes():
            problems.append(f"{method} (called in {sorted(files)}) needs one of {list(needs)} in oauth_config.scopes.bot")
    for scope, files in sorted(argument_scopes().items()):
        if scope not in bot_scopes():
            problems.append(f"{sorted(files)} need the {scope} scope")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("method, expected", [("chat_postMessage", {"chat.postMessage"}),
                                              ("files_upload_v2", {"files.getUploadURLExternal", "files.completeUploadExternal"})])
def test_sdk_helpers_are_expanded_to_the_methods_they_call(method, expected):
    """The scanner sees through SDK helpers, so files_upload_v2 asks for files:write."""
    assert expected <= _sdk_methods(method)
