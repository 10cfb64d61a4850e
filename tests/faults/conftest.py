"""Fault tests: real processes (redis-server restarted on its port, rq workers killed with SIGKILL)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

import config
from tests.conftest import ROOT
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


def worker_env(settings: config.Settings, **extra: str) -> dict:
    """The environment a worker process reads its settings from (``config.load()`` in the worker)."""
    env = {k: v for k, v in os.environ.items() if k not in config.ENV}
    env.update({"REDIS_URL": settings.redis_url, "BATON_DATA_DIR": settings.data_dir, "HF_HUB_OFFLINE": "1"})
    if settings.slack_bot_token:
        env.update({"SLACK_BOT_TOKEN": settings.slack_bot_token, "SLACK_SIGNING_SECRET": settings.slack_signing_secret,
                    "SLACK_API_URL": settings.slack_api_url, "SLACK_INBOX_CHANNEL": settings.slack_inbox_channel})
    env.update(extra)
    return env


def start_worker(env: dict, log_path, *queues: str) -> subprocess.Popen:
    """A real `rq worker` process with Baton's worker class (as in the Procfile)."""
    rq = os.path.join(os.path.dirname(sys.executable), "rq")
    with open(log_path, "ab") as out:  # the child keeps its own descriptor
        return subprocess.Popen(
            [rq, "worker", "--worker-class", "jobs.worker.Worker", "--url", env["REDIS_URL"], *(queues or ("answers", "slack"))],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def wait_until(predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
