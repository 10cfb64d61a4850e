"""The reminder line posted in the thread of a conversation left waiting (jobs/reminders.py decides when)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot import messages as m
from bot.blocks import assignee as holder_mention
from bot.mrkdwn import escape
from bot.webapi import call
from conversations import Conversation


def waited_text(seconds: float) -> str:
    """"12 min", "1 h 05 min": how long someone has waited, for people."""
    minutes = max(int(seconds // 60), 1)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def reminder_text(conv: Conversation, *, level: int, waited: float, onduty_group: str = "") -> str:
    """The reminder: it pings the assignee, else the on-duty user group, else nobody in particular."""
    if conv.assignee:
        who = holder_mention(conv)
    elif onduty_group:
        who = f"<!subteam^{onduty_group}>"
    else:
        who = ""
    template = m.REMINDER_FIRST if level <= 1 else m.REMINDER_AGAIN
    text = template.format(number=conv.number, customer=escape(conv.customer_name), waited=waited_text(waited))
    return f"{who} {text}" if who else text


def post_reminder(client: WebClient, conv: Conversation, *, level: int, waited: float, onduty_group: str = "") -> None:
    text = reminder_text(conv, level=level, waited=waited, onduty_group=onduty_group)
    call(client, "chat_postMessage", channel=conv.slack_channel, thread_ts=conv.slack_ts, text=text, unfurl_links=False, unfurl_media=False)
