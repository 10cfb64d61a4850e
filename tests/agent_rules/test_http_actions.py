"""Custom HTTP actions against a real local HTTP server: arguments, secret header, timeout, errors."""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from agent.errors import ActionError
from agent.rules import RuleEngine
from agent.rules.actions import Action, call_action
from tests.agent_rules.helpers import write_rules
from tests.conftest import free_port

SECRET = "sk_live_pixelpress_0123456789"


class StoreAPI(BaseHTTPRequestHandler):
    """A tiny store API: /orders (GET by email), /orders/<id>/notes (POST), /slow, /broken, /text."""

    requests: list = []

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        StoreAPI.requests.append({"method": "GET", "path": url.path, "query": parse_qs(url.query), "headers": dict(self.headers)})
        if url.path == "/slow":
            time.sleep(1.5)
            return self._send(200, {"late": True})
        if url.path == "/broken":
            return self._send(500, {"error": "database down"})
        if url.path == "/text":
            return self._send(200, b"plain words", "text/plain")
        if self.headers.get("X-Store-Key") != f"Bearer {SECRET}":
            return self._send(401, {"error": "bad key"})
        email = parse_qs(url.query).get("email", [""])[0]
        return self._send(200, {"orders": [{"id": 4481, "email": email, "product": "Script Pro font", "license_key": "SP-1234"}]})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        StoreAPI.requests.append({"method": "POST", "path": self.path, "body": body, "headers": dict(self.headers)})
        return self._send(201, [{"saved": True, "note": body.get("note")}])


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # do not wait for the deliberately slow handler


@pytest.fixture(scope="module")
def _running_api():
    server = _Server(("127.0.0.1", free_port()), StoreAPI)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def store_api(_running_api):
    StoreAPI.requests = []
    return _running_api


def lookup(base: str, **overrides) -> Action:
    values = {
        "name": "lookup_order",
        "description": "Find a shopper's orders by email",
        "url": f"{base}/orders",
        "method": "GET",
        "args_schema": {
            "type": "object",
            "properties": {"email": {"type": "string", "format": "email"}},
            "required": ["email"],
            "additionalProperties": False,
        },
        "secret_env": "PIXEL_PRESS_API_TOKEN",
        "secret_header": "X-Store-Key",
        "secret_prefix": "Bearer ",
        "timeout": 5.0,
    }
    values.update(overrides)
    return Action(**values)


def test_get_action_sends_arguments_and_the_secret_header(store_api, monkeypatch):
    """lookup_order(email) reaches the store's API with the query and the secret header, and returns its JSON."""
    monkeypatch.setenv("PIXEL_PRESS_API_TOKEN", SECRET)
    result = call_action(lookup(store_api), {"email": "ana@example.com"})
    assert result["orders"][0]["license_key"] == "SP-1234"
    request = StoreAPI.requests[-1]
    assert request["query"] == {"email": ["ana@example.com"]}
    assert request["headers"]["X-Store-Key"] == f"Bearer {SECRET}"


def test_post_action_fills_the_url_and_sends_the_rest_as_json(store_api):
    """URL placeholders come from the arguments; the others go in the JSON body; a list answer is wrapped."""
    action = Action(
        name="add_note",
        description="Add a note to an order",
        url=store_api + "/orders/{order_id}/notes",
        method="POST",
        args_schema={"type": "object", "properties": {"order_id": {"type": "integer"}, "note": {"type": "string"}}, "required": ["order_id", "note"]},
    )
    result = call_action(action, {"order_id": 4481, "note": "shopper says the key is rejected"})
    assert result == {"items": [{"saved": True, "note": "shopper says the key is rejected"}]}
    assert StoreAPI.requests[-1]["path"] == "/orders/4481/notes"
    assert StoreAPI.requests[-1]["body"] == {"note": "shopper says the key is rejected"}


def test_arguments_are_checked_against_the_schema_before_any_request(store_api, monkeypatch):
    """Wrong arguments fail with a message naming the problem, and nothing is sent."""
    monkeypatch.setenv("PIXEL_PRESS_API_TOKEN", SECRET)
    with pytest.raises(ActionError, match="'email' is a required property"):
        call_action(lookup(store_api), {})
    with pytest.raises(ActionError, match="is not a 'email'"):
        call_action(lookup(store_api), {"email": "not-an-email"})
    with pytest.raises(ActionError, match="Additional properties"):
        call_action(lookup(store_api), {"email": "ana@example.com", "admin": True})
    assert StoreAPI.requests == []


def test_slow_api_times_out_with_a_clear_error(store_api):
    """A store API slower than the action's timeout fails fast with what happened."""
    action = lookup(store_api, url=f"{store_api}/slow", secret_env="", timeout=0.3)
    started = time.perf_counter()
    with pytest.raises(ActionError, match=r"no answer within 0.3 s"):
        call_action(action, {"email": "ana@example.com"})
    assert time.perf_counter() - started < 1.4


def test_http_errors_and_unreachable_hosts_become_action_errors(store_api):
    """A 500 answer or a closed port is an ActionError that says which, not a raw exception."""
    with pytest.raises(ActionError, match="answered HTTP 500"):
        call_action(lookup(store_api, url=f"{store_api}/broken", secret_env=""), {"email": "a@example.com"})
    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ActionError, match="could not reach 127.0.0.1"):
        call_action(lookup(closed, secret_env=""), {"email": "a@example.com"})


def test_non_json_answers_come_back_as_text(store_api):
    """A plain-text answer is returned as {"text": ...} for the team to read."""
    assert call_action(lookup(store_api, url=f"{store_api}/text", secret_env=""), {"email": "a@example.com"}) == {"text": "plain words"}


def test_the_secret_never_appears_in_errors_or_logs(store_api, monkeypatch, caplog):
    """Failures mention the variable's name at most, never its value."""
    with pytest.raises(ActionError) as missing:
        call_action(lookup(store_api), {"email": "ana@example.com"})
    assert "PIXEL_PRESS_API_TOKEN is not set" in str(missing.value)
    monkeypatch.setenv("PIXEL_PRESS_API_TOKEN", "wrong-" + SECRET)
    with caplog.at_level(logging.DEBUG), pytest.raises(ActionError) as rejected:
        call_action(lookup(store_api), {"email": "ana@example.com"})
    assert "HTTP 401" in str(rejected.value)
    assert SECRET not in str(rejected.value)
    assert all(SECRET not in r.getMessage() for r in caplog.records)


def test_actions_declared_in_the_rules_file_are_callable_tools(store_api, tmp_path, monkeypatch):
    """engine.actions exposes the file's actions with their schema, usable as Claude tools and callable."""
    monkeypatch.setenv("PIXEL_PRESS_API_TOKEN", SECRET)
    path = write_rules(
        tmp_path,
        f"""
        [[actions]]
        name = "lookup_order"
        description = "Find a shopper's orders by email"
        url = "{store_api}/orders"
        method = "GET"
        secret_env = "PIXEL_PRESS_API_TOKEN"
        secret_header = "X-Store-Key"
        secret_prefix = "Bearer "
        timeout = 3
        args = {{ type = "object", properties = {{ email = {{ type = "string", format = "email" }} }}, required = ["email"] }}
        """,
    )
    engine = RuleEngine(path)
    action = engine.action("lookup_order")
    assert action.tool()["input_schema"]["required"] == ["email"]
    assert action.timeout == 3.0 and action.line == 1
    assert call_action(action, {"email": "ana@example.com"})["orders"][0]["id"] == 4481
