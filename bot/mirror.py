"""The Slack mirror: a consumer of a conversation's log that keeps its Slack thread up to date.

Idempotent and resumable. Under a per-conversation lock it
  1. posts the parent card once the conversation has escalated (and records the thread),
  2. posts every entry after the ``slack`` cursor into the thread, in order, moving the cursor
     after each successful post (a crash or a retry resumes where it stopped: nothing twice;
     a worker killed between Slack's answer and the cursor write left the piece in ``INFLIGHT``,
     and the next run looks for it in the thread by its message metadata before posting again);
     a line longer than Slack's 4,000 characters goes out as several messages (``bot.mrkdwn.split``),
  3. re-renders the parent card whenever anything it shows changed (state, priority, reason,
     assignee, customer …): it keeps a fingerprint of the card it last sent and compares.
Entries typed in Slack (``meta.source == "slack"``) are skipped: they are already in the thread.

Errors: rate limits, Slack outages and network errors raise (``SlackRateLimited`` /
``SlackUnavailable``) so the RQ job retries; anything else (a wrong channel, a revoked token) is
logged once per channel (``bot.trouble``), with the conversation id and Slack's error code, and the
run stops with the cursor behind the log, for the cron sweep to retry. A rule's channel Baton cannot
post in (not invited, archived, deleted) falls back to the inbox channel: a new card goes there, and
an existing thread starts over there with the whole transcript.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass

from slack_sdk import WebClient

from bot import blocks, links, messages, trouble
from bot.errors import SlackCallFailed, SlackNotConfigured, SlackRateLimited, SlackUnavailable
from bot.mrkdwn import split
from bot.webapi import call
from conversations import ConversationStore, NotFound, State
from conversations.models import Conversation

log = logging.getLogger(__name__)

CURSOR = "slack"  # store.cursor(conv_id, CURSOR): the last entry mirrored into the thread
CARD = "slack_card"  # store.cursor(conv_id, CARD): the fingerprint of the card last sent
PART = "slack_part"  # store.cursor(conv_id, PART): "<entry id>#<n>", the last piece posted of a long line
INFLIGHT = "slack_inflight"  # the piece being posted right now ("" once Slack answered and PART moved)
LAST_TS = "slack_last_ts"  # the Slack ts of the last thread line posted (where a look-back starts)
METADATA_TYPE = "baton_line"  # message metadata on every thread line: {"piece": "<entry id>#<n>"}
# Slack shows at most 4,000 characters of a message's text well (and answers msg_too_long far above
# it): longer lines are posted as several messages, in order, nothing cut.
TEXT_MAX = 4000
LOCK_SECONDS = 60  # the lock's time-to-live; each Slack call renews it, so a long run keeps it
LOCK_WAIT_SECONDS = 60  # how long a second run waits for the first before failing (RQ retries it)


@dataclass
class MirrorResult:
    card: str = ""  # "posted", "updated" or ""
    posted: int = 0  # thread lines posted this run
    skipped: str = ""  # why nothing was done ("not escalated", "no such conversation", an error code)

    def __str__(self) -> str:
        if self.skipped:
            return f"skipped: {self.skipped}"
        return f"card {self.card or 'unchanged'}, {self.posted} posted"


def watching_all(settings) -> bool:
    """``BATON_MIRROR=all``: every conversation gets a thread from the shopper's first message."""
    return getattr(settings, "mirror", "escalated") == "all"


def wanted(settings, conv: Conversation) -> bool:
    """Whether a new entry of ``conv`` should ask for a mirror run (cheap: reads no log)."""
    return watching_all(settings) or bool(conv.slack_ts) or conv.state in (State.WAITING, State.HUMAN)


def escalated(store: ConversationStore, conv: Conversation, settings=None) -> bool:
    """Whether the conversation belongs in Slack: it has a thread, a person was ever asked for, or
    (watch mode) the shopper has written."""
    if conv.slack_ts or conv.state in (State.WAITING, State.HUMAN) or conv.escalation:
        return True
    entries = store.entries(conv.id)
    if watching_all(settings) and any(e.role == "customer" and e.type == "message" for e in entries):
        return True
    return any(e.type == "event" and e.meta.get("event") == "escalate" for e in entries)


