"""The digest's "Add to docs" button (the value is the draft's id).

Acks, checks that the draft still exists, and hands off: the file write and the re-index happen in
the worker (``jobs.digest.add_doc``), which answers in the digest's thread with what it saved.
"""

from __future__ import annotations

import json

from slack_bolt import Ack, Respond

from bot import handoff
from bot import messages as m
from bot.handoff import Deps
from bot.mrkdwn import escape

DRAFT = "baton:digest:draft:"  # where jobs.digest keeps drafts (bot/ reads it, never writes it)


def add_to_docs(deps: Deps):
    @handoff.apologise_on_outage
    def listener(ack: Ack, action: dict, body: dict, respond: Respond):
        ack()
        if deps.enqueue_add_doc is None:
            respond(text=m.DOC_DRAFT_UNAVAILABLE, response_type="ephemeral", replace_original=False)
            return
        draft_id = str(action.get("value") or "")
        raw = deps.store.r.get(DRAFT + draft_id) if draft_id.isalnum() else None
        if not raw:
            respond(text=m.DOC_DRAFT_GONE, response_type="ephemeral", replace_original=False)
            return
        draft = json.loads(raw)
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("channel") or {}).get("id", "") or (body.get("container") or {}).get("channel_id", "")
        message_ts = (body.get("message") or {}).get("ts", "") or (body.get("container") or {}).get("message_ts", "")
        deps.enqueue_add_doc(draft_id, user, channel, message_ts)
        respond(text=m.DOC_DRAFT_SAVING.format(title=escape(draft.get("title", ""))), response_type="ephemeral", replace_original=False)

    return listener
