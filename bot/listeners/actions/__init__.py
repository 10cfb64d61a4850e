from slack_bolt import App

from bot import blocks, digest, drafts, handoff
from bot.handoff import Deps
from bot.listeners.actions.add_to_docs import add_to_docs
from bot.listeners.actions.card_buttons import card_button, open_thread
from bot.listeners.actions.draft_buttons import edit_button, send_button


def register(app: App, deps: Deps) -> None:
    app.action(blocks.ACTION_TAKE_OVER)(card_button(deps, handoff.take_over))
    app.action(blocks.ACTION_HAND_BACK)(card_button(deps, handoff.hand_back))
    app.action(blocks.ACTION_CLOSE)(card_button(deps, handoff.close))
    app.action(blocks.ACTION_OPEN_THREAD)(open_thread)
    app.action(drafts.ACTION_SEND)(send_button(deps))
    app.action(drafts.ACTION_EDIT)(edit_button(deps))
    app.action(digest.ACTION_ADD_DOC)(add_to_docs(deps))
