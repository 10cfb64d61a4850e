"""Custom HTTP actions: store-defined tools the AI may call ("lookup_order(email)").

An action is declared in the rules file (``[[actions]]``): a URL, a method, a JSON schema for its
arguments, an optional secret header whose value comes from an environment variable, a timeout.
``call_action`` validates the arguments, calls the store's API for real and returns its JSON as a
dict; every failure becomes an ``ActionError`` whose message says what to fix. Results are shown to
the team on escalation, so they are plain JSON-able dicts.

The secret is read when the call is made (the rules file names the variable, so config.py cannot
list it in advance) and is never logged or put in an error message.

Identity: an argument can be bound to the conversation's verified identity (``bind = { email =
"customer.email" }``). A bound argument is left out of the tool's schema, so the model cannot set
it; ``call_action`` fills it from the identity the store's server signed, whatever the model sent.
An action with a binding is offered only when the conversation is verified (``available``), and
``call_action`` refuses it otherwise. What a shopper merely typed is never an identity here.

Results: the whole result goes to the team (the Slack card); the model reads only the fields the
rules file lists in ``share_with_ai`` (``for_model``), none by default.
"""

from __future__ import annotations

import json
import logging
import os
import string
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx2
import jsonschema

from agent.errors import ActionError

log = logging.getLogger(__name__)

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
DEFAULT_TIMEOUT = 10.0  # seconds, for the whole request
MAX_TIMEOUT = 60.0  # seconds: a shopper is waiting
MAX_RESULT_CHARS = 20_000  # of a non-JSON body kept in the result


@dataclass(frozen=True)
class Action:
    """One custom HTTP action, as declared in the rules file."""

    name: str
    description: str
    url: str  # may hold {placeholders} filled from the arguments, e.g. ".../orders/{order_id}"
    method: str = "GET"
    args_schema: dict = field(default_factory=lambda: {"type": "object", "properties": {}})
    secret_env: str = ""  # environment variable holding the secret
    secret_header: str = "Authorization"
    secret_prefix: str = ""  # e.g. "Bearer "
    timeout: float = DEFAULT_TIMEOUT
    line: int | None = None  # where it is declared in the rules file
    bind: dict = field(default_factory=dict)  # argument → identity field (IDENTITY_FIELDS), filled server-side
    share_with_ai: tuple = ()  # result fields (dotted paths) the model may read; the team sees everything

    def tool(self) -> dict:
        """The action as a tool definition for the Claude Messages API, without its bound arguments."""
        schema = dict(self.args_schema)
        if self.bind:
            schema["properties"] = {k: v for k, v in (schema.get("properties") or {}).items() if k not in self.bind}
            if "required" in schema:
                schema["required"] = [k for k in schema["required"] if k not in self.bind]
        return {"name": self.name, "description": self.description, "input_schema": schema}

    def placeholders(self) -> list[str]:
        return [name for _, name, _, _ in string.Formatter().parse(self.url) if name]


# What an argument can be bound to, and where it lives on a verified conversation's customer.
IDENTITY_FIELDS = {"customer.email": "email", "customer.user_id": "user_id", "customer.name": "name"}


def verified_identity(conversation) -> dict:
    """``{"customer.email": …, "customer.user_id": …, …}`` when the store's server signed the
    customer (webhook/identity.py), else ``{}``: typed details never count."""
    customer = getattr(conversation, "customer", None) or {}
    if customer.get("verified") is not True or not customer.get("user_id"):
        return {}
    return {path: str(customer[key]) for path, key in IDENTITY_FIELDS.items() if customer.get(key)}


def available(action: Action, identity: dict) -> bool:
    """Whether the model may be offered ``action``: every bound argument has a verified value."""
    return all(identity.get(path) for path in action.bind.values())


