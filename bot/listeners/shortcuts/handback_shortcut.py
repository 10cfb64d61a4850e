"""The "Hand back to AI" message shortcut, usable on any message of a conversation's thread."""

from __future__ import annotations

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot import handoff
from bot import messages as m
from bot.handoff import Deps


def handback_shortcut(deps: Deps):
    @handoff.apologise_on_outage
    def listener(ack: Ack, shortcut: dict, client: WebClient, respond: Respond):
        ack()
        message = shortcut.get("message") or {}
        channel = (shortcut.get("channel") or {}).get("id", "")
        conv = deps.store.by_thread(channel, message.get("thread_ts") or message.get("ts") or "")
        if conv is None:
            respond(text=m.SHORTCUT_NOT_IN_THREAD, response_type="ephemeral", replace_original=False)
            return
        _, reply = handoff.hand_back(deps, conv, deps.people.name(client, (shortcut.get("user") or {}).get("id", "")))
        respond(text=reply, response_type="ephemeral", replace_original=False)

    return listener
