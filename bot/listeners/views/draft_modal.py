"""The "Edit and send" modal was submitted: relay the (edited) text as the member's reply.

An empty text keeps the modal open with an error under the field (``response_action: errors``);
any other refusal (someone else holds the conversation, the draft was already sent) closes it and
tells the member in the thread, ephemerally.
"""

from __future__ import annotations

import json
import logging

import redis
from slack_bolt import Ack
from slack_sdk import WebClient

from bot import drafts
from bot import messages as m
from bot.handoff import Deps
from bot.listeners.events.thread_reply import tell
from conversations import NotFound

log = logging.getLogger(__name__)


def draft_modal_submitted(deps: Deps):
    def listener(ack: Ack, body: dict, view: dict, client: WebClient):
        values = (view.get("state") or {}).get("values") or {}
        text = ((values.get(drafts.INPUT_BLOCK) or {}).get(drafts.INPUT_ACTION) or {}).get("value") or ""
        if not text.strip():
            ack(response_action="errors", errors={drafts.INPUT_BLOCK: m.DRAFT_MODAL_EMPTY})
            return
        ack()
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            meta = {}
        user = (body.get("user") or {}).get("id", "")
        try:
            conv = deps.store.get(str(meta.get("conv", "")))
        except NotFound:
            return
        except redis.RedisError:
            log.exception("could not send an edited suggestion: Redis is unavailable", extra={"conversation": meta.get("conv", "")})
            return
        sent, reply = drafts.send(deps, conv, str(meta.get("draft", "")), text, user, deps.people.member(client, user))
        if not sent and conv.slack_channel and conv.slack_ts:
            tell(client, channel=conv.slack_channel, user=user, thread_ts=conv.slack_ts, text=reply)

    return listener
