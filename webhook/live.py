"""Live fan-out: one Redis pub/sub connection per web process feeds every open widget stream.

The store publishes ``<conversation id> <entry id>`` (or ``<id> ~typing``) on ``baton:live`` after
each append. A listener thread (a greenlet under gunicorn's gevent worker) dispatches each message
to the queues of the streams open for that conversation. A stream never trusts the message's
content: it re-reads the log after its own cursor, so a lost or duplicated notification can delay
an entry by one keep-alive at worst, never lose or repeat it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import defaultdict

import redis

from conversations.store import LIVE_CHANNEL

log = logging.getLogger(__name__)


class LiveHub:
    def __init__(self, client: redis.Redis):
        self._redis = client
        self._subs: dict[str, set[queue.Queue]] = defaultdict(set)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._closed = threading.Event()
        self._pubsub = None

    def subscribe(self, conv_id: str) -> queue.Queue:
        q: queue.Queue = queue.Queue(maxsize=256)
        with self._lock:
            self._subs[conv_id].add(q)
            if self._thread is None or not self._thread.is_alive():
                self._ready.clear()
                self._thread = threading.Thread(target=self._run, name="baton-live", daemon=True)
                self._thread.start()
        self._ready.wait(timeout=5)
        return q

    def unsubscribe(self, conv_id: str, q: queue.Queue) -> None:
        with self._lock:
            subs = self._subs.get(conv_id)
            if subs is not None:
                subs.discard(q)
                if not subs:
                    del self._subs[conv_id]

    @property
    def open_streams(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._subs.values())

    def close(self) -> None:
        """Stop the listener (used when an app is torn down, e.g. in tests)."""
        self._closed.set()
        pubsub = self._pubsub
        if pubsub is not None:
            try:
                pubsub.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass

    def _run(self) -> None:
        while not self._closed.is_set():
            pubsub = self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(LIVE_CHANNEL)
                self._ready.set()
                self._wake_all()  # anything published while we were reconnecting is re-read
                for message in pubsub.listen():
                    data = message.get("data")
                    if not isinstance(data, bytes):
                        continue
                    conv_id, _, what = data.decode().partition(" ")
                    with self._lock:
                        targets = list(self._subs.get(conv_id, ()))
                    for q in targets:
                        try:
                            q.put_nowait(what)
                        except queue.Full:
                            pass  # the stream is behind; it re-reads the log anyway
            except (redis.RedisError, AttributeError, ValueError):
                if self._closed.is_set():
                    return
                log.warning("live fan-out lost its Redis connection; reconnecting")
                self._ready.set()
                time.sleep(1)
            finally:
                try:
                    pubsub.close()
                except Exception:  # noqa: BLE001 - closing a broken connection
                    pass

    def _wake_all(self) -> None:
        with self._lock:
            targets = [q for subs in self._subs.values() for q in subs]
        for q in targets:
            try:
                q.put_nowait("")
            except queue.Full:
                pass
