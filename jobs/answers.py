"""The AI's turn: answer a customer message, or hand the conversation to the team."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, replace

from agent import Escalation, Reply
from bot.mirror import wanted as mirror_wanted
from conversations import Event, InvalidTransition, NotFound, State
from conversations.models import DELETED, MESSAGE, NOTE, PUBLIC, Entry, current
from jobs import context
from jobs.notices import handoff_notice
from jobs.queues import enqueue_mirror, ensure_answer

log = logging.getLogger(__name__)


def with_recaps(history: list[Entry]) -> list[Entry]:
    """The history the brains read: the team's hand-back recap (an internal note, meta ``recap``) is
    passed as a team line, so the AI builds on what the team did; other notes and events stay out."""
    out = []
    for entry in history:
        if entry.type == NOTE and entry.meta.get("recap"):
            entry = replace(entry, type=MESSAGE, role="agent", visibility=PUBLIC)
        out.append(entry)
    return out


def _person_requested(reply: Reply) -> Reply:
    """The shopper pressed "Talk to a person". The store's rules have had their say (a rule may
    answer first, e.g. with the team's hours, or decide otherwise); when no rule decided, the
    conversation goes to the team now, and the AI does not answer instead."""
    if reply.meta.get("brain") == "rules" or reply.escalation is not None:
        return reply
    escalation = Escalation(reason="The shopper pressed “Talk to a person”", category="human_request", summary="Asked for a person from the chat widget.")
    return Reply(escalation=escalation, meta={**reply.meta, "brain": "handoff", "answered": True, "outcome": "person_requested"})


def respond(conv_id: str, entry_id: str) -> str:
    """Run the agent on one customer entry. Idempotent: a re-run answers nothing twice.

    Returns a one-word outcome for the job's result (answered, escalated, silent, skipped).
    """
    ctx = context.get()
    store = ctx.store
    try:
        conv = store.get(conv_id)
    except NotFound:
        return "skipped"
    if conv.state != State.AI:
        return "silent"  # a person has (or is about to have) the conversation: the AI says nothing
    # The conversation as it reads now: team replies edited or deleted in Slack in their latest version,
    # deleted ones left out (the AI must not quote what the team withdrew).
    history = [e for e in current(store.entries(conv_id)) if e.revision != DELETED]
    ids = [e.id for e in history]
    if entry_id not in ids:
        return "skipped"
    # Only the newest customer message gets an answer: when the shopper sent three lines in a row,
    # the AI answers once, after the last of them, with all three in its history.
    later = [e for e in history[ids.index(entry_id) + 1 :] if e.role == "customer" and e.type == "message"]
    if later:
        return "skipped"
    history = with_recaps(history[: ids.index(entry_id) + 1])

    reply = ctx.agent.respond(conv, history, on_typing=lambda: store.signal(conv_id, "typing"))
    if history[-1].meta.get("request") == "human":
        reply = _person_requested(reply)

    if reply.tags:
        store.add_tags(conv_id, reply.tags)
    answered = bool(reply.meta.get("answered", reply.escalation is None))
    store.update(conv_id, ai_failures=0 if answered else conv.ai_failures + 1)
    if reply.text:
        stored, _ = store.append(
            conv_id,
            role="ai",
            text=reply.text,
            sources=reply.sources,
            author={"name": "AI assistant"},
            meta={k: v for k, v in reply.meta.items() if isinstance(v, (str, int, float, bool, type(None)))},
            client_id=f"ai:{entry_id}",
            require_state=State.AI,
        )
        if not stored:
            return "silent"  # a person took the conversation while the AI was thinking
        # Stored by an earlier attempt of this job that died before the state change: carry on, so
        # the retry still escalates or closes (the append itself is idempotent by client_id).
    outcome = "answered"
    if reply.escalation is not None:
        escalation = asdict(reply.escalation)
        store.update(conv_id, escalation=escalation)
        try:
            notice = handoff_notice(store, ctx.settings, conv, ctx.hours)
            store.transition(conv_id, Event.ESCALATE, meta={"escalation": escalation}, text=notice)
            outcome = "escalated"
        except InvalidTransition:
            outcome = "silent"
    if reply.close:
        try:
            store.transition(conv_id, Event.CLOSE)
        except InvalidTransition:
            pass
    conv = store.get(conv_id)
    if mirror_wanted(ctx.settings, conv):  # with BATON_MIRROR=all, the answer appears in the thread too
        enqueue_mirror(store.r, conv_id)
    log.info("answered turn", extra={"conversation": conv_id, "outcome": outcome})
    return outcome


SWEEP_MIN_AGE = 60  # seconds: a message younger than this may still be on its way to the worker
SWEEP_MAX_AGE = 3600  # seconds: older ones are left alone (the shopper has moved on; a person can pick it up)


def sweep_unanswered(now: float | None = None, min_age: float = SWEEP_MIN_AGE, max_age: float = SWEEP_MAX_AGE) -> int:
    """Queue the AI's turn for shoppers left without one (cron, every minute); returns how many.

    A conversation in ``ai`` whose last message is the shopper's, with no AI reply to it, last
    touched between ``min_age`` and ``max_age`` ago, gets ``ensure_answer``: a message whose job was
    lost (the web process died between storing it and queueing its answer, or Redis failed in
    between, and the widget never retried) is answered once; one whose job is queued, running or
    finished is left alone.
    """
    ctx = context.get()
    store = ctx.store
    now = time.time() if now is None else now
    queued = 0
    for conv_id in store.open_between(now - max_age, now - min_age):
        try:
            conv = store.get(conv_id)
        except NotFound:
            continue
        if conv.state != State.AI:
            continue
        messages = [e for e in store.last_entries(conv_id, 20) if e.type == "message" and e.public]
        if not messages or messages[-1].role != "customer":
            continue
        entry_id = messages[-1].id
        if store.by_client_id(conv_id, f"ai:{entry_id}") is None and ensure_answer(store.r, conv_id, entry_id) is not None:
            queued += 1
            log.warning("queued a missing AI turn", extra={"conversation": conv_id})
    return queued
