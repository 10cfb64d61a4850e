"""The HTTP edge: Flask app factory, widget API and live stream, Slack endpoint, CLI.

May import every package; nothing imports webhook. The web process never calls the LLM or
LanceDB inside a request: it appends to the log and enqueues jobs.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import redis
from flask import Flask, jsonify, render_template, request, send_from_directory

import config
from conversations import ConversationStore, notices
from conversations.store import connect
from jobs import queues
from webhook.limits import StreamSlots
from webhook.live import LiveHub

MAX_REQUEST_BYTES = 64 * 1024
WIDGET_LANGUAGES = frozenset(notices.LANGUAGES) - {"en"}  # webhook/static/i18n/<lang>.json


class Baton:
    """What the app's views and CLI commands share, kept in ``app.extensions["baton"]``."""

    def __init__(self, settings: config.Settings):
        self.settings = settings
        self.redis = connect(settings.redis_url)
        self.store = ConversationStore(self.redis, max_chars=settings.max_message_chars)
        self.bolt = None  # the Slack Bolt app, when Slack is configured

    @cached_property
    def stream_slots(self) -> StreamSlots:
        return StreamSlots(self.redis, self.settings.max_streams_per_conversation, self.settings.max_streams_per_address)

    @cached_property
    def live(self) -> LiveHub:
        return LiveHub(connect(self.settings.redis_url))

    def queue(self, name: str):
        return queues.queue(self.redis, name)

    def enqueue_answer(self, conv_id: str, entry_id: str):
        return queues.enqueue_answer(self.redis, conv_id, entry_id)

    def ensure_answer(self, conv_id: str, entry_id: str):
        return queues.ensure_answer(self.redis, conv_id, entry_id)

    def enqueue_mirror(self, conv_id: str):
        return queues.enqueue_mirror(self.redis, conv_id)

    def enqueue_files(self, conv_id: str, channel: str, ts: str, user: str, files: list[dict]):
        return queues.enqueue_files(self.redis, conv_id, channel, ts, user, files)
    def enqueue_followup(self, conv_id: str):
        """A team reply reached the log: e-mail it after BATON_EMAIL_AFTER unless the shopper sees it."""
        if not self.settings.smtp_url:
            return None
        return queues.enqueue_followup(self.redis, conv_id, self.settings.email_after)

    def enqueue_add_doc(self, draft_id: str, user: str, channel: str, thread_ts: str):
        return queues.enqueue_add_doc(self.redis, draft_id, user, channel, thread_ts)


def create_app(settings: config.Settings | None = None) -> Flask:
    """Build the app: defaults, then the environment (and .env), then ``settings`` if given."""
    settings = settings or config.load()
    app = Flask(__name__)
    if settings.trusted_proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.config["SECRET_KEY"] = settings.secret_key or None
    app.json.sort_keys = False
    baton = Baton(settings)
    app.extensions["baton"] = baton

    from webhook.api import register_api
    from webhook.cli import register_cli
    from webhook.errors import register_errors
    from webhook.openapi import register_openapi
    from webhook.security import Assets, register_security
    from webhook.slack import register_slack

    register_errors(app)
    register_security(app, settings)
    register_openapi(app)
    register_api(app, baton)
    register_slack(app, baton)
    register_cli(app)

    assets = Assets()

    @app.get("/")
    def store_page():
        # ?lang=de shows the demo page (and so the widget) in another language.
        lang = request.args.get("lang", "")
        lang = lang if notices.language(lang) else "en"
        return render_template("store.html", store_name=settings.store_name, asset_version=assets.version, lang=lang,
                               rtl=notices.language(lang) in notices.RTL)

    @app.get("/widget.js")
    def widget_js():
        return assets.response("widget.js")

    @app.get("/i18n/<lang>.json")
    def widget_strings(lang: str):
        """The widget's strings in one language (English is built into widget.js)."""
        if lang not in WIDGET_LANGUAGES:
            return jsonify(error={"code": "not_found", "message": f"The widget has no strings for {lang!r}."}), 404
        return send_from_directory(Path(app.static_folder) / "i18n", f"{lang}.json", mimetype="application/json", max_age=300)

    @app.get("/widget.css")
    def widget_css():
        return assets.response("widget.css")

    @app.get("/healthz")
    def healthz():
        try:
            baton.redis.ping()
        except redis.RedisError:
            return jsonify(ok=False, redis="unreachable"), 503
        return jsonify(ok=True, slack=settings.slack_enabled, ai="claude" if settings.anthropic_enabled else "offline")

    return app
