"""Block Kit builders: pure functions from conversations and entries to Slack message/view data.

Everything that came from a shopper or a model is escaped here (``bot.mrkdwn``); only the
user-group mention of an escalation rule (our own configuration) is passed through verbatim.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot import messages as m
from bot.mrkdwn import escape, link, markdown_to_mrkdwn, plain_name, truncate
from conversations import Conversation, Entry

ACTION_TAKE_OVER = "baton_take_over"
ACTION_HAND_BACK = "baton_hand_back"
ACTION_CLOSE = "baton_close"
SHORTCUT_HAND_BACK = "baton_handback"

# Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks).
SECTION_TEXT_MAX = 3000
FIELD_MAX = 2000
HEADER_MAX = 150
HOME_ROWS_MAX = 40  # a view holds at most 100 blocks; each row takes two

_MENTION = re.compile(r"^<(!subteam\^[A-Z0-9]+(\|[^<>]*)?|@[UW][A-Z0-9]+|!here|!channel)>$")


def mention(raw: str | None) -> str:
    """A rule's user-group mention: real mention syntax passes through, anything else is shown as text."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    return raw if _MENTION.match(raw) else escape(raw)


def state_label(state: str) -> str:
    return m.STATE_LABELS.get(str(state), str(state))


def why(conv: Conversation, escalation: dict | None = None) -> str:
    """One escaped line: why a person is needed (the rule that fired, or the AI's reason)."""
    esc = escalation if escalation is not None else (conv.escalation or {})
    reason = escape(esc.get("reason") or "")
    if esc.get("rule"):
        return truncate(m.WHY_RULE.format(rule=escape(esc["rule"]).replace("`", "'"), reason=reason).strip(), SECTION_TEXT_MAX)
    return truncate(reason, SECTION_TEXT_MAX)


def _customer(conv: Conversation) -> str:
    email = conv.customer.get("email") or ""
    identity = m.IDENTITY_VERIFIED if conv.verified else "_" + m.IDENTITY_UNVERIFIED + "_"
    return escape(conv.customer_name) + "\n" + (escape(email) if email else "_" + m.NO_EMAIL + "_") + "\n" + identity


def locale(conv: Conversation) -> str:
    """The shopper's language or locale as the widget reported it ("" when unknown)."""
    raw = conv.customer.get("locale") or conv.customer.get("language") or getattr(conv, "locale", "") or ""
    return str(raw)


def assignee(conv: Conversation) -> str:
    """Who holds the conversation, as a Slack mention (ids only: a stored value that is not an id is shown as text)."""
    if not conv.assignee:
        return m.NOBODY
    return f"<@{conv.assignee}>" if re.fullmatch(r"[UW][A-Z0-9]{2,}", conv.assignee) else escape(conv.assignee)


def _history(earlier: int) -> str:
    if earlier <= 0:
        return m.FIRST_CONVERSATION
    return (m.EARLIER_ONE if earlier == 1 else m.EARLIER_MANY).format(count=earlier)


def _page(conv: Conversation) -> str:
    if not conv.page_url:
        return m.NO_PAGE
    label = re.sub(r"^https?://", "", conv.page_url)
    return link(conv.page_url, truncate(label, 80))


def _looked_at(docs: list) -> str:
    if not docs:
        return m.CARD_NO_DOCS
    items = []
    for doc in docs[:8]:
        label = link(doc.get("url") or "", doc.get("title") or "untitled")
        relevance = doc.get("relevance")
        items.append(f"{label} ({relevance:.2f})" if isinstance(relevance, (int, float)) else label)
    return m.CARD_LOOKED_AT.format(docs=", ".join(items))


def _action_results(results: list) -> str:
    lines = []
    for result in results[:6]:
        if isinstance(result, dict):
            name = result.get("name") or result.get("action") or "action"
            value = next((result[k] for k in ("summary", "result", "output", "text", "status") if result.get(k) not in (None, "")), None)
            if value is None:
                value = {k: v for k, v in result.items() if k not in ("name", "action")}
            if not isinstance(value, str):
                value = json.dumps(value, ensure_ascii=False, default=str)
            lines.append(f"• *{escape(str(name))}:* {escape(truncate(value, 300))}")
        else:
            lines.append("• " + escape(truncate(str(result), 300)))
    return m.CARD_ACTION_RESULTS.format(results="\n".join(lines))


