"""Slack's door: Bolt's Flask adapter at POST /slack/events (events, commands, interactivity)."""

from __future__ import annotations

import logging
import re

from flask import Flask, request

from webhook.errors import ApiError

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
            raise ApiError(503, "slack_not_configured", "Slack is not configured on this server: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET.")
        # Bolt would fail with a 500 on these before looking at the signature.
        for header, code, what in (("X-Slack-Request-Timestamp", "bad_timestamp", "Unix time in seconds"), ("X-Slack-Retry-Num", "bad_retry_num", "whole number")):
            value = request.headers.get(header)
            if value is not None and not re.fullmatch(r"[0-9]{1,12}", value.strip()):
                raise ApiError(400, code, f"{header} must be a {what}.")
        return handler.handle(request)
