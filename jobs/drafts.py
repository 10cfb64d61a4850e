"""Suggested replies: draft one when a conversation reaches the team, post it in the thread, and mark
it as sent once a member sends it.

``jobs.slack.mirror`` calls ``after_mirror`` once the thread is up to date: a conversation that is
waiting for a person and has no draft for its latest escalation gets a ``suggest`` job (queued once
per escalation), and a draft a member sent has its Slack message replaced by who sent it.
"""

from __future__ import annotations

import logging

from agent import drafts as drafting
from bot import drafts
from bot.errors import SlackCallFailed, SlackRateLimited
from bot.webapi import call
from conversations import NotFound, State
from conversations.models import DELETED, current
from jobs import context
from jobs.queues import ANSWERS, enqueue_draft

log = logging.getLogger(__name__)

PENDING_SECONDS = 3600  # a draft job is queued at most once per escalation within this time


def suggest(conv_id: str, escalation_id: str) -> str:
    """Draft a reply for the escalation ``escalation_id`` and post it in the thread. Idempotent.
    A Slack rate limit defers the job to the end of Slack's Retry-After (``jobs.slack.defer``)."""
    from jobs import slack

    ctx = context.get()
    if slack.paused(ctx):
        return slack.defer(ctx, None, ANSWERS, "jobs.drafts.suggest", conv_id, escalation_id, seconds=slack.paused(ctx))
    try:
        return _suggest(ctx, conv_id, escalation_id)
    except SlackRateLimited as err:
        return slack.defer(ctx, err, ANSWERS, "jobs.drafts.suggest", conv_id, escalation_id)


def _suggest(ctx, conv_id: str, escalation_id: str) -> str:
    store = ctx.store
    try:
        conv = store.get(conv_id)
    except NotFound:
        return "skipped: no such conversation"
    if ctx.slack is None:
        return "skipped: Slack is not configured"
    if conv.state != State.WAITING or not conv.slack_ts:
        return "skipped: not waiting in a thread"  # someone answered already, or no thread yet
    with store.lock(conv_id, "draft", timeout=300, wait=300):
        record = drafts.load(store.r, conv_id)
        if record.get("id") == escalation_id:
            return "skipped: already drafted"
        entries = [e for e in current(store.entries(conv_id)) if e.revision != DELETED]
        ids = [e.id for e in entries]
        if escalation_id in ids:
            entries = entries[: ids.index(escalation_id) + 1]
        draft = drafting.suggest(ctx.settings, ctx.kb, entries)
        if draft is None:
            store.r.delete(drafts.key(conv_id))
            drafts.save(store.r, conv_id, id=escalation_id, text="", kind="none", sources=[])
            return "nothing to suggest"
        fresh = {"id": escalation_id, "text": draft.text, "kind": draft.kind, "sources": draft.sources}
        message = drafts.message(conv, fresh)
        response = call(ctx.slack, "chat_postMessage", channel=conv.slack_channel, thread_ts=conv.slack_ts,
                        unfurl_links=False, unfurl_media=False, **message)
        store.r.delete(drafts.key(conv_id))
        drafts.save(store.r, conv_id, **fresh, channel=response["channel"], ts=response["ts"])
    log.info("suggested a reply (%s)", draft.kind, extra={"conversation": conv_id})
    return f"suggested ({draft.kind})"


def after_mirror(ctx, conv_id: str) -> None:
    """Queue a draft when one is due; show a sent draft as sent (see the module docstring)."""
    store = ctx.store
    try:
        conv = store.get(conv_id)
    except NotFound:
        return
    record = drafts.load(store.r, conv_id)
    if conv.state == State.WAITING and conv.slack_ts:
        escalation = drafts.latest_escalation(store, conv_id)
        if escalation and record.get("id") != escalation:
            if store.r.set(f"baton:{{{conv_id}}}:draft-queued:{escalation}", 1, nx=True, ex=PENDING_SECONDS):
                enqueue_draft(store.r, conv_id, escalation)
    if record.get("sent_by") and record.get("ts") and not record.get("shown"):
        try:
            call(ctx.slack, "chat_update", channel=record["channel"], ts=record["ts"], **drafts.sent_message(conv, record))
            drafts.save(store.r, conv_id, shown="1")
        except SlackCallFailed as err:
            log.warning("could not mark a suggested reply as sent: %s", err, extra={"conversation": conv_id})
