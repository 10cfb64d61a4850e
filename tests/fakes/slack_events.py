"""Requests exactly as Slack sends them to ``POST /slack/events``, signed with the signing secret.

Shapes follow Slack's docs: Events API ``event_callback`` envelopes (with ``event_id`` and
``authorizations``), form-encoded slash commands, and ``payload=``-encoded interactivity
(``block_actions``, ``message_action``). Signatures are ``v0=`` HMAC-SHA256 over
``v0:{timestamp}:{body}`` with ``X-Slack-Request-Timestamp``, like Slack's.

    events = SlackEvents("signing-secret")
    req = events.event(events.thread_reply(channel="C1", thread_ts=parent, user="U1", text="Hi!"))
    client.post("/slack/events", data=req.body, headers=req.headers)
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID

APP_ID = "A0BATON001"
TEAM_DOMAIN = "baton-test"
VERIFICATION_TOKEN = "legacy-verification-token"  # deprecated; Slack still sends it


@dataclass
class SignedRequest:
    body: str
    headers: dict


def signature(secret: str, timestamp: int | str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackEvents:
    def __init__(self, signing_secret: str, team_id: str = TEAM_ID):
        self.secret = signing_secret
        self.team_id = team_id
        self._seq = itertools.count(1)

    # -- signing ---------------------------------------------------------------------------------
    def headers(self, body: str, content_type: str, *, timestamp: int | None = None, secret: str | None = None) -> dict:
        ts = int(time.time()) if timestamp is None else timestamp
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature(secret or self.secret, ts, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }

    def _json(self, payload: dict, **sign) -> SignedRequest:
        body = json.dumps(payload)
        return SignedRequest(body, self.headers(body, "application/json", **sign))

    def _form(self, fields: dict, **sign) -> SignedRequest:
        body = urlencode(fields)
        return SignedRequest(body, self.headers(body, "application/x-www-form-urlencoded", **sign))

    # -- Events API ------------------------------------------------------------------------------
    def event(self, event: dict, *, event_id: str | None = None, retry_num: int | None = None, **sign) -> SignedRequest:
        """An ``event_callback`` envelope; pass the same ``event_id`` and a ``retry_num`` for a retry."""
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {"enterprise_id": None, "team_id": self.team_id, "user_id": BOT_USER_ID, "is_bot": True, "is_enterprise_install": False}
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + uuid.uuid4().hex,
        }
        req = self._json(envelope, **sign)
        if retry_num is not None:
            req.headers["X-Slack-Retry-Num"] = str(retry_num)
            req.headers["X-Slack-Retry-Reason"] = "http_timeout"
        return req

    def ts(self) -> str:
        """A fresh message timestamp, like Slack's ("1712345678.123456")."""
        return f"{int(time.time())}.{next(self._seq):06d}"

    def thread_reply(self, *, channel: str, thread_ts: str, user: str, text: str, ts: str | None = None, **extra) -> dict:
        """A person's reply in a thread (``message`` event, no subtype), with rich-text blocks."""
        ts = ts or self.ts()
        event = {
            "type": "message",
            "user": user,
            "text": text,
            "ts": ts,
            "thread_ts": thread_ts,
            "parent_user_id": BOT_USER_ID,
            "client_msg_id": str(uuid.uuid4()),
            "team": self.team_id,
            "blocks": [{"type": "rich_text", "block_id": "b1", "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}],
            "channel": channel,
            "event_ts": ts,
            "channel_type": "group" if channel.startswith("G") else "channel",
        }
        event.update(extra)
        return event

    def file_share(self, *, channel: str, thread_ts: str, user: str, files: list[dict], text: str = "", ts: str | None = None) -> dict:
        """A member shares file(s) in a thread, with or without text (``subtype: file_share``)."""
        event = self.thread_reply(channel=channel, thread_ts=thread_ts, user=user, text=text, ts=ts)
        event.update({"subtype": "file_share", "files": files, "upload": False, "display_as_bot": False})
        if not text:
            event.pop("blocks")
        return event

    def bot_message(self, *, channel: str, thread_ts: str, text: str, bot_id: str = "B0OTHERBOT", own: bool = False) -> dict:
        """A message posted by an app (``own``: by Baton itself) in a thread."""
        ts = self.ts()
        event = {"type": "message", "subtype": "bot_message", "text": text, "ts": ts, "thread_ts": thread_ts,
                 "bot_id": bot_id, "username": "Some bot", "channel": channel, "event_ts": ts, "channel_type": "channel"}
        if own:
            event.update({"user": BOT_USER_ID, "bot_id": "B0BATONBOT", "app_id": APP_ID})
            event.pop("subtype")
            event.pop("username")
        return event

    def message_changed(self, *, channel: str, thread_ts: str, ts: str, user: str, text: str) -> dict:
        """The event Slack sends when someone edits ``ts``."""
        now = self.ts()
        return {
            "type": "message",
            "subtype": "message_changed",
            "message": {"type": "message", "user": user, "text": text, "ts": ts, "thread_ts": thread_ts,
                        "edited": {"user": user, "ts": now}},
            "previous_message": {"type": "message", "user": user, "text": "(before)", "ts": ts, "thread_ts": thread_ts},
            "channel": channel,
            "hidden": True,
            "ts": now,
            "event_ts": now,
            "channel_type": "channel",
        }

    def message_deleted(self, *, channel: str, thread_ts: str, ts: str) -> dict:
        now = self.ts()
        return {"type": "message", "subtype": "message_deleted", "hidden": True, "deleted_ts": ts, "channel": channel,
                "previous_message": {"type": "message", "text": "(gone)", "ts": ts, "thread_ts": thread_ts},
                "ts": now, "event_ts": now, "channel_type": "channel"}

    def app_home_opened(self, *, user: str, tab: str = "home") -> dict:
        ts = self.ts()
        return {"type": "app_home_opened", "user": user, "channel": "D0BATONDM1", "tab": tab, "event_ts": ts}

    # -- slash commands --------------------------------------------------------------------------
    def command(self, command: str, text: str, *, user: str, response_url: str, channel: str = "C0GENERAL1",
                user_name: str = "alice", **sign) -> SignedRequest:
        return self._form(
            {
                "token": VERIFICATION_TOKEN,
                "team_id": self.team_id,
                "team_domain": TEAM_DOMAIN,
                "channel_id": channel,
                "channel_name": "general",
                "user_id": user,
                "user_name": user_name,
                "command": command,
                "text": text,
                "api_app_id": APP_ID,
                "is_enterprise_install": "false",
                "response_url": response_url,
                "trigger_id": f"{next(self._seq)}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}",
            },
            **sign,
        )

    # -- interactivity ---------------------------------------------------------------------------
    def block_action(self, action_id: str, value: str, *, user: str, channel: str, message_ts: str, response_url: str,
                     message: dict | None = None, **sign) -> SignedRequest:
        """A button click on a message (``block_actions`` with a ``payload=`` form field)."""
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team_id},
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
            "trigger_id": f"{next(self._seq)}.{uuid.uuid4().hex}",
            "team": {"id": self.team_id, "domain": TEAM_DOMAIN},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "support-inbox"},
            "message": message or {"type": "message", "user": BOT_USER_ID, "ts": message_ts, "text": "card"},
            "state": {"values": {}},
            "response_url": response_url,
            "actions": [
                {"action_id": action_id, "block_id": "baton_card_actions", "text": {"type": "plain_text", "text": action_id},
                 "value": value, "type": "button", "action_ts": self.ts()}
            ],
        }
        return self._form({"payload": json.dumps(payload)}, **sign)

    def message_shortcut(self, callback_id: str, *, user: str, channel: str, message: dict, response_url: str, **sign) -> SignedRequest:
        """A message shortcut chosen from a message's "⋯" menu (``message_action``)."""
        payload = {
            "type": "message_action",
            "token": VERIFICATION_TOKEN,
            "action_ts": self.ts(),
            "team": {"id": self.team_id, "domain": TEAM_DOMAIN},
            "user": {"id": user, "name": user.lower(), "username": user.lower(), "team_id": self.team_id},
            "channel": {"id": channel, "name": "support-inbox"},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": f"{next(self._seq)}.{uuid.uuid4().hex}",
            "response_url": response_url,
            "message_ts": message["ts"],
            "message": message,
        }
        return self._form({"payload": json.dumps(payload)}, **sign)

    def view_submission(self, view: dict, values: dict, *, user: str, **sign) -> SignedRequest:
        """A modal submitted (``view_submission``): ``view`` as the app opened it (callback_id,
        private_metadata, blocks), ``values`` = {block_id: {action_id: text}} typed in its inputs."""
        state = {block: {action: {"type": "plain_text_input", "value": text} for action, text in fields.items()}
                 for block, fields in values.items()}
        view_id = f"V{uuid.uuid4().hex[:10].upper()}"
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": TEAM_DOMAIN},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team_id},
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": f"{next(self._seq)}.{uuid.uuid4().hex}",
            "view": {
                "id": view_id, "team_id": self.team_id, "type": view.get("type", "modal"), "blocks": view.get("blocks", []),
                "private_metadata": view.get("private_metadata", ""), "callback_id": view.get("callback_id", ""),
                "state": {"values": state}, "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
                "title": view.get("title"), "clear_on_close": False, "notify_on_close": False,
                "close": view.get("close"), "submit": view.get("submit"), "previous_view_id": None,
                "root_view_id": view_id, "app_id": APP_ID, "external_id": "", "app_installed_team_id": self.team_id, "bot_id": "B0BATONBOT",
            },
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._form({"payload": json.dumps(payload)}, **sign)