def mirror_conversation(store: ConversationStore, client: WebClient, conv_id: str, settings, *, lock_seconds: float = LOCK_SECONDS) -> MirrorResult:
    """Bring the conversation's Slack thread up to date (see the module docstring)."""
    with store.lock(conv_id, CURSOR, timeout=lock_seconds, wait=LOCK_WAIT_SECONDS) as lock:
        try:
            conv = store.get(conv_id)
        except NotFound:
            return MirrorResult(skipped="no such conversation")
        if not escalated(store, conv, settings):
            return MirrorResult(skipped="not escalated")
        try:
            return _mirror(store, client, conv, settings, renew=lock.reacquire)
        except (SlackRateLimited, SlackUnavailable):
            raise
        except SlackCallFailed as err:
            trouble.report(store.r, err, getattr(err, "channel", "") or conv.slack_channel, conv_id)
            return MirrorResult(skipped=err.error)
        except SlackNotConfigured as err:
            log.error("Slack mirror stopped: %s", err, extra={"conversation": conv_id})
            return MirrorResult(skipped="no channel")


def _post(store: ConversationStore, client: WebClient, channel: str, *, troubled: bool = True, **kwargs) -> dict:
    """chat.postMessage; a failure names the channel (``err.channel``), a success clears its trouble
    (``troubled``: whether any was recorded when the run started; if not, there is nothing to clear)."""
    try:
        response = call(client, "chat_postMessage", channel=channel, unfurl_links=False, unfurl_media=False, **kwargs)
    except SlackCallFailed as err:
        err.channel = channel
        raise
    if troubled:
        trouble.healed(store.r, channel, response.get("channel") or channel)
    return response


def _can_move(err: SlackCallFailed, conv: Conversation, settings) -> bool:
    """A thread in a rule's channel that Baton can no longer post in moves to the inbox channel."""
    inbox = settings.slack_inbox_channel
    return err.error in trouble.CHANNEL_ERRORS and bool(inbox) and conv.slack_channel != inbox


def _move_to_inbox(store: ConversationStore, client: WebClient, conv: Conversation, settings, err: SlackCallFailed, *, renew) -> MirrorResult:
    """Start the conversation over in a new inbox thread: card first, then the whole transcript, so
    whoever picks it up there has the context (the old thread keeps working if it comes back)."""
    trouble.report(store.r, err, conv.slack_channel, conv.id)
    store.update(conv.id, slack_channel="", slack_ts="")
    for name in (CURSOR, PART):
        store.set_cursor(conv.id, name, "")
    return _mirror(store, client, store.get(conv.id), settings, renew=renew, moved=True)


