"""The parent card's buttons: Take over, Hand back to AI, Close (the value is the conversation id).

The state change is posted in the thread and the card re-rendered by the mirror job, not here.
The person who clicked gets an ephemeral line: a confirmation, or why the click could not apply
(someone else was quicker), in which case the card is refreshed too.
"""

from __future__ import annotations

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot import handoff
from bot import messages as m
from bot.handoff import Deps
from conversations import NotFound


def card_button(deps: Deps, operation):
    @handoff.apologise_on_outage
    def listener(ack: Ack, action: dict, body: dict, client: WebClient, respond: Respond):
        ack()
        try:
            conv = deps.store.get(action.get("value") or "")
        except NotFound:
            respond(text=m.UNKNOWN_CONVERSATION, response_type="ephemeral", replace_original=False)
            return
        user = (body.get("user") or {}).get("id", "")
        _, reply = operation(deps, conv, deps.people.name(client, user), user)
        respond(text=reply, response_type="ephemeral", replace_original=False)

    return listener
