"""The follow-up e-mail: a team reply the shopper has not seen goes to their inbox.

``email_reply(conv_id)`` runs ``BATON_EMAIL_AFTER`` after a team reply (a delayed RQ job). It
re-checks everything before sending: an e-mail address is known, no widget stream is open, and a
team reply is still unseen, i.e. after both the widget's cursor (replies the live stream delivered)
and the e-mail cursor (replies already e-mailed). It sends once: under a per-conversation lock,
the e-mail cursor moves only after the SMTP server accepted the message.

The link back carries a one-time, short-lived resume code (``#baton-resume=<code>`` on the page
the chat started on), never the conversation's token. Addresses and bodies are never logged.
"""

from __future__ import annotations

import html
import logging
from urllib.parse import urlsplit, urlunsplit

from conversations import NotFound, notices
from conversations.models import DELETED, MESSAGE, current
from jobs import context
from jobs.queues import enqueue_mirror, followup_pending_key
from mailer import Mailer

log = logging.getLogger(__name__)

RESUME_FRAGMENT = "baton-resume"


def _id_key(entry_id: str | None) -> tuple[int, int]:
    if not entry_id:
        return (0, 0)
    ms, _, seq = entry_id.partition("-")
    return (int(ms), int(seq or 0))


def resume_link(page_url: str, public_url: str, code: str) -> str:
    """The page the chat started on (else Baton's public URL) with the resume code in its fragment,
    which browsers never send to a server, so the code stays out of access logs."""
    base = page_url if urlsplit(page_url or "").scheme in ("http", "https") else (public_url.rstrip("/") + "/" if public_url else "")
    if not base:
        return ""
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, f"{RESUME_FRAGMENT}={code}"))


def compose(mailer: Mailer, *, to: str, store_name: str, number: int, lang: str, replies: list, link: str, ttl: float):
    """The e-mail: the unseen replies, then the link back."""
    subject = notices.line("email_subject", lang, store=store_name, number=number)
    intro = notices.line("email_intro", lang, store=store_name)
    label = notices.line("email_link", lang)
    expiry = notices.line("email_expiry", lang, hours=max(1, round(ttl / 3600)))
    text_parts = [intro, ""]
    html_parts = [f"<p>{html.escape(intro)}</p>"]
    for reply in replies:
        name = (reply.author or {}).get("name") or store_name
        text_parts += [f"{name}:", reply.text, ""]
        body = html.escape(reply.text).replace("\n", "<br>")
        html_parts.append(f'<p><strong>{html.escape(name)}</strong></p><blockquote style="margin:0 0 16px;padding-left:12px;border-left:3px solid #ccc">{body}</blockquote>')
    if link:
        text_parts += [f"{label}: {link}", "", expiry]
        html_parts.append(f'<p><a href="{html.escape(link, quote=True)}">{html.escape(label)}</a></p><p style="color:#555;font-size:13px">{html.escape(expiry)}</p>')
    return mailer.message(to=to, subject=subject, text="\n".join(text_parts), html="\n".join(html_parts), sender_name=store_name)


def email_reply(conv_id: str) -> str:
    """E-mail the team's unseen replies; returns the outcome (sent, seen, watching, no_email, off, skipped)."""
    ctx = context.get()
    store, settings = ctx.store, ctx.settings
    ctx.redis.delete(followup_pending_key(conv_id))  # a reply from now on schedules a fresh job
    mailer = Mailer.from_settings(settings)
    if mailer is None:
        return "off"
    try:
        conv = store.get(conv_id)
    except NotFound:
        return "skipped"
    to = (conv.customer or {}).get("email") or ""
    if not to:
        return "no_email"
    with store.lock(conv_id, "email", timeout=120):
        after = max(store.cursor(conv_id, "email") or "", store.cursor(conv_id, "widget") or "", key=_id_key) or None
        replies = [
            e for e in current(store.entries(conv_id, after=after, public_only=True))
            if e.role == "agent" and e.type == MESSAGE and e.revision != DELETED and e.text
        ]
        if not replies:
            outcome = "seen"
        elif store.watched(conv_id):
            outcome = "watching"  # the widget is open: the reply is on screen already
        else:
            code = store.issue_resume_code(conv_id, settings.resume_link_ttl)
            link = resume_link(conv.page_url, settings.public_url, code)
            msg = compose(
                mailer, to=to, store_name=settings.store_name, number=conv.number, lang=conv.locale,
                replies=replies, link=link, ttl=settings.resume_link_ttl,
            )
            mailer.send(msg)  # MailError: RQ retries the job; the cursor has not moved
            store.set_cursor(conv_id, "email", replies[-1].id)
            store.append(
                conv_id, role="system", type="note", text="The team's reply was e-mailed to the shopper.",
                author={"name": "Baton"}, meta={"email": "sent", "replies": len(replies)}, client_id=f"email:{replies[-1].id}",
            )
            outcome = "sent"
            if conv.slack_ts:
                enqueue_mirror(ctx.redis, conv_id)  # the note shows in the thread
    log.info("follow-up e-mail", extra={"conversation": conv_id, "outcome": outcome})
    return outcome
