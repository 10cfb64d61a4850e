"""The App Home tab shows the queue; opening it also signs the member up for live updates for a week."""

from __future__ import annotations

from slack_sdk import WebClient

from bot import home
from bot.handoff import Deps


def app_home_opened(deps: Deps):
    def listener(event: dict, client: WebClient):
        if event.get("tab", "home") != "home":
            return  # the Messages tab also sends this event
        home.remember_viewer(deps.store.r, event["user"])
        home.publish(deps.store, client, users=[event["user"]])

    return listener
