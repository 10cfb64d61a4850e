"""Fault tests: real processes (redis-server restarted on its port, rq workers killed with SIGKILL)."""

from __future__ import annotations

import pytest

import config
from tests.fakes.redis_server import RedisProcess, RedisServerError
from tests.fakes.slack_api import FakeSlack

SECRET = "faults-signing-secret"
INBOX = "C0INBOX0001"
MAYA = "U0MAYA00001"


@pytest.fixture
def redis_proc():
    """A redis-server with AOF (fsync always) on its own port, which the test may stop and start."""
    try:
        with RedisProcess() as server:
            yield server
    except RedisServerError as err:
        pytest.fail(str(err))


@pytest.fixture
def slack():
    with FakeSlack(users={MAYA: {"display_name": "Maya", "real_name": "Maya Lund"}}) as fake:
        yield fake


@pytest.fixture
def fault_settings(redis_proc, slack, tmp_path):
    return config.load(
        environ={}, dotenv=False, redis_url=redis_proc.url, data_dir=str(tmp_path / "data"),
        slack_bot_token=slack.token, slack_signing_secret=SECRET, slack_api_url=slack.url, slack_inbox_channel=INBOX,
    )
