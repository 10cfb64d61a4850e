"""The managers' digest in Slack: pure Block Kit builders, and the delivery (message + chart upload).

Layout for a phone: a header, the period, metrics as two-column fields (one column on a phone),
then short sections (why, topics, doc gaps, drafts with an "Add to docs" button, fix impact).
Topic names and draft text come from shoppers' and agents' words, so they are escaped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import messages as m
from bot.mrkdwn import escape, link, markdown_to_mrkdwn, truncate
from insights import text as fmt
from insights.digest import Digest

log = logging.getLogger(__name__)

ACTION_ADD_DOC = "digest_add_doc"
SECTION_CHARS = 3000  # Block Kit's limit for a section's text
FIELD_CHARS = 2000
MAX_BLOCKS = 50
PREVIEW_CHARS = 400  # of a draft, shown in the digest
CHANNEL_PROBLEMS = {"not_in_channel": "the bot is not in the channel: invite it with /invite @Baton",
                    "channel_not_found": "no such channel (or the bot cannot see it): check SLACK_DIGEST_CHANNEL",
                    "is_archived": "the channel is archived: choose another SLACK_DIGEST_CHANNEL"}


def _section(text: str, **extra) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_CHARS)}, **extra}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, SECTION_CHARS)}]}


def _thread(example) -> str:
    return link(example.link, f"#{example.number}") if example.link else f"#{example.number}"


def summary_text(digest: Digest) -> str:
    """The notification / fallback text: one line a phone's lock screen can show."""
    return escape(fmt.summary(digest))


def digest_blocks(digest: Digest, *, buttons: bool = True) -> list[dict]:
    """The digest as Block Kit blocks. ``buttons``: show "Add to docs" (only when the drafts are stored)."""
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Baton digest", "emoji": True}},
        _context(f"{fmt.period(digest)} · compared with the period before"),
    ]
    if digest.quiet:
        waiting = digest.metric("waiting_now").value or 0
        blocks.append(_section(":sunrise: *A quiet week.* No conversations in this period, so there is nothing to report."
                               + (f"\n{waiting:.0f} conversation(s) are waiting for a person right now." if waiting else "")))
        return blocks
    fields = []
    for metric in digest.metrics:
        change = fmt.change(metric)
        fields.append({"type": "mrkdwn", "text": truncate(f"*{metric.label}*\n{fmt.value(metric)}" + (f"  _{change}_" if change else ""), FIELD_CHARS)})
    blocks.append({"type": "section", "fields": fields[:10]})

    triggers = [c for c in digest.triggers if c.count][:8]
    if triggers:
        lines = [f"• {escape(c.label)}: *{c.count}*" + (f"  _{fmt.trend(c.count, c.previous)}_" if c.previous else "") for c in triggers]
        blocks += [{"type": "divider"}, _section("*Why conversations were handed off*\n" + "\n".join(lines))]

    if digest.topics:
        lines = []
        for i, t in enumerate(digest.topics, 1):
            examples = ", ".join(_thread(e) for e in t.examples)
            new = "  :new: _new_" if t.new else ""
            trend = fmt.trend(t.count, t.previous)
            lines.append(f"{i}. *{escape(t.name)}*: {t.count}" + (f"  _{trend}_" if trend else "") + new + (f"\n      e.g. {examples}" if examples else ""))
        if digest.more_topics:
            lines.append(f"_… and {digest.more_topics} more topic(s)_")
        if digest.estimated:
            lines.append(f"_Counts estimated from {digest.grouped:,} of {digest.handoffs_total:,} handoffs._")
        blocks += [{"type": "divider"}, _section("*What people were handed off about*\n" + "\n".join(lines))]

    if digest.gaps or digest.cited:
        parts = []
        if digest.gaps:
            parts.append("*Doc gaps* (the docs had nothing relevant)\n" + "\n".join(
                f"• {escape(g.name)}: {g.count} question(s) → write _{escape(g.title)}_" for g in digest.gaps))
        if digest.cited:
            parts.append("*Docs that did not help* (cited in answers that still ended with a person)\n" + "\n".join(
                f"• {link(c.url, c.title) if c.url else escape(c.title)}: {c.count}" for c in digest.cited))
        blocks += [{"type": "divider"}, _section("\n\n".join(parts))]

    for d in digest.drafts:
        if len(blocks) > MAX_BLOCKS - 6:
            break
        body = d.markdown.split("\n---\n", 1)[-1].strip()
        lines = [line for line in body.splitlines() if line.strip() and not line.startswith("# ")]
        preview = "\n".join("> " + markdown_to_mrkdwn(line) for line in truncate("\n".join(lines), PREVIEW_CHARS).splitlines())
        section = _section(f"*Draft doc: {escape(d.title)}*\nFrom the team's replies in {len(d.sources)} conversation(s)"
                           f" ({escape(d.written_by)}):\n{preview}")
        if buttons:
            section["accessory"] = {"type": "button", "action_id": ACTION_ADD_DOC, "value": d.id, "style": "primary",
                                    "text": {"type": "plain_text", "text": "Add to docs"},
                                    "confirm": {"title": {"type": "plain_text", "text": "Add this draft to the docs?"},
                                                "text": {"type": "mrkdwn", "text": truncate(f"Saves `{escape(d.filename)}` in the docs folder and re-indexes, so the AI can answer from it.", 300)},
                                                "confirm": {"type": "plain_text", "text": "Add to docs"},
                                                "deny": {"type": "plain_text", "text": "Cancel"}}}
        blocks.append(section)

    if digest.impacts:
        lines = [f"• {escape(fmt.impact_line(i))}" for i in digest.impacts[:6]]
        blocks += [{"type": "divider"}, _section("*Fix impact* (handoffs per 100 conversations, 14 days before → after)\n" + "\n".join(lines))]
    blocks.append(_context("The chart of handoffs per day by topic follows. Preview any period with `flask --app webhook digest preview`."))
    return blocks[:MAX_BLOCKS]


