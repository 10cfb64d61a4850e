"""Team members' display names and avatars, from users.info, cached in Redis for an hour.

Every thread reply needs the author's name (the shopper sees it), and Slack rate-limits users.info
(Tier 4), so one lookup per person per hour is plenty. Failures fall back to a neutral name and are
not cached, so a later reply shows the real one.
"""

from __future__ import annotations

import json
import logging

import redis
from slack_sdk import WebClient

from bot import messages
from bot.errors import SlackCallFailed
from bot.webapi import call

log = logging.getLogger(__name__)

CACHE_SECONDS = 3600


class People:
    def __init__(self, r: redis.Redis, ttl: int = CACHE_SECONDS):
        self.r = r
        self.ttl = ttl

    @staticmethod
    def _key(user_id: str) -> str:
        return f"baton:slack:user:{user_id}"

    def member(self, client: WebClient, user_id: str) -> dict:
        """``{"name", "avatar_url"}`` for a Slack user id: display name, else real name, else handle."""
        if not user_id:
            return {"name": messages.SOMEONE, "avatar_url": ""}
        cached = self.r.get(self._key(user_id))
        if cached:
            return json.loads(cached)
        try:
            user = call(client, "users_info", user=user_id).get("user") or {}
        except SlackCallFailed as err:
            log.warning("could not look up a Slack user's name: %s", err, extra={"slack_user": user_id})
            return {"name": messages.SOMEONE, "avatar_url": ""}
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name") or messages.SOMEONE
        avatar = profile.get("image_72") or profile.get("image_48") or profile.get("image_192") or ""
        found = {"name": name, "avatar_url": avatar}
        self.r.set(self._key(user_id), json.dumps(found), ex=self.ttl)
        return found

    def name(self, client: WebClient, user_id: str) -> str:
        return self.member(client, user_id)["name"]