def _button(action_id: str, text: str, conv_id: str, style: str | None = None, confirm: dict | None = None) -> dict:
    button = {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": text}, "value": conv_id}
    if style:
        button["style"] = style
    if confirm:
        button["confirm"] = confirm
    return button


def buttons(conv: Conversation) -> list[dict]:
    """The card's buttons for the conversation's state (none once it is closed)."""
    state = str(conv.state)
    out = []
    if state in ("ai", "waiting"):
        out.append(_button(ACTION_TAKE_OVER, m.BUTTON_TAKE_OVER, conv.id, style="primary"))
    if state in ("waiting", "human"):
        out.append(_button(ACTION_HAND_BACK, m.BUTTON_HAND_BACK, conv.id))
    if state != "closed":
        confirm = {
            "title": {"type": "plain_text", "text": m.CONFIRM_CLOSE_TITLE},
            "text": {"type": "mrkdwn", "text": m.CONFIRM_CLOSE_TEXT},
            "confirm": {"type": "plain_text", "text": m.CONFIRM_CLOSE_YES},
            "deny": {"type": "plain_text", "text": m.CONFIRM_CLOSE_NO},
        }
        out.append(_button(ACTION_CLOSE, m.BUTTON_CLOSE, conv.id, style="danger", confirm=confirm))
    return out


def parent_card(conv: Conversation, *, note_prefix: str = "note:", earlier: int = 0) -> dict:
    """The thread's parent message: ``{"text": fallback, "blocks": [...]}`` for chat.postMessage/update.

    ``earlier``: how many conversations the same customer started before this one.
    """
    esc = conv.escalation or {}
    reason = why(conv)
    ping = mention(esc.get("mention"))
    priority = str(esc.get("priority") or "normal")
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": truncate(m.CARD_HEADER.format(number=conv.number), HEADER_MAX)}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": truncate(m.CARD_CUSTOMER.format(customer=_customer(conv)), FIELD_MAX)},
                {"type": "mrkdwn", "text": truncate(m.CARD_PAGE.format(page=_page(conv)), FIELD_MAX)},
                {"type": "mrkdwn", "text": m.CARD_PRIORITY.format(priority=m.PRIORITY_LABELS.get(priority, escape(priority)))},
                {"type": "mrkdwn", "text": m.CARD_STATE.format(state=state_label(conv.state))},
                {"type": "mrkdwn", "text": m.CARD_ASSIGNEE.format(assignee=assignee(conv))},
                {"type": "mrkdwn", "text": m.CARD_LOCALE.format(locale=escape(truncate(locale(conv), 40)) or m.UNKNOWN)},
                {"type": "mrkdwn", "text": m.CARD_HISTORY.format(history=_history(earlier))},
            ],
        },
    ]
    if ping:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": ping}})
    if reason:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": truncate(m.CARD_WHY.format(why=reason), SECTION_TEXT_MAX)}})
    if esc.get("summary"):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": truncate(m.CARD_SUMMARY.format(summary=escape(esc["summary"])), SECTION_TEXT_MAX)}})
    if esc:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(_looked_at(esc.get("looked_at") or []), SECTION_TEXT_MAX)}]})
    if esc.get("action_results"):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": truncate(_action_results(esc["action_results"]), SECTION_TEXT_MAX)}})
    actions = buttons(conv)
    if actions:
        blocks.append({"type": "actions", "block_id": "baton_card_actions", "elements": actions})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": m.CARD_HOW_TO.format(note_prefix=escape(note_prefix))}]})
    template = m.CARD_FALLBACK if esc or str(conv.state) != "ai" else m.CARD_FALLBACK_WATCHED
    fallback = template.format(number=conv.number, customer=escape(conv.customer_name), why=reason or state_label(conv.state))
    return {"text": truncate(f"{ping} {fallback}" if ping else fallback, SECTION_TEXT_MAX), "blocks": blocks}