@dataclass
class Delivery:
    channel: str = ""
    ts: str = ""
    chart: bool = False  # the chart was uploaded
    problem: str = ""  # why nothing was posted (the channel cannot be used)

    @property
    def posted(self) -> bool:
        return bool(self.ts)


def deliver(client: WebClient, channel: str, digest: Digest, chart: bytes | None, *, buttons: bool = True) -> Delivery:
    """Post the digest, then upload the chart beside it. A failed upload still leaves the text posted;
    a channel the bot cannot post in gives one clear log line and ``Delivery.problem``. Other Slack
    errors raise, so the job is retried."""
    try:
        response = client.chat_postMessage(channel=channel, text=summary_text(digest), blocks=digest_blocks(digest, buttons=buttons),
                                           unfurl_links=False, unfurl_media=False)
    except SlackApiError as err:
        error = err.response.get("error", "")
        if error in CHANNEL_PROBLEMS:
            log.error("digest not posted: %s", CHANNEL_PROBLEMS[error], extra={"channel": channel})
            return Delivery(channel, problem=error)
        raise
    delivery = Delivery(response.get("channel") or channel, response.get("ts") or "")
    if chart:
        day = fmt.period(digest).split(" (")[0]
        try:
            client.files_upload_v2(channel=delivery.channel, file=chart, filename=f"baton-digest-{digest.days[-1]}.png",
                                   title=f"Handoffs per day by topic, {day}", alt_txt="Stacked bar chart of handoffs per day for the top topics")
            delivery.chart = True
        except (SlackClientError, OSError) as err:
            log.warning("digest posted without its chart: the upload failed (%s)", type(err).__name__, extra={"channel": channel})
    return delivery


def saved_text(user: str, draft: dict | None, filename: str, *, again: bool = False) -> str:
    if draft is None:
        return m.DOC_DRAFT_GONE
    numbers = ", ".join(f"#{s['number']}" for s in draft.get("sources", [])[:6])
    template = m.DOC_DRAFT_ALREADY_SAVED if again else m.DOC_DRAFT_SAVED
    return template.format(user=f"<@{user}>" if user else "Someone", title=escape(draft.get("title", "")), filename=escape(filename),
                           count=len(draft.get("sources", [])), numbers=numbers)


def post_saved(client: WebClient | None, channel: str, thread_ts: str, user: str, draft: dict | None, filename: str, *, again: bool = False) -> None:
    """Answer an "Add to docs" click in the digest's thread (what was saved, from which conversations)."""
    if client is None or not channel:
        return
    text = saved_text(user, draft, filename, again=again)
    if draft is None or again:
        client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts or None)
        return
    client.chat_postMessage(channel=channel, thread_ts=thread_ts or None, text=text, unfurl_links=False)
