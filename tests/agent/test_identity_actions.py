"""Custom actions never act on an identity the shopper merely typed: bound arguments, hidden actions, shared fields."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from agent.rules import RuleEngine, check_file
from agent.rules.actions import Action, for_model
from tests.agent.conftest import ask
from tests.agent.fake_anthropic import last_tool_results, text_message, tool_use_message

VERIFIED = {"name": "Ana", "email": "ana@example.com", "verified": True, "user_id": "cus_77"}
ORDERS = {"orders": [{"id": "PP-1042", "status": "paid", "product": "Lumen Grade", "license_key": "LG-7F3A-91C2"}], "owner": "ana@example.com"}


class _StoreAPI(BaseHTTPRequestHandler):
    emails: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        type(self).emails.append(parse_qs(urlparse(self.path).query).get("email", [""])[0])
        body = json.dumps(ORDERS).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def store_api():
    _StoreAPI.emails = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StoreAPI)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/orders", _StoreAPI.emails
    server.shutdown()
    server.server_close()


def rules(folder: Path, url: str, *, bind: bool = True, share: str = '["orders.id", "orders.status"]') -> RuleEngine:
    path = folder / "rules.toml"
    path.write_text(f"""
[[actions]]
name = "lookup_order"
description = "Find the shopper's orders"
url = "{url}"
timeout = 2
args = {{ type = "object", properties = {{ email = {{ type = "string" }}, order = {{ type = "string" }} }}, required = ["email"] }}
{'bind = { email = "customer.email" }' if bind else ''}
share_with_ai = {share}
""")
    return RuleEngine(path)


def offered(request: dict) -> dict:
    return {t["name"]: t for t in request["tools"]}


def test_a_bound_argument_comes_from_the_verified_identity_not_the_model(fake, claude_agent, store_api, tmp_path):
    """The model is not shown the bound email and cannot set it: the store's API gets the verified one."""
    url, emails = store_api
    fake.reply(tool_use_message("lookup_order", {"email": "ceo@victim.example", "order": "PP-1042"}), text_message("Your order PP-1042 is paid."))
    ask(claude_agent(rules=rules(tmp_path, url)), "Order status? I'm ceo@victim.example", customer=VERIFIED)
    schema = offered(fake.requests[0])["lookup_order"]["input_schema"]
    assert "email" not in schema["properties"] and "email" not in schema.get("required", [])
    assert emails == ["ana@example.com"]


def test_an_action_bound_to_identity_is_not_offered_to_an_unverified_conversation(fake, claude_agent, store_api, tmp_path):
    """A typed e-mail is no identity: the action is not among the tools, and a call to it anyway does nothing."""
    url, emails = store_api
    fake.reply(tool_use_message("lookup_order", {"email": "ana@example.com"}), text_message("I can't look that up here."))
    typed = {"name": "Ana", "email": "ana@example.com", "verified": True}  # no user_id: not signed by the store
    ask(claude_agent(rules=rules(tmp_path, url)), "where is my order? ana@example.com", customer=typed)
    assert "lookup_order" not in offered(fake.requests[0])
    assert last_tool_results(fake.requests[1])[0]["is_error"] is True
    assert emails == []


def test_an_unbound_action_is_still_offered_without_identity(fake, claude_agent, store_api, tmp_path):
    """An action with no binding (e.g. by order number) stays available to every conversation."""
    url, _ = store_api
    fake.reply(text_message("Hello!"))
    ask(claude_agent(rules=rules(tmp_path, url, bind=False)), "hi")
    assert "email" in offered(fake.requests[0])["lookup_order"]["input_schema"]["properties"]


def test_the_model_reads_only_the_shared_fields_and_the_team_reads_all(fake, claude_agent, store_api, tmp_path):
    """share_with_ai = orders.id and orders.status: the license key and owner reach the team's card only."""
    url, _ = store_api
    fake.reply(
        tool_use_message("lookup_order", {}),
        tool_use_message("escalate_to_human", {"reason": "Key missing", "category": "license_problem", "summary": "PP-1042"}),
        text_message("I've asked the team to send your key."),
    )
    reply = ask(claude_agent(rules=rules(tmp_path, url)), "I never got my license key", customer=VERIFIED)
    seen = last_tool_results(fake.requests[1])[0]["content"]
    assert '{"orders": [{"id": "PP-1042", "status": "paid"}]}' in seen
    assert "LG-7F3A-91C2" not in seen and "ana@example.com" not in seen
    assert reply.escalation.action_results == [{"action": "lookup_order", "ok": True, "result": ORDERS}]


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        ((), {}),
        (("owner",), {"owner": "ana@example.com"}),
        (("orders.status", "orders"), {"orders": ORDERS["orders"]}),  # the whole list wins over one of its fields
        (("orders", "orders.status"), {"orders": ORDERS["orders"]}),
        (("orders.status", "missing.field"), {"orders": [{"status": "paid"}]}),
    ],
)
def test_shared_fields_are_picked_by_path(paths, expected):
    """Dotted paths look through lists; unknown paths share nothing."""
    action = Action(name="a", description="", url="https://x.example", share_with_ai=paths)
    assert for_model(action, ORDERS) == expected


@pytest.mark.parametrize(
    ("bind", "message"),
    [
        ('{ email = "customer.phone" }', "bind.email must be one of customer.email"),
        ('{ mail = "customer.email" }', "bind.mail names no argument"),
        ('"customer.email"', "bind must be a table"),
    ],
)
def test_a_wrong_binding_is_a_rules_problem(tmp_path, bind, message):
    """`rules check` names a binding to an unknown identity field or argument, with its line."""
    path = tmp_path / "rules.toml"
    path.write_text(f"""
[[actions]]
name = "lookup_order"
url = "https://api.example.com/orders"
args = {{ type = "object", properties = {{ email = {{ type = "string" }} }} }}
bind = {bind}
""")
    problems = check_file(path)
    assert any(message in p.message for p in problems), [p.message for p in problems]
