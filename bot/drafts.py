"""Suggested replies in a conversation's thread: the record, the Block Kit, and sending one.

A draft answers one escalation (its id is the escalation entry's id) and lives in the hash
``baton:{<conv id>}:draft``: ``id``, ``text``, ``sources`` (JSON), ``kind``, the Slack message it was
posted as (``channel``, ``ts``), and once sent ``sent_by`` (Slack user id) and ``shown`` (the
message was updated to say so). The worker posts and updates the message (``jobs.drafts``);
the buttons and the edit modal only check, append the reply and hand the rest to the mirror.
"""

from __future__ import annotations

import json
import logging

import redis

from bot import handoff
from bot import messages as m
from bot.handoff import Deps
from bot.mrkdwn import escape, link, markdown_to_mrkdwn, truncate
from conversations import Conversation
from conversations.errors import Empty, TooLong

log = logging.getLogger(__name__)

ACTION_SEND = "baton_draft_send"
ACTION_EDIT = "baton_draft_edit"
VIEW_EDIT = "baton_draft_modal"
INPUT_BLOCK = "baton_draft_text"
INPUT_ACTION = "text"
INPUT_MAX = 3000  # plain_text_input's limit
SECTION_MAX = 3000


def key(conv_id: str) -> str:
    return f"baton:{{{conv_id}}}:draft"


def load(r: redis.Redis, conv_id: str) -> dict:
    raw = r.hgetall(key(conv_id))
    record = {k.decode(): v.decode() for k, v in raw.items()}
    if "sources" in record:
        record["sources"] = json.loads(record["sources"] or "[]")
    return record


def save(r: redis.Redis, conv_id: str, **fields) -> None:
    if "sources" in fields:
        fields["sources"] = json.dumps(fields["sources"])
    r.hset(key(conv_id), mapping={k: v if v is not None else "" for k, v in fields.items()})


def latest_escalation(store, conv_id: str) -> str:
    """The id of the conversation's last escalation entry ("" when it never escalated)."""
    for entry in reversed(store.entries(conv_id)):
        if entry.type == "event" and entry.meta.get("event") == "escalate":
            return entry.id
    return ""


# -- Block Kit ------------------------------------------------------------------------------------
def _value(conv_id: str, draft_id: str) -> str:
    return f"{conv_id}:{draft_id}"


def parse_value(value: str) -> tuple[str, str]:
    conv_id, _, draft_id = (value or "").partition(":")
    return conv_id, draft_id


def _sources(sources: list[dict]) -> str:
    return " · ".join(link(s.get("url") or "", s.get("title") or "source") for s in sources if isinstance(s, dict))


def message(conv: Conversation, draft: dict) -> dict:
    """The thread message that shows a draft to the team, with its two buttons."""
    value = _value(conv.id, draft["id"])
    intro = m.DRAFT_INTRO_CLAUDE if draft.get("kind") == "claude" else m.DRAFT_INTRO_DOCS
    blocks: list[dict] = [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": intro.format(customer=escape(conv.customer_name))}]},
        {"type": "section", "text": {"type": "mrkdwn", "text": truncate(markdown_to_mrkdwn(draft["text"]), SECTION_MAX)}},
    ]
    if draft.get("sources"):
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(m.DRAFT_SOURCES.format(sources=_sources(draft["sources"])), SECTION_MAX)}]})
    blocks.append({"type": "actions", "block_id": "baton_draft_actions", "elements": [
        {"type": "button", "action_id": ACTION_SEND, "style": "primary", "value": value, "text": {"type": "plain_text", "text": m.BUTTON_DRAFT_SEND}},
        {"type": "button", "action_id": ACTION_EDIT, "value": value, "text": {"type": "plain_text", "text": m.BUTTON_DRAFT_EDIT}},
    ]})
    return {"text": m.DRAFT_FALLBACK.format(customer=escape(conv.customer_name)), "blocks": blocks}


