"""A suggested reply's buttons: "Send to shopper" relays it as the clicker's reply; "Edit and send"
opens a modal prefilled with it (views.open must use the click's trigger_id within 3 s, so that one
call is made here; everything else is the worker's)."""

from __future__ import annotations

import logging

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot import drafts, handoff
from bot import messages as m
from bot.errors import SlackCallFailed
from bot.handoff import Deps
from bot.webapi import call
from conversations import NotFound

log = logging.getLogger(__name__)


def draft_button(deps: Deps, operation):
    """A listener that acks, finds the conversation and draft the button names, and runs
    ``operation(conv, draft_id, draft, user, body, client)``, whose answer (if any) is told ephemerally."""

    @handoff.apologise_on_outage
    def listener(ack: Ack, action: dict, body: dict, client: WebClient, respond: Respond):
        ack()
        conv_id, draft_id = drafts.parse_value(action.get("value") or "")
        try:
            conv = deps.store.get(conv_id)
        except NotFound:
            respond(text=m.UNKNOWN_CONVERSATION, response_type="ephemeral", replace_original=False)
            return
        user = (body.get("user") or {}).get("id", "")
        reply = operation(conv, draft_id, drafts.load(deps.store.r, conv.id), user, body, client)
        if reply:
            respond(text=reply, response_type="ephemeral", replace_original=False)

    return listener


def send_button(deps: Deps):
    def send(conv, draft_id, draft, user, body, client):
        return drafts.send(deps, conv, draft_id, draft.get("text", ""), user, deps.people.member(client, user))[1]

    return draft_button(deps, send)


def edit_button(deps: Deps):
    def edit(conv, draft_id, draft, user, body, client):
        values = {"number": conv.number, "customer": conv.customer_name}
        if draft.get("id") != draft_id:
            return m.DRAFT_STALE.format(**values)
        if draft.get("sent_by"):
            return m.DRAFT_ALREADY_SENT.format(user=f"<@{draft['sent_by']}>", **values)
        view = drafts.edit_modal(conv, draft, channel=draft.get("channel", ""), thread_ts=conv.slack_ts)
        try:
            call(client, "views_open", trigger_id=body.get("trigger_id", ""), view=view)
        except SlackCallFailed as err:
            log.warning("could not open the edit modal: %s", err, extra={"conversation": conv.id})
            return m.CANNOT.format(reason=err.error)
        return ""

    return draft_button(deps, edit)