def for_model(action: Action, result: dict) -> dict:
    """The part of ``result`` the model may read: the ``share_with_ai`` paths (lists are looked through)."""
    tree: dict = {}  # field → subtree of shared fields, or None: the whole value is shared
    for path in action.share_with_ai:
        node, parts = tree, path.split(".")
        for part in parts[:-1]:
            if node.get(part, {}) is None:
                break  # a shorter path already shares the whole value
            node = node.setdefault(part, {})
        else:
            node[parts[-1]] = None
    return _prune(result, tree) if tree else {}


def _prune(value, tree):
    if tree is None:
        return value
    if isinstance(value, list):
        return [_prune(v, tree) for v in value]
    if isinstance(value, dict):
        return {k: _prune(v, tree[k]) for k, v in value.items() if k in tree}
    return None  # a scalar where the rules file expected fields


def secret_value(env_var: str) -> str:
    """The value of a store-defined secret: the environment first, then the project's ``.env``."""
    value = os.environ.get(env_var, "")
    if value:
        return value
    from dotenv import dotenv_values

    from config import ROOT

    return (dotenv_values(ROOT / ".env").get(env_var) or "") if (ROOT / ".env").exists() else ""


def validate_args(action: Action, args: dict) -> None:
    validator = jsonschema.Draft202012Validator(action.args_schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(args), key=lambda e: list(e.absolute_path))
    if errors:
        details = "; ".join(
            (f"{'.'.join(str(p) for p in e.absolute_path)}: " if e.absolute_path else "") + e.message for e in errors[:5]
        )
        raise ActionError(action.name, f"the arguments do not match the action's schema ({details})")


def call_action(action: Action, args: dict, identity: dict | None = None) -> dict:
    """Call ``action`` with ``args`` and return the JSON answer as a dict.

    Bound arguments come from ``identity`` (``verified_identity``), never from ``args``. GET and
    DELETE send the arguments not used in the URL as query parameters; the other methods send them
    as a JSON body. A JSON list answer comes back as ``{"items": [...]}``, a non-JSON one as
    ``{"text": ...}``.
    """
    if not isinstance(args, dict):
        raise ActionError(action.name, "the arguments must be a JSON object")
    if action.bind:
        identity = identity or {}
        if not available(action, identity):
            raise ActionError(action.name, "it needs the customer's verified identity, and this conversation is not verified")
        args = {k: v for k, v in args.items() if k not in action.bind} | {arg: identity[path] for arg, path in action.bind.items()}
    validate_args(action, args)
    used = set(action.placeholders())
    try:
        url = action.url.format(**{k: quote(str(v), safe="") for k, v in args.items()})
    except (KeyError, IndexError) as exc:
        raise ActionError(action.name, f"the URL needs the argument {exc.args[0]!r}; add it to the schema's required list") from None
    rest = {k: v for k, v in args.items() if k not in used}
    headers = {"Accept": "application/json", "User-Agent": "Baton (custom action)"}
    if action.secret_env:
        secret = secret_value(action.secret_env)
        if not secret:
            raise ActionError(action.name, f"the environment variable {action.secret_env} is not set; set it to the API secret")
        headers[action.secret_header] = f"{action.secret_prefix}{secret}"
    request: dict = {"headers": headers}
    if action.method in ("GET", "DELETE"):
        request["params"] = {k: v if isinstance(v, str) else json.dumps(v) for k, v in rest.items()}
    else:
        request["json"] = rest
    try:
        with httpx2.Client(timeout=action.timeout, follow_redirects=False) as client:
            response = client.request(action.method, url, **request)
    except httpx2.TimeoutException:
        raise ActionError(action.name, f"no answer within {action.timeout:g} s; the store's API is slow or down") from None
    except httpx2.HTTPError as exc:
        raise ActionError(action.name, f"could not reach {httpx2.URL(url).host}: {type(exc).__name__}") from None
    if response.status_code >= 400:
        raise ActionError(action.name, f"the store's API answered HTTP {response.status_code} for {action.method} {httpx2.URL(url).path}")
    if not response.content:
        return {}
    try:
        body = response.json()
    except ValueError:
        return {"text": response.text[:MAX_RESULT_CHARS]}
    return body if isinstance(body, dict) else {"items": body}