def sent_message(conv: Conversation, draft: dict) -> dict:
    """The same message once a member sent it: no buttons, and who sent it."""
    line = m.DRAFT_SENT.format(user=f"<@{draft['sent_by']}>", customer=escape(conv.customer_name))
    return {"text": line, "blocks": [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": line}]},
        {"type": "section", "text": {"type": "mrkdwn", "text": truncate(markdown_to_mrkdwn(draft["text"]), SECTION_MAX)}},
    ]}


def edit_modal(conv: Conversation, draft: dict, *, channel: str, thread_ts: str) -> dict:
    """The "Edit and send" modal, prefilled with the draft."""
    meta = json.dumps({"conv": conv.id, "draft": draft["id"], "channel": channel, "thread_ts": thread_ts})
    return {
        "type": "modal",
        "callback_id": VIEW_EDIT,
        "private_metadata": meta,
        "title": {"type": "plain_text", "text": truncate(m.DRAFT_MODAL_TITLE.format(number=conv.number), 24)},
        "submit": {"type": "plain_text", "text": m.DRAFT_MODAL_SUBMIT},
        "close": {"type": "plain_text", "text": m.DRAFT_MODAL_CANCEL},
        "blocks": [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": m.DRAFT_MODAL_HINT.format(customer=escape(conv.customer_name))}]},
            {"type": "input", "block_id": INPUT_BLOCK, "label": {"type": "plain_text", "text": m.DRAFT_MODAL_LABEL},
             "element": {"type": "plain_text_input", "action_id": INPUT_ACTION, "multiline": True, "max_length": INPUT_MAX,
                         "initial_value": draft["text"][:INPUT_MAX]}},
        ],
    }


# -- sending --------------------------------------------------------------------------------------
def send(deps: Deps, conv: Conversation, draft_id: str, text: str, user: str, author: dict) -> tuple[bool, str]:
    """Relay ``text`` as ``user``'s reply and make them the assignee; ``(sent, ephemeral answer)``.

    Refused when the draft is not the current one, was already sent, or someone else holds the
    conversation. One send per draft (``client_id = draft:<draft id>``), so a double click or a
    click racing the modal stores one reply.
    """
    draft = load(deps.store.r, conv.id)
    values = {"number": conv.number, "customer": escape(conv.customer_name)}
    if not draft or draft.get("id") != draft_id:
        return False, m.DRAFT_STALE.format(**values)
    if draft.get("sent_by"):
        return False, m.DRAFT_ALREADY_SENT.format(user=f"<@{draft['sent_by']}>", **values)
    if conv.assignee and conv.assignee != user:
        return False, m.HELD_BY.format(holder=f"<@{conv.assignee}>", note_prefix=getattr(deps.settings, "note_prefix", "note:"), **values)
    text = (text or "").strip()
    if not text:
        return False, m.REPLY_EMPTY
    if len(text) > deps.store.max_chars:
        return False, m.REPLY_TOO_LONG.format(limit=deps.store.max_chars)
    # The team's first, then the reply: the AI can no longer append once the conversation is taken.
    result = handoff.assign(deps, conv, user, author["name"], reopen=True)
    if result.holder and result.holder != user:
        return False, m.HELD_BY.format(holder=f"<@{result.holder}>", note_prefix=getattr(deps.settings, "note_prefix", "note:"), **values)
    if not deps.store.r.hsetnx(key(conv.id), "sent_by", user):  # a second click, or the modal and the button at once
        return False, m.DRAFT_ALREADY_SENT.format(user=f"<@{load(deps.store.r, conv.id).get('sent_by')}>", **values)
    try:
        deps.store.append(conv.id, role="agent", text=text, author=author, client_id=f"draft:{conv.id}:{draft_id}",
                          meta={"source": "draft", "slack_user": user, "draft": draft_id, "edited": text != draft.get("text")})
    except (TooLong, Empty) as err:
        deps.store.r.hdel(key(conv.id), "sent_by")
        return False, m.CONVERSATION_FULL if isinstance(err, TooLong) else m.REPLY_EMPTY
    deps.enqueue_mirror(conv.id)  # the reply's line in the thread, the draft message marked as sent
    log.info("suggested reply sent by a team member", extra={"conversation": conv.id, "slack_user": user})
    return True, m.DRAFT_SENT_TO_YOU.format(**values)

