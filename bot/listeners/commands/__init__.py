from slack_bolt import App

from bot.handoff import Deps
from bot.listeners.commands.handback import handback_command


def register(app: App, deps: Deps) -> None:
    app.command("/handback")(handback_command(deps))
