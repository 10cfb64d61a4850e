from slack_bolt import App

from bot.handoff import Deps
from bot.listeners.events.app_home_opened import app_home_opened
from bot.listeners.events.thread_reply import thread_reply


def register(app: App, deps: Deps) -> None:
    app.event("message")(thread_reply(deps))  # message.channels and message.groups
    app.event("app_home_opened")(app_home_opened(deps))
