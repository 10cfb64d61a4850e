"""A team member replies in a conversation's thread: the reply reaches the shopper.

Handles every ``message`` event (Slack sends edits, deletions, joins and bot posts as message
events too) and keeps only a person's new reply inside a Baton thread. The reply is appended with
``client_id = slack:<channel>:<ts>``, so a retried delivery of the same event stores one entry.
A reply that starts with the note prefix is an internal note: it is logged, never shown.
The same client id is how a later edit or deletion of the reply finds it (``delivered_reply``).
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot import handoff
from bot import messages as m
from bot.errors import SlackCallFailed
from bot.handoff import Deps
from bot.mrkdwn import to_markdown
from bot.webapi import call
from conversations import NotFound
from conversations.errors import Empty, TooLong
from conversations.models import MESSAGE, NOTE, Conversation, Entry

log = logging.getLogger(__name__)

# Subtypes that are still a person writing: plain replies, "also send to channel", and text with files.
PERSON_SUBTYPES = {None, "thread_broadcast", "file_share"}
HANDLED_SECONDS = 86400  # how long we remember a handled reply (Slack retries within minutes)
# How long a delivered reply's conversation can be found by its Slack ts alone (for a deletion
# whose event carries no previous_message.thread_ts); edits and deletes name the thread otherwise.
DELIVERED_INDEX_SECONDS = 30 * 86400


def _delivered_key(channel: str, ts: str) -> str:
    return f"baton:slack:delivered:{channel}:{ts}"


def is_person_reply(event: dict) -> bool:
    """A new message by a person, inside a thread (not the parent), not by a bot, not an edit."""
    if event.get("subtype") not in PERSON_SUBTYPES or event.get("bot_id") or not event.get("user"):
        return False
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    return bool(thread_ts and ts and thread_ts != ts)


def reply_client_id(channel: str, ts: str) -> str:
    """The client id a thread reply is stored under: one entry per Slack message."""
    return f"slack:{channel}:{ts}"


def delivered_reply(deps: Deps, channel: str, thread_ts: str | None, ts: str | None) -> tuple[Conversation, Entry] | None:
    """The conversation and log entry that Slack message ``ts`` became, if it reached the shopper.

    None for anything else: notes, Baton's own posts (the card, the mirrored transcript), other
    apps' messages, replies that were refused, and threads that are not Baton's.
    """
    if not (channel and ts) or thread_ts == ts:
        return None
    conv = deps.store.by_thread(channel, thread_ts) if thread_ts else None
    if conv is None:
        conv_id = deps.store.r.get(_delivered_key(channel, ts))
        try:
            conv = deps.store.get(conv_id.decode()) if conv_id else None
        except NotFound:
            conv = None
    if conv is None:
        return None
    entry = deps.store.by_client_id(conv.id, reply_client_id(channel, ts))
    if entry is None or entry.type != MESSAGE or entry.role != "agent" or not entry.public or entry.meta.get("source") != "slack":
        return None
    return conv, entry


# What the worker needs of a Slack file object (the event carries much more).
FILE_FIELDS = ("id", "name", "title", "mimetype", "filetype", "size", "mode", "is_external", "file_access", "url_private", "url_private_download")


def shared_files(event: dict) -> list[dict]:
    """The files of a ``file_share`` message, trimmed to what sending them takes."""
    return [{k: f[k] for k in FILE_FIELDS if k in f} for f in event.get("files") or [] if isinstance(f, dict) and f.get("id")]


def is_note(deps: Deps, text: str) -> bool:
    prefix = (getattr(deps.settings, "note_prefix", "") or "").strip()
    return bool(prefix) and text.lower().startswith(prefix.lower())


def thread_reply(deps: Deps):
    def listener(event: dict, client: WebClient):
        if not is_person_reply(event):
            return
        channel, ts, user = event.get("channel", ""), event["ts"], event["user"]
        conv = deps.store.by_thread(channel, event["thread_ts"])
        if conv is None:
            return  # someone chatting in a thread that is not a Baton conversation
        handled = f"baton:slack:reply:{channel}:{ts}"
        if deps.store.r.exists(handled):
            return  # a retry of a reply we already took in (also guards the take-over below)
        author = deps.people.member(client, user)
        text = to_markdown(event.get("text") or "", resolve_user=lambda uid: deps.people.name(client, uid))
        meta = {"source": "slack", "slack_ts": ts, "slack_user": user, "slack_channel": channel}
        client_id = reply_client_id(channel, ts)
        prefix = (getattr(deps.settings, "note_prefix", "") or "").strip()

        if is_note(deps, text):
            note = text[len(prefix) :].strip()
            if note:
                if _append(deps, client, event, conv, type=NOTE, text=note, author=author, meta=meta, client_id=client_id):
                    mark_internal(client, channel, ts)
        else:
            shared = shared_files(event) if deps.enqueue_files is not None else []
            problem = _problem(deps, text) if text or not shared else ""
            if problem:
                _tell(client, event, problem)
                return
            # First the conversation becomes the team's (the AI can no longer append), then the reply.
            # A member replying in a thread nobody holds becomes its assignee (the mirror then posts
            # the "joined" line and re-renders the card).
            handoff.assign(deps, conv, user, author["name"], reopen=True)
            if text and _append(deps, client, event, conv, text=text, author=author, meta=meta, client_id=client_id):
                deps.store.r.set(_delivered_key(channel, ts), conv.id, ex=DELIVERED_INDEX_SECONDS)
                if deps.enqueue_followup is not None:
                    deps.enqueue_followup(conv.id)  # e-mailed later if the shopper does not see it
            if shared:  # downloading is the worker's job; the text (if any) is already on its way
                deps.enqueue_files(conv.id, channel, ts, user, shared)
        deps.store.r.set(handled, 1, ex=HANDLED_SECONDS)

    return listener


def _problem(deps: Deps, text: str) -> str:
    if not text:
        return m.REPLY_EMPTY
    if len(text) > deps.store.max_chars:
        return m.REPLY_TOO_LONG.format(limit=deps.store.max_chars)
    return ""


NOTE_REACTION = "lock"  # the reaction that marks a note typed in the thread as internal


def mark_internal(client: WebClient, channel: str, ts: str) -> None:
    """Put a :lock: on a note in the thread, so everyone can see it never reached the shopper."""
    try:
        call(client, "reactions_add", channel=channel, timestamp=ts, name=NOTE_REACTION)
    except SlackCallFailed as err:
        if err.error != "already_reacted":
            log.info("could not mark a note as internal: %s", err)


def _append(deps: Deps, client: WebClient, event: dict, conv: Conversation, **fields) -> bool:
    """Whether the entry is in the log."""
    try:
        deps.store.append(conv.id, role="agent", **fields)
        return True
    except TooLong:
        _tell(client, event, m.CONVERSATION_FULL)
    except Empty:
        _tell(client, event, m.REPLY_EMPTY)
    return False


def _tell(client: WebClient, event: dict, text: str) -> None:
    tell(client, channel=event["channel"], user=event["user"], thread_ts=event["thread_ts"], text=text)


def tell(client: WebClient, *, channel: str, user: str, thread_ts: str, text: str) -> None:
    """An ephemeral word to the person who wrote, in the thread."""
    try:
        call(client, "chat_postEphemeral", channel=channel, user=user, thread_ts=thread_ts, text=text)
    except SlackCallFailed as err:
        log.warning("could not tell a team member their reply was not sent: %s", err)
