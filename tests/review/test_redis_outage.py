"""When Redis is unreachable the widget API answers a clean 503 JSON, never an HTML traceback."""

from __future__ import annotations

import logging

import pytest

import config
from tests.conftest import free_port
from webhook import create_app


@pytest.fixture
def client_without_redis(tmp_path):
    """The app pointed at a Redis port where nothing listens (a Redis outage)."""
    settings = config.load(environ={}, dotenv=False, redis_url=f"redis://127.0.0.1:{free_port()}/0", data_dir=str(tmp_path / "data"))
    app = create_app(settings)
    return app.test_client()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/conversations", {"customer": {"name": "Ada"}}),
        ("post", "/api/v1/conversations/abc/messages", {"text": "hello?", "client_id": "c1"}),
        ("get", "/api/v1/conversations/abc", None),
        ("get", "/api/v1/conversations/abc/events", None),
    ],
)
def test_widget_gets_a_retryable_503_json_while_redis_is_down(client_without_redis, method, path, body, caplog):
    """Every widget call answers 503 with a JSON error and Retry-After; the log names the outage once."""
    caplog.set_level(logging.WARNING)
    resp = getattr(client_without_redis, method)(path, json=body, headers={"Authorization": "Bearer t"})
    assert resp.status_code == 503
    assert resp.is_json and resp.get_json()["error"]["code"] == "unavailable"
    assert "try again" in resp.get_json()["error"]["message"]
    assert int(resp.headers["Retry-After"]) > 0
    assert any("Redis" in r.getMessage() for r in caplog.records)