def _mirror(store: ConversationStore, client: WebClient, conv: Conversation, settings, *, renew, moved: bool = False) -> MirrorResult:
    """``renew()`` restarts the lock's time-to-live before each post: a run that outlasted it would let
    a second run read the same cursor and post the same lines (it raises if the lock was lost).
    ``moved``: the thread was just moved to the inbox (it is not moved twice in one run)."""
    result = MirrorResult()
    troubled = bool(store.r.exists(trouble.KEY))  # read once: most runs have nothing to clear
    if not conv.slack_ts:
        channel = (conv.escalation or {}).get("channel") or settings.slack_inbox_channel
        if not channel:
            raise SlackNotConfigured(messages.NO_CHANNEL)
        card = render_card(store, conv, settings)
        renew()
        try:
            response = _post(store, client, channel, **card)
        except SlackCallFailed as err:
            inbox = settings.slack_inbox_channel
            if err.error not in trouble.CHANNEL_ERRORS or not inbox or channel == inbox:
                raise
            # The rule's channel is gone, archived or closed to the bot: the inbox gets the thread.
            trouble.report(store.r, err, channel, conv.id)
            response = _post(store, client, inbox, **card)
        # The answer names the channel by id even when we posted to "#name"; events carry ids.
        store.set_thread(conv.id, response["channel"], response["ts"])
        store.set_cursor(conv.id, CARD, fingerprint(card))
        conv = store.get(conv.id)
        result.card = "posted"
        try:
            permalink = call(client, "chat_getPermalink", channel=conv.slack_channel, message_ts=conv.slack_ts).get("permalink")
            if permalink:
                links.remember(store.r, conv.id, permalink)
        except SlackCallFailed as err:  # a missing link is not worth failing the mirror for
            log.info("no permalink for a thread: %s", err, extra={"conversation": conv.id})

    # An escalation in a thread that already existed pings the rule's group again: no new card will.
    ping = result.card != "posted"
    _settle_inflight(store, client, conv)
    for entry in store.entries(conv.id, after=store.cursor(conv.id, CURSOR)):
        post = blocks.thread_post(entry, conv, ping=ping)
        if post:
            pieces = split(post.pop("text"), TEXT_MAX)
            done = store.cursor(conv.id, PART) or ""  # also for one-piece lines: a crash look-back may have settled one
            # A line split in several messages keeps its name and avatar; the blocks only fit one.
            extras = post if len(pieces) == 1 else {k: v for k, v in post.items() if k != "blocks"}
            for n, piece in enumerate(pieces):
                if done.startswith(entry.id + "#") and n <= int(done.rpartition("#")[2]):
                    continue  # posted by a run that stopped half-way through this line
                renew()
                piece_id = f"{entry.id}#{n}"
                store.set_cursor(conv.id, INFLIGHT, piece_id)
                try:
                    response = _post(store, client, conv.slack_channel, troubled=troubled, thread_ts=conv.slack_ts, text=piece,
                                     metadata={"event_type": METADATA_TYPE, "event_payload": {"piece": piece_id}}, **extras)
                except SlackCallFailed as err:
                    store.set_cursor(conv.id, INFLIGHT, "")  # Slack said no: nothing to look for
                    if moved or not _can_move(err, conv, settings):
                        raise
                    return _move_to_inbox(store, client, conv, settings, err, renew=renew)
                # One write: the piece is posted (PART), where a look-back starts (LAST_TS), nothing in flight.
                store.set_cursors(conv.id, {PART: piece_id, LAST_TS: response.get("ts", ""), INFLIGHT: ""})
            result.posted += 1
        store.set_cursor(conv.id, CURSOR, entry.id)

    conv = store.get(conv.id)
    card = render_card(store, conv, settings)
    if store.cursor(conv.id, CARD) != fingerprint(card):
        renew()
        call(client, "chat_update", channel=conv.slack_channel, ts=conv.slack_ts, **card)
        store.set_cursor(conv.id, CARD, fingerprint(card))
        result.card = result.card or "updated"
    return result


def _settle_inflight(store: ConversationStore, client: WebClient, conv: Conversation) -> None:
    """A run that died between Slack's answer and its cursor write left the piece in ``INFLIGHT``.
    If the thread has a message carrying that piece in its metadata, it counts as posted; if the
    look-up fails for another reason than a Slack outage, the piece is posted again (at least once)."""
    piece = store.cursor(conv.id, INFLIGHT)
    if not piece:
        return
    try:
        found = call(client, "conversations_replies", channel=conv.slack_channel, ts=conv.slack_ts,
                     oldest=store.cursor(conv.id, LAST_TS) or conv.slack_ts, include_all_metadata=True, limit=200)
    except (SlackRateLimited, SlackUnavailable):
        raise  # the job retries later, the marker stays
    except SlackCallFailed as err:
        log.warning("could not check the thread for a line cut off by a crash (%s); posting it again", err.error, extra={"conversation": conv.id})
        found = {}
    for message in found.get("messages") or []:
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") == METADATA_TYPE and (metadata.get("event_payload") or {}).get("piece") == piece:
            store.set_cursors(conv.id, {PART: piece, LAST_TS: message.get("ts", ""), INFLIGHT: ""})
            log.info("a line cut off by a crash was already in the thread; not posting it again", extra={"conversation": conv.id})
            return
    store.set_cursor(conv.id, INFLIGHT, "")


def render_card(store: ConversationStore, conv: Conversation, settings) -> dict:
    return blocks.parent_card(conv, note_prefix=getattr(settings, "note_prefix", "note:"), earlier=store.earlier_conversations(conv))


def fingerprint(card: dict) -> str:
    """A short digest of a rendered card: equal digests, nothing on the card changed."""
    return hashlib.sha256(json.dumps(card, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]
