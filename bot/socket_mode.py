"""Run the same Bolt app over Socket Mode: local development without a public URL.

Needs ``SLACK_APP_TOKEN`` (an app-level ``xapp-…`` token with ``connections:write``) besides
``SLACK_BOT_TOKEN`` and ``SLACK_SIGNING_SECRET``, and an app created from the Socket Mode variant of
the manifest (docs/slack.md). The web process still serves the widget; this process replaces
``POST /slack/events``. Exposed as ``flask --app webhook slack socket`` (webhook/ passes its
store and enqueue functions in, since bot/ never imports RQ or Flask).
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from bot.app import create_bolt_app
from bot.errors import SlackNotConfigured
from conversations import ConversationStore


def socket_mode_handler(
    settings,
    store: ConversationStore,
    enqueue_mirror: Callable[[str], object],
    enqueue_answer: Callable[[str, str], object],
    enqueue_files: Callable[..., object] | None = None,
    enqueue_add_doc: Callable[[str, str, str, str], object] | None = None,
) -> SocketModeHandler:
    """The handler, built but not connected (``.start()`` blocks, ``.connect()`` returns)."""
    if not settings.slack_app_token:
        raise SlackNotConfigured(
            "set SLACK_APP_TOKEN to an app-level token (xapp-…, scope connections:write; Basic Information → "
            "App-Level Tokens) to use Socket Mode"
        )
    app = create_bolt_app(settings, store, enqueue_mirror, enqueue_answer, enqueue_files=enqueue_files, enqueue_add_doc=enqueue_add_doc)
    base_url = (settings.slack_api_url or "https://slack.com/api/").rstrip("/") + "/"
    # apps.connections.open is called with the app token, on the same API base URL as everything else.
    return SocketModeHandler(app, app_token=settings.slack_app_token, web_client=WebClient(base_url=base_url))


def run(settings, store, enqueue_mirror, enqueue_answer, enqueue_files=None, enqueue_add_doc=None) -> None:
    """Connect and serve until interrupted (logging is configured by the caller, an entry point)."""
    socket_mode_handler(settings, store, enqueue_mirror, enqueue_answer, enqueue_files, enqueue_add_doc).start()
