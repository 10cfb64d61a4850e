"""Files a team member shared in a conversation's thread: fetch them from Slack and give them to the shopper.

Queued by the thread-reply listener (``jobs.queues.enqueue_files``) with the event's file objects.
Each file is checked against BATON_FILE_TYPES and BATON_FILE_MAX_MB, downloaded with the bot token,
kept under the data folder (``conversations.attachments``) and appended to the log as the member's
message (``meta.file``), which the widget shows and fetches with the conversation's token. A refused
file gets a note in the thread saying why. Idempotent: one entry per Slack file
(``client_id = slackfile:<channel>:<ts>:<file id>``) and one note per refused file.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot import files, messages, people
from bot.errors import SlackCallFailed, SlackRateLimited
from bot.webapi import call
from conversations import NotFound
from conversations.attachments import Attachments
from conversations.errors import Empty, TooLong
from jobs import context
from jobs.queues import SLACK

log = logging.getLogger(__name__)

NOTED_SECONDS = 86400  # a refused file's note is posted once (a retried job does not post it again)


def attachments(ctx) -> Attachments:
    return Attachments(ctx.redis, Path(ctx.settings.data_dir) / "files")


def fetch(conv_id: str, channel: str, ts: str, user: str, shared: list[dict]) -> str:
    """Send the files of Slack message ``channel``/``ts`` by ``user`` to the shopper; a short outcome.
    A Slack rate limit defers the job to the end of Slack's Retry-After; files already sent are not sent again."""
    from jobs import slack

    ctx = context.get()
    args = (conv_id, channel, ts, user, shared)
    if slack.paused(ctx):
        return slack.defer(ctx, None, SLACK, "jobs.files.fetch", *args, seconds=slack.paused(ctx))
    try:
        return _fetch(ctx, *args)
    except SlackRateLimited as err:
        return slack.defer(ctx, err, SLACK, "jobs.files.fetch", *args)


def _fetch(ctx, conv_id: str, channel: str, ts: str, user: str, shared: list[dict]) -> str:
    try:
        conv = ctx.store.get(conv_id)
    except NotFound:
        return "skipped: no such conversation"
    if ctx.slack is None:
        return "skipped: Slack is not configured"
    author = people.People(ctx.redis).member(ctx.slack, user)
    sent = refused = 0
    for file in shared:
        file_id = str(file.get("id") or "")
        client_id = f"slackfile:{channel}:{ts}:{file_id}"
        if not file_id or ctx.store.by_client_id(conv_id, client_id):
            continue
        try:
            files.check(file, ctx.settings)
            file = files.complete(ctx.slack, file)
            files.check(file, ctx.settings)
            data = files.download(ctx.settings.slack_bot_token, file, ctx.settings)
        except files.FileRefused as why:
            refused += 1
            _note(ctx, conv, channel, ts, file_id, str(why))
            log.info("a shared file was not sent to the shopper", extra={"conversation": conv_id})
            continue
        meta = attachments(ctx).save(conv_id, file_id, name=file.get("name") or "file", mimetype=(file.get("mimetype") or "").lower(), data=data)
        try:
            ctx.store.append(conv_id, role="agent", text=meta["name"], author=author, client_id=client_id,
                             meta={"source": "slack", "slack_ts": ts, "slack_user": user, "slack_channel": channel, "file": meta})
            sent += 1
        except (TooLong, Empty):
            _note(ctx, conv, channel, ts, file_id, messages.CONVERSATION_FULL)
    return f"{sent} sent, {refused} refused"


def _note(ctx, conv, channel: str, ts: str, file_id: str, text: str) -> None:
    """The refused file's reason, in the thread, once."""
    if not ctx.redis.set(f"baton:slack:file-noted:{channel}:{ts}:{file_id}", 1, nx=True, ex=NOTED_SECONDS):
        return
    try:
        call(ctx.slack, "chat_postMessage", channel=conv.slack_channel or channel, thread_ts=conv.slack_ts, text=text,
             unfurl_links=False, unfurl_media=False)
    except SlackCallFailed as err:
        ctx.redis.delete(f"baton:slack:file-noted:{channel}:{ts}:{file_id}")
        raise err
