"""Slack's door: Bolt's Flask adapter at POST /slack/events (events, commands, interactivity)."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request

log = logging.getLogger(__name__)


def register_slack(app: Flask, baton) -> None:
    handler = None
    if baton.settings.slack_enabled:
        from slack_bolt.adapter.flask import SlackRequestHandler

        from bot.app import create_bolt_app

        baton.bolt = create_bolt_app(baton.settings, baton.store, baton.enqueue_mirror, baton.enqueue_answer,
                                     enqueue_files=baton.enqueue_files, enqueue_add_doc=baton.enqueue_add_doc, enqueue_followup=baton.enqueue_followup)
        handler = SlackRequestHandler(baton.bolt)
    else:
        log.info("Slack is not configured (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET); mirroring is off")

    @app.post("/slack/events")
    def slack_events():
        if handler is None:
            return jsonify(error="Slack is not configured on this server"), 503
        return handler.handle(request)
