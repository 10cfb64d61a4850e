"""Bolt listeners, one kind per folder (bolt-python-starter-template style).

Every listener acks, checks, hands off: it appends to the conversation log and/or asks for a mirror
run; it never does slow work inline. Every event subscribed in manifest.yml has a listener here,
because Bolt answers 404 to an unmatched event and Slack then retries it.
"""

from slack_bolt import App

from bot.handoff import Deps
from bot.listeners import actions, commands, events, shortcuts, views


def register(app: App, deps: Deps) -> None:
    events.register(app, deps)
    commands.register(app, deps)
    actions.register(app, deps)
    shortcuts.register(app, deps)
    views.register(app, deps)
