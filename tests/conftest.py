"""Shared fixtures: a real redis-server per test session, flushed around each test; a clean env."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

import config
from tests.fakes.redis_server import RedisServerError, free_port  # noqa: F401 - free_port is shared with tests
from tests.fakes.redis_server import redis_server as start_redis_server

ROOT = Path(__file__).resolve().parent.parent

# Every variable Baton reads: scrubbed so no test depends on the developer's machine.
_SCRUB = list(config.ENV)


@pytest.fixture(scope="session")
def redis_server():
    """A private redis-server on a free port for the whole test session."""
    try:
        with start_redis_server() as url:
            yield url
    except RedisServerError as err:
        pytest.fail(str(err))


@pytest.fixture
def redis_url(redis_server):
    """The test Redis, flushed before and after the test."""
    client = redis.Redis.from_url(redis_server)
    client.flushall()
    yield redis_server
    client.flushall()
    client.close()


@pytest.fixture
def redis_client(redis_url):
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No test sees the developer's Baton settings; data goes to a temp dir."""
    for var in _SCRUB:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("BATON_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory):
    """The demo store's docs indexed once per test session with the bundled embedder (what the worker
    uses); the data folder's path, for BATON_DATA_DIR."""
    from knowledge import KnowledgeBase

    data_dir = tmp_path_factory.mktemp("demo-data")
    demo = config.load(environ={}, dotenv=False, data_dir=str(data_dir))
    KnowledgeBase(demo.index_dir).ingest(demo.docs_dir)
    return str(data_dir)


@pytest.fixture
def settings(redis_url, tmp_path):
    """Settings for a test: the test Redis, data in tmp, no Slack, no Anthropic."""
    return config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"))


@pytest.fixture
def app(settings):
    from webhook import create_app

    app = create_app(settings)
    app.testing = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def live_server(app):
    """The app on a real threaded HTTP server (for streams and browsers); yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    if "live" in app.extensions["baton"].__dict__:
        app.extensions["baton"].live.close()


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free local port; ``.messages`` are what it received."""
    from tests.fakes.smtp_server import SmtpServer

    with SmtpServer() as server:
        yield server
