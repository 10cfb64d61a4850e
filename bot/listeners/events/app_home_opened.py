"""The App Home tab lists the conversations waiting for or with a person."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot import blocks, links
from bot.errors import SlackCallFailed
from bot.handoff import Deps
from bot.webapi import call
from conversations import State

log = logging.getLogger(__name__)


def app_home_opened(deps: Deps):
    def listener(event: dict, client: WebClient):
        if event.get("tab", "home") != "home":
            return  # the Messages tab also sends this event
        conversations = deps.store.recent([State.WAITING, State.HUMAN], limit=blocks.HOME_ROWS_MAX + 1)
        view = blocks.home_view(conversations, links.thread_links(deps.store.r, conversations))
        try:
            call(client, "views_publish", user_id=event["user"], view=view)
        except SlackCallFailed as err:
            log.warning("could not publish the App Home view: %s", err)

    return listener
