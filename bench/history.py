"""Write conversations that happened in the past, at pinned times, with the store's exact key layout.

The store appends with the current time (stream ids are ``*``); the digest's tests and its benchmark
need weeks of history at known times, so this writes the same hash, log (stream ids from the given
times), indexes and Slack permalinks directly, in one pipeline per call.

    write(r, created_at=t0, customer={"email": "a@example.com"}, entries=[
        msg("customer", "My license key says invalid", t0),
        escalate(t0 + 5, {"category": "license_problem", "rule": "license-problem"}),
        msg("agent", "I've reset the activations on your key.", t0 + 600),
        close(t0 + 900),
    ])
"""

from __future__ import annotations

import json
import uuid

from bot.links import PERMALINKS
from conversations import ConversationStore, Event, State
from conversations.machine import TRANSITIONS
from conversations.models import Entry

_k = ConversationStore._k


def msg(role: str, text: str, at: float, *, sources: list | None = None, meta: dict | None = None, name: str = "") -> dict:
    author = {"name": name or {"ai": "AI assistant", "agent": "Alice"}.get(role, "")} if role != "customer" else {}
    return {"at": at, "type": "message", "role": role, "text": text, "sources": sources or [], "meta": meta or {}, "author": author}


def event(kind: Event, at: float, meta: dict | None = None, *, actor: str = "") -> dict:
    target = TRANSITIONS[kind][1]
    return {"at": at, "type": "event", "role": "system", "text": kind.value, "author": {"name": actor} if actor else {},
            "meta": {"event": kind.value, "from_to": target.value, **(meta or {})}}


def escalate(at: float, escalation: dict) -> dict:
    full = {"reason": "", "category": "other", "summary": "", "rule": None, "priority": "normal", "channel": None,
            "mention": None, "looked_at": [], "action_results": [], **escalation}
    return event(Event.ESCALATE, at, {"escalation": full})


def take_over(at: float, actor: str = "Alice") -> dict:
    return event(Event.TAKE_OVER, at, actor=actor)


def hand_back(at: float, actor: str = "Alice") -> dict:
    return event(Event.HAND_BACK, at, actor=actor)


def close(at: float, *, idle: bool = False) -> dict:
    return event(Event.CLOSE, at, {"reason": "idle"} if idle else None)


def reopen(at: float) -> dict:
    return event(Event.REOPEN, at)


def write(r, *, created_at: float, entries: list[dict], number: int | None = None, customer: dict | None = None,
          slack_channel: str = "C0INBOX0001", pipe=None, conv_id: str | None = None) -> str:
    """Store one conversation; returns its id. ``pipe``: add to a caller's pipeline (executed by the caller)."""
    conv_id = conv_id or uuid.uuid4().hex
    number = number if number is not None else 1000 + int(r.incr("baton:seq"))
    state = State.AI
    escalation: dict = {}
    fields = []
    last_ms, seq = -1, 0
    for e in sorted(entries, key=lambda e: e["at"]):
        ms = int(e["at"] * 1000)
        if ms <= last_ms:
            ms, seq = last_ms, seq + 1
        else:
            seq = 0
        last_ms = ms
        if e["type"] == "event":
            state = State(e["meta"]["from_to"])
            escalation = e["meta"].get("escalation") or escalation
        fields.append((f"{ms}-{seq}", Entry.fields(type=e["type"], role=e["role"], text=e["text"], author=e.get("author"),
                                                   sources=e.get("sources"), meta=e.get("meta"))))
    updated = max([created_at, *[e["at"] for e in entries]])
    escalated = bool(escalation)
    ts = f"{int(created_at)}.{number:06d}"
    mapping = {"id": conv_id, "number": number, "state": state.value, "token": "-", "customer": json.dumps(customer or {}),
               "page_url": "", "created_at": created_at, "updated_at": updated, "escalation": json.dumps(escalation), "tags": "[]",
               "ai_failures": 0}
    if escalated and slack_channel:
        mapping.update(slack_channel=slack_channel, slack_ts=ts)
    own = pipe is None
    pipe = r.pipeline(transaction=False) if own else pipe
    pipe.hset(_k(conv_id, "conv"), mapping=mapping)
    for entry_id, values in fields:
        pipe.xadd(_k(conv_id, "log"), values, id=entry_id)
    pipe.hset("baton:numbers", str(number), conv_id)
    pipe.zadd("baton:recent", {conv_id: updated})
    if state != State.CLOSED:
        pipe.zadd("baton:open", {conv_id: updated})
    if escalated and slack_channel:
        pipe.hset("baton:threads", f"{slack_channel}:{ts}", conv_id)
        pipe.hset(PERMALINKS, conv_id, f"https://baton-test.slack.com/archives/{slack_channel}/p{ts.replace('.', '')}")
    if own:
        pipe.execute()
    return conv_id
