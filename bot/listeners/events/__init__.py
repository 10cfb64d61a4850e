from slack_bolt import App

from bot.handoff import Deps
from bot.listeners.events.app_home_opened import app_home_opened
from bot.listeners.events.reply_deleted import reply_deleted
from bot.listeners.events.reply_edited import reply_edited
from bot.listeners.events.thread_reply import thread_reply


def register(app: App, deps: Deps) -> None:
    # message.channels and message.groups. Bolt runs the first listener that matches, so the
    # subtype-specific ones go before the catch-all (which acknowledges and ignores the rest).
    app.event({"type": "message", "subtype": "message_changed"})(reply_edited(deps))
    app.event({"type": "message", "subtype": "message_deleted"})(reply_deleted(deps))
    app.event("message")(thread_reply(deps))
    app.event("app_home_opened")(app_home_opened(deps))
