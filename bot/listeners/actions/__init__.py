from slack_bolt import App

from bot import blocks, handoff
from bot.handoff import Deps
from bot.listeners.actions.card_buttons import card_button


def register(app: App, deps: Deps) -> None:
    app.action(blocks.ACTION_TAKE_OVER)(card_button(deps, handoff.take_over))
    app.action(blocks.ACTION_HAND_BACK)(card_button(deps, handoff.hand_back))
    app.action(blocks.ACTION_CLOSE)(card_button(deps, handoff.close))