def thread_line(entry: Entry, conv: Conversation, *, ping: bool = False) -> str | None:
    """How one log entry reads in the thread (mrkdwn), or None when it is not posted.

    ``ping``: an escalation line also carries the rule's user-group mention (used when a
    conversation escalates again in an existing thread, where no new card would ping anyone).
    """
    if entry.meta.get("source") == "slack":
        return None  # typed in Slack: already in the thread
    name = escape((entry.author or {}).get("name") or "")
    if entry.type == "event":
        event = entry.meta.get("event", "")
        if event == "escalate":
            esc = entry.meta.get("escalation") if isinstance(entry.meta.get("escalation"), dict) else None
            line = m.LINE_ESCALATED.format(why=why(conv, esc) or escape(entry.text))
            group = mention((esc or conv.escalation or {}).get("mention")) if ping else ""
            return f"{group} {line}" if group else line
        return m.LINE_EVENT.get(event, m.LINE_EVENT_OTHER).format(text=escape(entry.text))
    if entry.type == "note":
        return m.LINE_NOTE.format(name=name or m.SOMEONE, text=escape(entry.text))
    if entry.type == "feedback":
        return feedback_line(entry, conv)
    if entry.role == "customer":
        return m.LINE_CUSTOMER.format(name=escape(conv.customer_name), text=escape(entry.text))
    if entry.role == "ai":
        line = m.LINE_AI.format(text=markdown_to_mrkdwn(entry.text))
        sources = [link(s.get("url") or "", s.get("title") or "source") for s in entry.sources or [] if isinstance(s, dict)]
        if sources:
            line += "\n" + m.LINE_AI_SOURCES.format(sources=" · ".join(sources))
        return line
    if entry.role == "agent":
        return m.LINE_AGENT.format(name=name or m.SOMEONE, text=escape(entry.text))
    return m.LINE_EVENT_OTHER.format(text=escape(entry.text)) if entry.text else None


SHOPPER_ICON = ":bust_in_silhouette:"
AI_ICON = ":robot_face:"
USERNAME_MAX = 80  # chat.postMessage's username


def _icon(url: str, emoji: str) -> dict:
    return {"icon_url": url} if re.match(r"^https://", url or "") else {"icon_emoji": emoji}


