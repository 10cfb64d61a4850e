"""A team member replies in a conversation's thread: the reply reaches the shopper.

Handles every ``message`` event (Slack sends edits, deletions, joins and bot posts as message
events too) and keeps only a person's new reply inside a Baton thread. The reply is appended with
``client_id = slack:<channel>:<ts>``, so a retried delivery of the same event stores one entry.
A reply that starts with the note prefix is an internal note: it is logged, never shown.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot import messages as m
from bot.errors import SlackCallFailed
from bot.handoff import Deps
from bot.mrkdwn import to_markdown
from bot.webapi import call
from conversations import Event, InvalidTransition, State
from conversations.errors import Empty, TooLong
from conversations.models import NOTE, Conversation

log = logging.getLogger(__name__)

# Subtypes that are still a person writing: plain replies, "also send to channel", and text with files.
PERSON_SUBTYPES = {None, "thread_broadcast", "file_share"}
HANDLED_SECONDS = 86400  # how long we remember a handled reply (Slack retries within minutes)


def is_person_reply(event: dict) -> bool:
    """A new message by a person, inside a thread (not the parent), not by a bot, not an edit."""
    if event.get("subtype") not in PERSON_SUBTYPES or event.get("bot_id") or not event.get("user"):
        return False
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    return bool(thread_ts and ts and thread_ts != ts)


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
        client_id = f"slack:{channel}:{ts}"
        prefix = (getattr(deps.settings, "note_prefix", "") or "").strip()

        if prefix and text.lower().startswith(prefix.lower()):
            note = text[len(prefix) :].strip()
            if note:
                _append(deps, client, event, conv, type=NOTE, text=note, author=author, meta=meta, client_id=client_id)
        else:
            problem = _problem(deps, text)
            if problem:
                _tell(client, event, problem)
                return
            took_over = _take_over(deps, conv, author["name"])
            _append(deps, client, event, conv, text=text, author=author, meta=meta, client_id=client_id)
            if took_over:
                deps.enqueue_mirror(conv.id)  # the "joined" line in the thread and the card's new state
        deps.store.r.set(handled, 1, ex=HANDLED_SECONDS)

    return listener


def _problem(deps: Deps, text: str) -> str:
    if not text:
        return m.REPLY_EMPTY
    if len(text) > deps.store.max_chars:
        return m.REPLY_TOO_LONG.format(limit=deps.store.max_chars)
    return ""


def _take_over(deps: Deps, conv: Conversation, actor: str) -> bool:
    """A reply means a person has the conversation now. A closed one is reopened first, so the
    shopper (who may have left) still gets the reply and the AI stays silent. Returns whether
    the state changed."""
    changed = False
    try:
        if conv.state == State.CLOSED:
            deps.store.transition(conv.id, Event.REOPEN, actor=actor, meta={"via": "slack"})
            changed = True
        if conv.state != State.HUMAN:
            deps.store.transition(conv.id, Event.TAKE_OVER, actor=actor, meta={"via": "slack"})
            changed = True
    except InvalidTransition:
        pass  # someone else moved it at the same moment; the reply is still delivered
    return changed


def _append(deps: Deps, client: WebClient, event: dict, conv: Conversation, **fields) -> None:
    try:
        deps.store.append(conv.id, role="agent", **fields)
    except TooLong:
        _tell(client, event, m.CONVERSATION_FULL)
    except Empty:
        _tell(client, event, m.REPLY_EMPTY)


def _tell(client: WebClient, event: dict, text: str) -> None:
    """An ephemeral word to the person who wrote, in the thread."""
    try:
        call(client, "chat_postEphemeral", channel=event["channel"], user=event["user"], thread_ts=event["thread_ts"], text=text)
    except SlackCallFailed as err:
        log.warning("could not tell a team member their reply was not sent: %s", err)
