"""A team member edits a reply the shopper already has: the shopper sees the new text, marked "edited".

Slack sends a ``message`` event with ``subtype: message_changed``: the new version in ``message``
(``ts`` = the reply's own ts, ``edited.ts`` = when it was edited), the old one in
``previous_message``. Only a reply that reached the shopper counts (``delivered_reply``); the edit
is logged as an ``edit`` entry naming the reply's entry, with the new text converted and checked
like a reply, under ``client_id = slack-edit:<channel>:<ts>:<edited ts>`` (a retried delivery
stores one entry). Nothing happens when the text did not change (Slack also sends message_changed
when it unfurls a link), when the edit is older than one already taken in, when the reply was
deleted, or when the edit turns the reply into a note: what the shopper read cannot be taken
back into a note, and they keep the reply as it was.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot import messages as m
from bot.handoff import Deps
from bot.listeners.events.thread_reply import delivered_reply, is_note, tell
from bot.mrkdwn import to_markdown
from conversations.errors import TooLong
from conversations.models import DELETE, EDIT

log = logging.getLogger(__name__)


def ts_order(ts: str | None) -> tuple[int, int]:
    """A Slack ts ("1712345678.000200") as a sortable pair; floats would round the micro part."""
    seconds, _, micro = (ts or "0").partition(".")
    try:
        return int(seconds), int(micro or 0)
    except ValueError:
        return 0, 0


def reply_edited(deps: Deps):
    def listener(event: dict, client: WebClient):
        message, previous = event.get("message") or {}, event.get("previous_message") or {}
        channel, ts = event.get("channel", ""), message.get("ts") or previous.get("ts")
        thread_ts = message.get("thread_ts") or previous.get("thread_ts")
        found = delivered_reply(deps, channel, thread_ts, ts)
        if found is None:
            return
        conv, reply = found
        edited_ts = (message.get("edited") or {}).get("ts") or event.get("ts", "")
        latest = deps.store.latest_revision(conv.id, reply.id)
        if latest is not None and latest.type == DELETE:
            return
        if latest is not None and ts_order(latest.meta.get("slack_edited_ts")) >= ts_order(edited_ts):
            return  # a late retry of an older edit must not bring back older text
        text = to_markdown(message.get("text") or "", resolve_user=lambda uid: deps.people.name(client, uid))
        if not text or is_note(deps, text) or text == (latest or reply).text:
            return
        editor = (message.get("edited") or {}).get("user") or message.get("user") or ""
        if len(text) > deps.store.max_chars:
            tell(client, channel=channel, user=editor, thread_ts=thread_ts, text=m.EDIT_TOO_LONG.format(limit=deps.store.max_chars))
            return
        meta = {"source": "slack", "slack_ts": ts, "slack_user": editor, "slack_channel": channel, "slack_edited_ts": edited_ts}
        try:
            deps.store.append(
                conv.id, role="agent", type=EDIT, target=reply.id, text=text, author=reply.author, meta=meta,
                client_id=f"slack-edit:{channel}:{ts}:{edited_ts}",
            )
        except TooLong:
            tell(client, channel=channel, user=editor, thread_ts=thread_ts, text=m.EDIT_CONVERSATION_FULL)

    return listener