def thread_post(entry: Entry, conv: Conversation, *, ping: bool = False) -> dict | None:
    """The chat.postMessage fields for one log entry in the thread (``text`` is ``thread_line``, the
    notification fallback), or None when it is not posted.

    Shopper lines are posted under the shopper's name (marked "shopper", so nobody can pass for a team
    member) and an avatar, AI answers under "AI assistant" (``chat:write.customize``); the message body
    is a block of its own. State changes are context lines; notes are marked internal.
    """
    line = thread_line(entry, conv, ping=ping)
    if line is None:
        return None
    post: dict = {"text": line}
    body = ""
    if entry.type in ("event", "feedback"):
        post["blocks"] = [{"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(line, SECTION_TEXT_MAX)}]}]
        return post
    if entry.type == "note":
        post["blocks"] = [
            {"type": "section", "text": {"type": "mrkdwn", "text": truncate(line, SECTION_TEXT_MAX)}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": m.NOTE_INTERNAL}]},
        ]
        return post
    if entry.role == "customer":
        post["username"] = truncate(m.SHOPPER_USERNAME.format(name=plain_name(conv.customer_name) or m.SHOPPER), USERNAME_MAX)
        post.update(_icon(conv.customer.get("avatar_url") or "", SHOPPER_ICON))
        body = escape(entry.text)
    elif entry.role == "ai":
        post["username"] = m.AI_USERNAME
        post.update(_icon("", AI_ICON))
        body = line.removeprefix(m.LINE_AI.format(text=""))
    elif entry.role == "agent":
        author = entry.author or {}
        post["username"] = truncate(m.AGENT_USERNAME.format(name=plain_name(author.get("name") or "") or m.SOMEONE), USERNAME_MAX)
        post.update(_icon(author.get("avatar_url") or "", SHOPPER_ICON))
        body = escape(entry.text)
    if body and len(body) <= SECTION_TEXT_MAX:
        post["blocks"] = [{"type": "section", "text": {"type": "mrkdwn", "text": body}}]
    return post
def feedback_line(entry: Entry, conv: Conversation) -> str | None:
    """The shopper's thumbs on an AI answer, or their closing rating with its comment."""
    rating = entry.meta.get("rating")
    name = escape(conv.customer_name)
    if entry.target:
        line = m.LINE_FEEDBACK_ANSWER.get(rating)
        return line.format(name=name) if line else None
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        return None
    line = m.LINE_FEEDBACK_RATING.format(name=name, stars="★" * rating + "☆" * (5 - rating), rating=rating)
    return line + m.LINE_FEEDBACK_COMMENT.format(text=escape(entry.text)) if entry.text else line


def conversation_row(conv: Conversation, link_url: str | None) -> str:
    """One conversation as a mrkdwn paragraph (App Home and the /handback list)."""
    values = {
        "number": conv.number,
        "customer": escape(conv.customer_name),
        "state": state_label(conv.state),
        "why": why(conv) or "_" + state_label(conv.state) + "_",
    }
    if link_url:
        return m.HOME_ROW.format(link=link_url, **values)
    return m.HOME_ROW_NO_THREAD.format(**values)


ACTION_OPEN_THREAD = "baton_open_thread"  # a link button: Slack opens the URL and still sends an action


@dataclass
class Today:
    """App Home's counts for the day so far."""

    new: int = 0
    handed_off: int = 0
    resolved_by_ai: int = 0
    waiting_now: int = 0


def slack_time(ts: float, fallback: str) -> str:
    """A time every viewer reads in their own timezone (Slack's date formatting)."""
    return f"<!date^{int(ts)}^{{time}}|{fallback}>"


def _home_row(conv: Conversation, link_url: str | None, detail: str) -> list[dict]:
    text = m.QUEUE_ROW.format(number=conv.number, customer=escape(conv.customer_name), detail=detail, why=why(conv) or "_" + state_label(conv.state) + "_")
    elements = []
    if str(conv.state) == "waiting":
        elements.append(_button(ACTION_TAKE_OVER, m.BUTTON_TAKE_OVER, conv.id, style="primary"))
    elif str(conv.state) == "human":
        elements.append(_button(ACTION_HAND_BACK, m.BUTTON_HAND_BACK, conv.id))
    if link_url:
        elements.append({"type": "button", "action_id": ACTION_OPEN_THREAD, "text": {"type": "plain_text", "text": m.BUTTON_OPEN_THREAD},
                         "url": link_url, "value": conv.id})
    row: list[dict] = [{"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_TEXT_MAX)}}]
    if elements:
        row.append({"type": "actions", "block_id": f"baton_home_{conv.id}", "elements": elements})
    return row


def home_view(waiting: list[Conversation], held: list[Conversation], links: dict[str, str], today: Today, now: float) -> dict:
    """The App Home tab, a queue: waiting conversations oldest first with their wait, then those people
    hold and by whom, then today's counts. Each row can be taken over (or handed back) and opened."""
    from bot.reminders import waited_text

    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": m.HOME_TITLE}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": m.HOME_INTRO}]},
        {"type": "section", "text": {"type": "mrkdwn", "text": m.QUEUE_WAITING.format(count=len(waiting))}},
    ]
    budget = HOME_ROWS_MAX
    if not waiting:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": m.HOME_EMPTY}]})
    for conv in waiting[:budget]:
        since = conv.waiting_since or conv.updated_at
        detail = m.QUEUE_WAITED.format(waited=waited_text(now - since), since=slack_time(since, "earlier"))
        blocks += _home_row(conv, links.get(conv.id), detail)
    budget -= min(len(waiting), budget)
    blocks += [{"type": "divider"}, {"type": "section", "text": {"type": "mrkdwn", "text": m.QUEUE_HELD.format(count=len(held))}}]
    if not held:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": m.QUEUE_NOBODY_HOLDS}]})
    for conv in held[:budget]:
        blocks += _home_row(conv, links.get(conv.id), m.QUEUE_HELD_BY.format(assignee=assignee(conv)))
    shown = min(len(waiting), HOME_ROWS_MAX) + min(len(held), budget)
    if shown < len(waiting) + len(held):
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": m.HOME_MORE.format(count=shown)}]})
    blocks += [
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": m.QUEUE_TODAY.format(
            new=today.new, handed_off=today.handed_off, resolved=today.resolved_by_ai, waiting=today.waiting_now)}},
    ]
    return {"type": "home", "blocks": blocks}


def handback_list(conversations: list[Conversation], links: dict[str, str]) -> dict:
    """The ephemeral answer to a bare ``/handback``: the conversations people hold (and those waiting),
    each with who has it and a "Hand back to AI" button."""
    if not conversations:
        return {"text": m.NOTHING_TO_HAND_BACK}
    blocks: list[dict] = [{"type": "section", "text": {"type": "mrkdwn", "text": m.HANDBACK_LIST_INTRO}}]
    for conv in conversations[:HOME_ROWS_MAX]:
        row = conversation_row(conv, links.get(conv.id))
        if conv.assignee:
            row += "\n" + m.QUEUE_HELD_BY.format(assignee=assignee(conv))
        blocks.append({
            "type": "section",
            "block_id": f"baton_handback_{conv.id}",
            "text": {"type": "mrkdwn", "text": truncate(row, SECTION_TEXT_MAX)},
            "accessory": _button(ACTION_HAND_BACK, m.BUTTON_HAND_BACK, conv.id),
        })
    text = m.HANDBACK_LIST_INTRO + "\n" + "\n".join(f"#{c.number} {escape(c.customer_name)}" for c in conversations)
    return {"text": truncate(text, SECTION_TEXT_MAX), "blocks": blocks}
