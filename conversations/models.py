"""Conversation and Entry: what the log holds, as plain data."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from conversations.machine import State

# Entry types.
MESSAGE = "message"  # something said to the shopper (by the shopper, the AI or an agent)
NOTE = "note"  # internal: a team note, never shown to the shopper
EVENT = "event"  # a state change or other system event, announced to the shopper
EDIT = "edit"  # a new version of the message ``target``: its text replaces the message's text
DELETE = "delete"  # the message ``target`` was withdrawn: it reads as removed from then on
FEEDBACK = "feedback"  # internal: the shopper rated an AI answer (``target``; meta.rating "up"/"down")
#                        or the whole conversation (no target; meta.rating 1-5, text = optional comment)
REVISIONS = (EDIT, DELETE)

# Entry.revision, set by ``current``/``revise`` (never stored): how a message differs from its first version.
EDITED = "edited"
DELETED = "deleted"

PUBLIC = "public"
INTERNAL = "internal"


def stream_id_time(entry_id: str) -> str:
    """The ISO-8601 UTC time encoded in a Redis stream id ("1700000000000-0")."""
    ms = int(entry_id.split("-", 1)[0])
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Entry:
    id: str
    type: str
    role: str  # customer | ai | agent | system
    text: str
    author: dict = field(default_factory=dict)  # {name, avatar_url}
    sources: list = field(default_factory=list)  # [{title, url}]
    meta: dict = field(default_factory=dict)  # internal details: never sent to the widget
    visibility: str = PUBLIC
    target: str = ""  # edit/delete: the id of the message they revise
    revision: str = ""  # not stored: EDITED or DELETED when read through ``current``/``revise``

    @property
    def at(self) -> str:
        return stream_id_time(self.id)

    @property
    def public(self) -> bool:
        return self.visibility == PUBLIC

    @classmethod
    def from_stream(cls, entry_id: str | bytes, data: dict) -> Entry:
        def s(key: str) -> str:
            value = data.get(key.encode(), data.get(key, b""))
            return value.decode() if isinstance(value, bytes) else value

        return cls(
            id=entry_id.decode() if isinstance(entry_id, bytes) else entry_id,
            type=s("type"),
            role=s("role"),
            text=s("text"),
            author=json.loads(s("author") or "{}"),
            sources=json.loads(s("sources") or "[]"),
            meta=json.loads(s("meta") or "{}"),
            visibility=s("visibility") or PUBLIC,
            target=s("target"),
        )

    @staticmethod
    def fields(
        *,
        type: str,
        role: str,
        text: str,
        author: dict | None = None,
        sources: list | None = None,
        meta: dict | None = None,
        visibility: str = PUBLIC,
        target: str = "",
    ) -> dict[str, str]:
        fields = {
            "type": type,
            "role": role,
            "text": text,
            "author": json.dumps(author or {}),
            "sources": json.dumps(sources or []),
            "meta": json.dumps(meta or {}),
            "visibility": visibility,
        }
        if target:
            fields["target"] = target
        return fields


def latest_revisions(entries: list[Entry]) -> dict[str, Entry]:
    """For each message revised in ``entries`` (oldest first), the edit or delete that decides how it
    reads now: a delete, else the last edit. A delete is final: an edit logged after it (two Slack
    events racing) changes nothing."""
    deciding: dict[str, Entry] = {}
    for entry in entries:
        if entry.type not in REVISIONS or not entry.target:
            continue
        if deciding.get(entry.target) is not None and deciding[entry.target].type == DELETE:
            continue
        deciding[entry.target] = entry
    return deciding


def latest_feedback(entries: list[Entry]) -> tuple[dict[str, str], dict]:
    """The shopper's latest word on each rated answer ({answer id: "up" | "down"}) and on the
    conversation ({"rating": 1-5, "comment"} or {}): a later rating replaces an earlier one."""
    answers: dict[str, str] = {}
    overall: dict = {}
    for entry in entries:
        if entry.type != FEEDBACK:
            continue
        rating = entry.meta.get("rating")
        if entry.target:
            answers[entry.target] = rating
        else:
            overall = {"rating": rating, "comment": entry.text}
    return answers, overall


def revise(entry: Entry, revision: Entry | None) -> Entry:
    """``entry`` as it reads after ``revision`` (an edit or delete of it, or None: unchanged)."""
    if revision is None or revision.target != entry.id:
        return entry
    if revision.type == DELETE:
        return replace(entry, text="", sources=[], revision=DELETED)
    return replace(entry, text=revision.text, revision=EDITED)


def current(entries: list[Entry]) -> list[Entry]:
    """The conversation as it reads now: every message in its latest version, edit/delete entries
    folded into the messages they revise (and left out)."""
    deciding = latest_revisions(entries)
    return [revise(e, deciding.get(e.id)) for e in entries if e.type not in REVISIONS]


@dataclass
class Conversation:
    id: str
    number: int
    state: State
    customer: dict = field(default_factory=dict)  # {name, email, tags, verified, user_id}
    page_url: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0
    slack_channel: str = ""  # set once the thread exists
    slack_ts: str = ""  # the parent message's ts = the thread's id
    escalation: dict = field(default_factory=dict)  # the latest Escalation, as a dict
    tags: list = field(default_factory=list)
    ai_failures: int = 0  # AI turns in a row that could not answer
    assignee: str = ""  # the team member holding the conversation (a Slack user id), "" when nobody does
    waiting_since: float = 0.0  # when it last started waiting for a person (Unix time; 0: never)
    locale: str = ""  # the shopper's language as the widget saw it ("de", "pt-BR"); "" = unknown

    @classmethod
    def from_hash(cls, data: dict) -> Conversation:
        d = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v) for k, v in data.items()}
        return cls(
            id=d["id"],
            number=int(d["number"]),
            state=State(d["state"]),
            customer=json.loads(d.get("customer") or "{}"),
            page_url=d.get("page_url", ""),
            created_at=float(d.get("created_at") or 0),
            updated_at=float(d.get("updated_at") or 0),
            slack_channel=d.get("slack_channel", ""),
            slack_ts=d.get("slack_ts", ""),
            escalation=json.loads(d.get("escalation") or "{}"),
            tags=json.loads(d.get("tags") or "[]"),
            ai_failures=int(d.get("ai_failures") or 0),
            assignee=d.get("assignee", ""),
            waiting_since=float(d.get("waiting_since") or 0),
            locale=d.get("locale", ""),
        )

    @property
    def verified(self) -> bool:
        """The store's server vouched for this customer (identity verification, webhook/identity.py)."""
        return self.customer.get("verified") is True and bool(self.customer.get("user_id"))

    @property
    def customer_name(self) -> str:
        return self.customer.get("name") or "Shopper"
