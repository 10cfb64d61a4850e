"""A team member deletes a reply the shopper already has: the shopper's widget shows it as removed.

Slack sends a ``message`` event with ``subtype: message_deleted``, ``deleted_ts`` = the reply's ts
and the reply itself in ``previous_message`` (whose ``thread_ts`` names the conversation's thread).
Only a reply that reached the shopper counts (``delivered_reply``). A ``delete`` entry naming the
reply's entry is logged once (``client_id = slack-delete:<channel>:<ts>``); from then on the widget
and the history API show "This message was removed." in its place and never serve its text
again. The log keeps the original entry (it is append-only), for the team's record.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.handoff import Deps
from bot.listeners.events.thread_reply import delivered_reply
from conversations.errors import TooLong
from conversations.models import DELETE

log = logging.getLogger(__name__)


def reply_deleted(deps: Deps):
    def listener(event: dict, client: WebClient):
        previous = event.get("previous_message") or {}
        channel, ts = event.get("channel", ""), event.get("deleted_ts") or previous.get("ts")
        found = delivered_reply(deps, channel, previous.get("thread_ts"), ts)
        if found is None:
            return
        conv, reply = found
        latest = deps.store.latest_revision(conv.id, reply.id)
        if latest is not None and latest.type == DELETE:
            return
        meta = {"source": "slack", "slack_ts": ts, "slack_channel": channel}
        try:
            deps.store.append(conv.id, role="agent", type=DELETE, target=reply.id, text="", author=reply.author, meta=meta,
                              client_id=f"slack-delete:{channel}:{ts}")
        except TooLong:
            log.warning("could not withdraw a deleted reply: the conversation is full", extra={"conversation": conv.id})

    return listener
