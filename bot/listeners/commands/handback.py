"""``/handback 1042`` (or ``#1042``) returns a conversation to the AI; ``/handback`` alone lists the
conversations people hold (then those waiting), each with who has it and a "Hand back to AI" button.

Slash commands cannot be used inside threads and carry no thread, hence the number. Every answer is
ephemeral (only the person who typed sees it), sent through the command's response_url.
"""

from __future__ import annotations

import re

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot import blocks, handoff, links
from bot import messages as m
from bot.handoff import Deps
from conversations import NotFound, State

NUMBER = re.compile(r"#?\s*(\d{1,12})")


def handback_command(deps: Deps):
    @handoff.apologise_on_outage
    def listener(ack: Ack, command: dict, client: WebClient, respond: Respond):
        ack()
        text = (command.get("text") or "").strip()
        if not text:
            # The conversations people hold first, then those still waiting for someone.
            held = deps.store.recent([State.HUMAN], limit=blocks.HOME_ROWS_MAX)
            candidates = held + deps.store.recent([State.WAITING], limit=blocks.HOME_ROWS_MAX)
            respond(response_type="ephemeral", **blocks.handback_list(candidates, links.thread_links(deps.store.r, candidates)))
            return
        match = NUMBER.fullmatch(text)
        if not match:
            respond(text=m.USAGE, response_type="ephemeral")
            return
        number = int(match.group(1))
        try:
            conv = deps.store.by_number(number)
        except NotFound:
            respond(text=m.UNKNOWN_NUMBER.format(number=number), response_type="ephemeral")
            return
        _, reply = handoff.hand_back(deps, conv, deps.people.name(client, command.get("user_id", "")))
        respond(text=reply, response_type="ephemeral")

    return listener
