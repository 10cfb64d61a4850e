from slack_bolt import App

from bot import blocks
from bot.handoff import Deps
from bot.listeners.shortcuts.handback_shortcut import handback_shortcut


def register(app: App, deps: Deps) -> None:
    app.message_shortcut(blocks.SHORTCUT_HAND_BACK)(handback_shortcut(deps))
