from slack_bolt import App

from bot import drafts
from bot.handoff import Deps
from bot.listeners.views.draft_modal import draft_modal_submitted


def register(app: App, deps: Deps) -> None:
    app.view_submission(drafts.VIEW_EDIT)(draft_modal_submitted(deps))
