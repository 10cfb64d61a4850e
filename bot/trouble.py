"""Slack trouble that retrying will not heal by itself: say it once, notice when it is fixed.

A channel the bot is not in, an archived or deleted channel, a revoked or wrong token: every mirror
run would fail the same way, and one log line per shopper message would bury the cause. The first
failure per channel (or for the token) is logged as an error with what to do; repeats are logged
at debug level; the first success afterwards logs that mirroring works again. What was not posted
meanwhile is not lost: the conversations' cursors stay behind their logs and the cron sweep
(``jobs.slack.sweep``) re-runs them until Slack takes the posts.

Kept in one Redis hash, ``baton:slack:trouble``: field = a channel id or ``token``, value = Slack's
error code.
"""

from __future__ import annotations

import logging

import redis

from bot.errors import SlackCallFailed

log = logging.getLogger(__name__)

KEY = "baton:slack:trouble"
TOKEN = "token"
# A channel Baton cannot post in: fall back to the inbox channel (for a rule's channel), or wait.
CHANNEL_ERRORS = frozenset({"channel_not_found", "not_in_channel", "is_archived", "restricted_action", "team_access_not_granted"})
# The token is wrong or gone: nothing will post until it is replaced (and the process restarted).
TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission", "missing_scope"})


def subject(err: SlackCallFailed, channel: str) -> str:
    return TOKEN if err.error in TOKEN_ERRORS else (channel or "?")


def report(r: redis.Redis, err: SlackCallFailed, channel: str, conv_id: str = "") -> bool:
    """Log ``err`` as an error the first time it happens for its channel (or the token); returns
    whether this was the first time."""
    field = subject(err, channel)
    previous = r.hget(KEY, field)
    if previous is not None and previous.decode() == err.error:
        log.debug("Slack still failing: %s", err, extra={"conversation": conv_id, "channel": channel})
        return False
    r.hset(KEY, field, err.error)
    where = "every channel" if field == TOKEN else f"channel {channel}"
    log.error("Slack mirroring to %s stopped: %s. Nothing is lost: Baton retries every minute and catches up once this is fixed.",
              where, err, extra={"conversation": conv_id, "channel": channel})
    return True


def healed(r: redis.Redis, *channels: str) -> None:
    """A post to a channel (named by ``#name`` and/or id) went through: forget its trouble and the
    token's, saying so once."""
    pipe = r.pipeline()
    pipe.hdel(KEY, TOKEN)
    for channel in dict.fromkeys(channels):
        pipe.hdel(KEY, channel)
    token_fixed, *channel_fixed = pipe.execute()
    if token_fixed:
        log.warning("Slack accepts Baton's token again: mirroring resumed")
    if any(channel_fixed):
        log.warning("Slack mirroring to channel %s works again", channels[-1], extra={"channel": channels[-1]})


def failing(r: redis.Redis) -> dict[str, str]:
    """What is failing now: ``{channel or "token": error code}``."""
    return {k.decode(): v.decode() for k, v in r.hgetall(KEY).items()}
