"""The parent card's buttons: Take over, Hand back to AI, Close (the value is the conversation id);
the same buttons in App Home and in the ``/handback`` list.

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
from bot.listeners.events.thread_reply import tell
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
        if body.get("response_url"):
            respond(text=reply, response_type="ephemeral", replace_original=False)
        elif conv.slack_channel:
            # A click in App Home has no response URL: the answer goes to the conversation's channel,
            # visible only to the member (the home view itself is republished by the worker).
            tell(client, channel=conv.slack_channel, user=user, thread_ts=conv.slack_ts, text=reply)

    return listener


def open_thread(ack: Ack):
    """"Open thread" is a link button: Slack opens the thread; the action only needs its 200."""
    ack()
