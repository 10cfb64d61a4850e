"""Links to conversations' Slack threads.

The mirror stores each parent message's permalink (chat.getPermalink) when it posts the card, so
App Home and the /handback list can link to threads without one API call per row.
"""

from __future__ import annotations

import redis

PERMALINKS = "baton:slack:permalinks"  # hash: conversation id -> permalink of the thread's parent


def remember(r: redis.Redis, conv_id: str, url: str) -> None:
    r.hset(PERMALINKS, conv_id, url)


def thread_links(r: redis.Redis, conversations) -> dict[str, str]:
    """conversation id -> link to its Slack thread (the permalink, else a link that opens the channel)."""
    conversations = [c for c in conversations if c.slack_channel]
    if not conversations:
        return {}
    stored = r.hmget(PERMALINKS, [c.id for c in conversations])
    out = {}
    for conv, url in zip(conversations, stored, strict=True):
        out[conv.id] = url.decode() if url else f"https://slack.com/app_redirect?channel={conv.slack_channel}"
    return out


def permalinks(r: redis.Redis, conv_ids: list[str]) -> dict[str, str]:
    """conversation id -> stored permalink of its Slack thread, for those that have one."""
    ids = list(dict.fromkeys(conv_ids))
    if not ids:
        return {}
    return {conv_id: url.decode() for conv_id, url in zip(ids, r.hmget(PERMALINKS, ids), strict=True) if url}
