"""What the team's Slack actions do to a conversation, shared by /handback, the buttons and the shortcut.

Each operation applies one state-machine event, asks for a mirror run (the thread line and the
card update are the worker's job, not the listener's) and returns ``(done, text)``: the text is
the ephemeral answer for the person who clicked or typed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

import redis

from bot import messages as m
from bot.mrkdwn import escape
from bot.people import People
from conversations import ConversationStore, Event, InvalidTransition, State
from conversations.models import DELETED, NOTE, Conversation, current

log = logging.getLogger(__name__)


@dataclass
class Deps:
    """What the listeners need, handed in by whoever builds the Bolt app (web process or Socket Mode)."""

    settings: object
    store: ConversationStore
    enqueue_mirror: Callable[[str], object]
    enqueue_answer: Callable[[str, str], object]
    people: People
    # enqueue_files(conv_id, channel, ts, user, files): send a thread message's files to the shopper
    enqueue_files: Callable[..., object] | None = None
    # The digest's "Add to docs": (draft id, Slack user, channel, digest message ts) -> queued job.
    enqueue_add_doc: Callable[[str, str, str, str], object] | None = None
    enqueue_followup: Callable[[str], object] | None = None  # a team reply the shopper may need e-mailed


def apologise_on_outage(listener):
    """Wrap an interactive listener (it must take ``respond``): if Redis is down, the person who
    typed or clicked gets a short apology instead of silence, and the outage is logged once here."""

    @functools.wraps(listener)
    def wrapped(**kwargs):
        try:
            return listener(**kwargs)
        except redis.RedisError:
            log.exception("could not handle a Slack command or click: Redis is unavailable")
            kwargs["respond"](text=m.SOMETHING_WENT_WRONG, response_type="ephemeral", replace_original=False)

    return wrapped


def _refused(conv: Conversation, event: Event, err: InvalidTransition) -> str:
    state = err.state
    if state == State.AI:
        text = m.ALREADY_AI if event == Event.HAND_BACK else m.CANNOT.format(reason=str(err))
    elif state == State.HUMAN and event == Event.TAKE_OVER:
        text = m.ALREADY_HUMAN
    elif state == State.CLOSED:
        text = m.ALREADY_CLOSED
    else:
        text = m.CANNOT.format(reason=str(err))
    return text.format(number=conv.number)


def _apply(deps: Deps, conv: Conversation, event: Event, actor: str, assignee: str = "") -> tuple[bool, str]:
    try:
        deps.store.transition(conv.id, event, actor=actor, meta={"via": "slack"}, assignee=assignee)
    except InvalidTransition as err:
        deps.enqueue_mirror(conv.id)  # the card may be stale: let the mirror re-render it
        return False, _refused(conv, event, err)
    deps.enqueue_mirror(conv.id)
    log.info("conversation %s by a team member in Slack", event.value, extra={"conversation": conv.id})
    values = {"number": conv.number, "customer": escape(conv.customer_name), "note_prefix": getattr(deps.settings, "note_prefix", "note:")}
    return True, {Event.HAND_BACK: m.HANDED_BACK, Event.TAKE_OVER: m.TOOK_OVER, Event.CLOSE: m.CLOSED}[event].format(**values)


def hand_back(deps: Deps, conv: Conversation, actor: str, user: str = "") -> tuple[bool, str]:
    """Return the conversation to the AI; if the shopper asked something nobody answered, the AI answers it."""
    done, text = _apply(deps, conv, Event.HAND_BACK, actor)
    if done:
        note = recap(deps.store.entries(conv.id), actor)
        if note:
            deps.store.append(conv.id, role="system", type=NOTE, text=note, author={"name": m.RECAP_AUTHOR}, meta={"recap": True},
                              client_id=f"recap:{deps.store.entries(conv.id)[-1].id}")
            deps.enqueue_mirror(conv.id)
        pending = unanswered_question(deps.store, conv.id)
        if pending:
            deps.enqueue_answer(conv.id, pending)
    return done, text


def take_over(deps: Deps, conv: Conversation, actor: str, user: str = "") -> tuple[bool, str]:
    """``user`` (the clicking member's Slack id) becomes the assignee. When someone already holds the
    conversation, the answer names them; a conversation with a person but held by nobody is claimed."""
    if not user:
        return _apply(deps, conv, Event.TAKE_OVER, actor)
    result = assign(deps, conv, user, actor)
    values = {"number": conv.number, "customer": escape(conv.customer_name), "note_prefix": getattr(deps.settings, "note_prefix", "note:")}
    if result.holder == user:
        return True, (m.TOOK_OVER if result.changed else m.ALREADY_YOURS).format(**values)
    if result.holder:
        return False, m.HELD_BY.format(holder=f"<@{result.holder}>", **values)
    return False, _refused(conv, Event.TAKE_OVER, InvalidTransition(Event.TAKE_OVER.value, str(result.state)))


def close(deps: Deps, conv: Conversation, actor: str, user: str = "") -> tuple[bool, str]:
    return _apply(deps, conv, Event.CLOSE, actor)


@dataclass
class Assignment:
    holder: str  # who holds the conversation now ("" when nobody does, e.g. it is closed)
    changed: bool  # whether this call changed the state or the assignee (the card needs a re-render)
    state: State


def assign(deps: Deps, conv: Conversation, user: str, actor: str, *, reopen: bool = False) -> Assignment:
    """Give the conversation to ``user`` (a Slack user id) unless someone else holds it.

    From ``ai`` or ``waiting`` this is the TAKE_OVER transition with ``user`` as assignee (one atomic
    step, so of two members clicking at once exactly one gets it); from ``human`` held by nobody it
    claims it; ``reopen``: a closed conversation is reopened first (a reply in its thread). Asks for a
    mirror run when anything changed. Used by "Take over", thread replies and sent drafts.
    """
    store = deps.store
    changed = False
    try:
        if reopen and conv.state == State.CLOSED:
            store.transition(conv.id, Event.REOPEN, actor=actor, meta={"via": "slack"})
            changed = True
        store.transition(conv.id, Event.TAKE_OVER, actor=actor, meta={"via": "slack"}, assignee=user)
        changed = True
    except InvalidTransition:
        pass  # already with a person (or closed): see who holds it
    claimed, holder = store.claim(conv.id, user)
    now = store.get(conv.id)
    if claimed and not changed and conv.assignee != user:
        changed = True
    if changed:
        deps.enqueue_mirror(conv.id)
        log.info("conversation assigned to a team member in Slack", extra={"conversation": conv.id, "slack_user": user})
    return Assignment(holder=now.assignee, changed=changed, state=now.state)


RECAP_ITEMS = 10
RECAP_ITEM_CHARS = 300


def recap(entries: list, actor: str) -> str:
    """What the team did since the conversation last reached them (their replies and notes), for the AI
    that takes over again: a short internal note, so it neither repeats nor contradicts them. "" when the
    team did nothing worth telling."""
    items: list[str] = []
    for entry in current(entries):
        if entry.type == "event" and entry.meta.get("event") == "escalate":
            items = []  # only the latest round with the team
            continue
        if entry.revision == DELETED or entry.role != "agent":
            continue
        name = (entry.author or {}).get("name") or m.SOMEONE
        text = " ".join(entry.text.split())
        text = text if len(text) <= RECAP_ITEM_CHARS else text[: RECAP_ITEM_CHARS - 1] + "…"
        if entry.type == "message" and entry.public:
            items.append(m.RECAP_REPLY.format(name=name, text=text))
        elif entry.type == "note":
            items.append(m.RECAP_NOTE.format(name=name, text=text))
    if not items:
        return ""
    return m.RECAP.format(actor=actor or m.SOMEONE, items="\n".join(items[-RECAP_ITEMS:]))


def unanswered_question(store: ConversationStore, conv_id: str) -> str | None:
    """The shopper's last message, if they wrote after the escalation and nobody answered it.

    The message that caused the escalation is not "unanswered" (the team saw it and chose to hand
    back); a "hello? anyone there?" written while waiting is, and the AI should pick it up.
    """
    for entry in reversed(current(store.entries(conv_id))):
        if entry.type == "event" and entry.meta.get("event") == "escalate":
            return None
        if entry.revision == DELETED:
            continue  # a reply the team deleted answered nothing
        if entry.type == "message" and entry.public:
            return entry.id if entry.role == "customer" else None
    return None
