"""Reading a period's conversations out of Redis, efficiently.

Only conversations updated since the start of the range are looked at (``baton:recent`` is sorted by
last update), their hashes and logs are fetched in pipelined batches, and only the logs of
conversations *created* in the range are read. Conversations created later are returned as hashes
only: the AI-resolved check needs to know whether the same shopper came back escalated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conversations import Conversation, ConversationStore, Entry, State
from conversations.models import current

BATCH = 500  # conversations per pipelined round trip


@dataclass
class Thread:
    """One conversation as the digest reads it: its hash and its log as it reads now (revisions folded)."""

    conv: Conversation
    entries: list[Entry]
    raw: list[Entry]  # the log as stored, edit/delete entries included


@dataclass
class Loaded:
    threads: list[Thread]  # conversations created in [start, end), oldest first
    later: list[Conversation]  # conversations created at or after ``end`` (hashes only)


def _batches(items: list, size: int = BATCH):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def load(store: ConversationStore, start: float, end: float, *, progress: Callable[[int], None] | None = None) -> Loaded:
    """Conversations created in ``[start, end)`` with their logs, and those created after ``end``.

    ``progress(n)`` is called after each batch of ``n`` conversations read (a CLI progress bar).
    """
    r = store.r
    ids = [raw.decode() for raw in r.zrangebyscore("baton:recent", start, "+inf")]
    convs: list[Conversation] = []
    for batch in _batches(ids):
        pipe = r.pipeline(transaction=False)
        for conv_id in batch:
            pipe.hgetall(store._k(conv_id, "conv"))
        for data in pipe.execute():
            if data:
                convs.append(Conversation.from_hash(data))
    inside = sorted((c for c in convs if start <= c.created_at < end), key=lambda c: (c.created_at, c.number))
    later = [c for c in convs if c.created_at >= end]
    threads: list[Thread] = []
    for batch in _batches(inside):
        pipe = r.pipeline(transaction=False)
        for conv in batch:
            pipe.xrange(store._k(conv.id, "log"))
        for conv, raw in zip(batch, pipe.execute(), strict=True):
            entries = [Entry.from_stream(eid, data) for eid, data in raw]
            threads.append(Thread(conv, current(entries), entries))
        if progress is not None:
            progress(len(batch))
    return Loaded(threads, later)


def count_inside(store: ConversationStore, start: float, end: float) -> int:
    """How many conversations :func:`load` would read for ``[start, end)`` (an upper bound: by last update)."""
    return int(store.r.zcount("baton:recent", start, "+inf"))


def waiting_now(store: ConversationStore) -> int:
    """Conversations waiting for a person right now."""
    r = store.r
    ids = [raw.decode() for raw in r.zrange("baton:open", 0, -1)]
    waiting = 0
    for batch in _batches(ids, 2000):
        pipe = r.pipeline(transaction=False)
        for conv_id in batch:
            pipe.hget(store._k(conv_id, "conv"), "state")
        waiting += sum(1 for state in pipe.execute() if state and state.decode() == State.WAITING.value)
    return waiting


def entry_time(entry: Entry) -> float:
    """The Unix time of an entry (its stream id is the time it was logged, in milliseconds)."""
    return int(entry.id.split("-", 1)[0]) / 1000
