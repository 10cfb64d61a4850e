"""Let Slack redeliver what Baton could not store, and refuse what Slack never sends.

Slack retries an Events API delivery (up to three times, with ``X-Slack-Retry-Num``) when the
answer is not a 2xx within 3 seconds. So an event whose listener cannot store it must not be
acknowledged first:

* **Events run before the answer** (``EventsBeforeResponse``): a team member's thread reply is in
  the log before Slack gets its 200. If Redis is unreachable the listener raises, Slack gets a 503
  (``on_error``) and redelivers; the listeners are idempotent by the message's ts
  (``client_id = slack:<channel>:<ts>``), so the redelivery stores the reply once. Commands and
  clicks keep acking first (their listeners call ``ack()`` at once and apologise themselves).
* **Malformed timestamps** (``refuse_malformed_timestamps``): a ``ts``, ``thread_ts``,
  ``message_ts`` … that is not a Slack timestamp (``"1712345678.000200"``) is a 400 with a JSON
  error, after the signature check, before any listener.
"""

from __future__ import annotations

import copy
import json
import logging
import re

import redis
from slack_bolt import App, BoltResponse
from slack_bolt.listener.thread_runner import ThreadListenerRunner

log = logging.getLogger(__name__)

SLACK_TS = re.compile(r"[0-9]{1,12}(\.[0-9]{1,9})?")  # use with fullmatch: ASCII digits, no trailing newline
TS_FIELDS = frozenset({"ts", "thread_ts", "event_ts", "deleted_ts", "message_ts", "action_ts", "latest_reply"})
MAX_DEPTH = 12  # Slack's payloads nest a few levels; blocks inside messages add a few more


def _json_error(status: int, code: str, message: str, headers: dict | None = None) -> BoltResponse:
    body = json.dumps({"error": {"code": code, "message": message}})
    return BoltResponse(status=status, body=body, headers={"content-type": "application/json", **(headers or {})})


def bad_timestamp(payload, where: str = "", depth: int = 0) -> str:
    """The path of the first timestamp field in ``payload`` that is not a Slack ts ('' if none)."""
    if depth > MAX_DEPTH:
        return ""
    if isinstance(payload, dict):
        for key, value in payload.items():
            path = f"{where}.{key}" if where else key
            if key in TS_FIELDS and value not in (None, "") and not (isinstance(value, str) and SLACK_TS.fullmatch(value)):
                return path
            found = bad_timestamp(value, path, depth + 1)
            if found:
                return found
    elif isinstance(payload, list):
        for i, item in enumerate(payload):
            found = bad_timestamp(item, f"{where}[{i}]", depth + 1)
            if found:
                return found
    return ""


def refuse_malformed_timestamps(body: dict, next):  # noqa: A002 - Bolt passes the next middleware as ``next``
    """Bolt middleware (runs after the signature check): a payload with a malformed ts is a 400."""
    path = bad_timestamp(body)
    if path:
        log.warning("refused a Slack request: %s is not a Slack timestamp", path)
        return _json_error(400, "bad_timestamp", f"'{path}' must be a Slack timestamp like \"1712345678.000200\".")
    return next()


class EventsBeforeResponse(ThreadListenerRunner):
    """Bolt's listener runner, except that Events API listeners finish before Slack gets its answer."""

    def __init__(self, base: ThreadListenerRunner):  # noqa: D107 - takes over the app's own runner
        self.__dict__.update(base.__dict__)

    def run(self, request, response, listener_name, listener, starting_time=None):
        if isinstance(request.body, dict) and request.body.get("type") == "event_callback":
            runner = copy.copy(self)
            runner.process_before_response = True
            return ThreadListenerRunner.run(runner, request, response, listener_name, listener, starting_time)
        return super().run(request, response, listener_name, listener, starting_time)


def on_error(error: Exception, body: dict, response: BoltResponse | None):
    """Bolt's error handler: a Redis outage is a 503 (Slack redelivers events), logged once without a traceback."""
    if isinstance(error, redis.RedisError) and response is not None:
        retry = body.get("event_id", "") if isinstance(body, dict) else ""
        log.warning("could not store a Slack event (%s): Redis is unavailable; answered 503 so Slack redelivers it", retry or "request")
        return _json_error(503, "unavailable", "Redis is unavailable; deliver this again.", {"retry-after": "5"})
    log.error("a Slack listener failed", exc_info=error)
    return None


def install(app: App) -> None:
    """Wire the three pieces into a Bolt app (see the module docstring)."""
    app._listener_runner = EventsBeforeResponse(app._listener_runner)  # Bolt has no public hook for this
    app.use(refuse_malformed_timestamps)
    app.error(on_error)
