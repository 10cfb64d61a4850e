"""The managers' digest: build it (insights/), post it (bot/), keep what the "Add to docs" button needs.

    scheduled()                  the cron process runs this every few minutes; it posts the digest of
                                 the period that ended at the last BATON_DIGEST_CRON time, once
    send(end, period)            build and post one period's digest, once per period key
    add_doc(draft_id, ...)       the "Add to docs" button: save a draft in BATON_DOCS_DIR, re-index

Keys:
    baton:digest:sent:<period key>   JSON {state, channel, ts, at}: recorded with SET NX before
                                     posting, so a doubled or retried job posts a period once
    baton:digest:draft:<id>          JSON draft (title, filename, markdown, sources, saved_as), 60 days
    baton:digest:last                the end (Unix time) of the last posted period
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import config
from jobs import context

log = logging.getLogger(__name__)

SENT = "baton:digest:sent:"
DRAFT = "baton:digest:draft:"
LAST = "baton:digest:last"
CLAIM_SECONDS = 15 * 60  # a claim not confirmed by then (the job died mid-post) lets a retry post
SENT_TTL = 400 * 86400
DRAFT_TTL = 60 * 86400
PROBLEM_SECONDS = 12 * 3600  # a channel problem is logged once per this long, not on every poll
GRACE_SECONDS = 12 * 3600  # a scheduled time missed by longer than this (cron down) is skipped
POLL_SECONDS = 5 * 60  # how often the cron process checks the schedule


def store_hours(settings):
    """Business hours from the rules file's [store] section (None when it has none or cannot be read)."""
    from agent.errors import RulesError
    from agent.rules import load_rules

    try:
        return load_rules(settings.rules_path, settings).hours
    except (RulesError, OSError):
        log.warning("the rules file could not be read: reply times in the digest count every hour")
        return None


def store_timezone(settings):
    """The store's time zone (the [store] hours' zone; UTC without hours)."""
    from zoneinfo import ZoneInfo

    hours = store_hours(settings)
    return hours.timezone if hours is not None else ZoneInfo("UTC")


def doc_changes(kb, docs_dir: str, since: float):
    """Docs changed at ingest since ``since``, with their opening text and drafted-for topic."""
    from insights.impact import DocChange
    from knowledge.documents import split_front_matter

    out = []
    for change in kb.doc_changes(since):
        text, topic = change.get("title") or "", ""
        try:
            meta, body = split_front_matter((Path(docs_dir) / change["key"]).read_text(encoding="utf-8"))
            text = f"{change.get('title') or ''}\n{body[:1500]}"
            topic = str(meta.get("topic") or "")
        except (OSError, UnicodeDecodeError, ValueError):
            pass
        out.append(DocChange(change["key"], change.get("title") or change["key"], change.get("url") or "",
                             float(change["at"]), bool(change.get("added")), text, topic))
    return out


def build(ctx, *, end: float | None = None, period: float | None = None, commit: bool = False, progress=None, topics: bool = True):
    """Build the digest for ``[end - period, end)`` from the job context (no posting)."""
    from bot.links import permalinks
    from insights.digest import build_digest
    from insights.topic_ids import TopicRegistry
    from insights.writer import build_writer

    settings = ctx.settings
    period = period or settings.digest_period
    end = time.time() if end is None else end
    embedder = ctx.kb.embedder if topics else None
    changes = doc_changes(ctx.kb, settings.docs_dir, end - period) if topics else []
    writer = build_writer(settings)
    try:
        return build_digest(ctx.store, end=end, period=period, hours=store_hours(settings), embedder=embedder,
                            registry=TopicRegistry(ctx.redis), links=lambda ids: permalinks(ctx.redis, ids),
                            writer=writer, doc_changes=changes, commit=commit, progress=progress)
    finally:
        writer.close()


def _save_drafts(r, digest) -> None:
    pipe = r.pipeline()
    for d in digest.drafts:
        record = {"id": d.id, "topic": d.topic_id, "title": d.title, "filename": d.filename, "markdown": d.markdown,
                  "sources": [asdict(s) for s in d.sources], "period": digest.key}
        pipe.set(DRAFT + d.id, json.dumps(record), ex=DRAFT_TTL, nx=True)
    pipe.execute()


def send(end: float | None = None, period: float | None = None, *, settings: config.Settings | None = None) -> str:
    """Build and deliver one period's digest: to SLACK_DIGEST_CHANNEL, and by e-mail to BATON_DIGEST_EMAIL
    when BATON_SMTP_URL is set. Returns posted / emailed / already_sent / <channel problem> / no_channel.

    The period key is claimed atomically (SET NX) before delivering and confirmed after, so the digest
    of a period goes out once even when this job runs twice at once or is retried after posting.
    """
    from mailer import Mailer, MailError

    ctx = context.get(settings)
    settings = ctx.settings
    to_slack = bool(settings.slack_digest_channel and ctx.slack is not None)
    try:
        mail = Mailer.from_settings(settings) if settings.digest_email else None
    except MailError as err:
        log.warning("the digest is not e-mailed: %s", err)
        mail = None
    if not to_slack and mail is None:
        log.warning("no digest sent: set SLACK_DIGEST_CHANNEL and the Slack tokens (docs/slack.md), "
                    "or BATON_DIGEST_EMAIL and BATON_SMTP_URL")
        return "no_channel"
    period = period or settings.digest_period
    end = time.time() if end is None else end
    from insights.digest import period_key

    key = SENT + period_key(end - period, end)
    if not ctx.redis.set(key, json.dumps({"state": "posting", "at": time.time()}), nx=True, ex=CLAIM_SECONDS):
        log.info("digest already sent for this period", extra={"channel": settings.slack_digest_channel})
        return "already_sent"
    try:
        outcome, record = _build_and_deliver(ctx, end, period, to_slack, mail)
    except BaseException:
        ctx.redis.delete(key)  # nothing was delivered: a retry may deliver
        raise
    if outcome not in ("posted", "emailed"):
        ctx.redis.set(key, json.dumps({"state": outcome, "at": time.time()}), ex=PROBLEM_SECONDS)
        return outcome
    ctx.redis.set(key, json.dumps({"state": "sent", **record, "at": time.time()}), ex=SENT_TTL)
    ctx.redis.set(LAST, end)
    log.info("digest sent (%s)", outcome, extra={"channel": record.get("channel", "")})
    return outcome


def _build_and_deliver(ctx, end: float, period: float, to_slack: bool, mail) -> tuple[str, dict]:
    from bot.digest import deliver
    from insights.chart import handoffs_chart

    digest = build(ctx, end=end, period=period, commit=True)
    chart = None if digest.quiet else handoffs_chart(digest)
    outcome, record = "", {}
    if to_slack:
        _save_drafts(ctx.redis, digest)
        delivery = deliver(ctx.slack, ctx.settings.slack_digest_channel, digest, chart)
        outcome = "posted" if delivery.posted else delivery.problem
        record = {"channel": delivery.channel, "ts": delivery.ts, "chart": delivery.chart}
    if mail is not None and _email(mail, ctx.settings, digest, chart):
        record["emailed"] = True
        outcome = outcome if outcome == "posted" else "emailed"
    return outcome or "not_sent", record


def _email(mail, settings, digest, chart) -> bool:
    """The same digest as a plain-text e-mail with the chart attached; False (logged) when it fails."""
    from insights.text import render, summary
    from mailer import MailError

    msg = mail.message(to=settings.digest_email, subject=summary(digest), text=render(digest), sender_name=f"{settings.store_name} · Baton")
    if chart:
        msg.add_attachment(chart, maintype="image", subtype="png", filename=f"baton-digest-{digest.days[-1]}.png")
    try:
        mail.send(msg)
    except MailError as err:
        log.warning("the digest e-mail was not sent: %s", err)
        return False
    return True


def next_due(cron: str, tz, now: float) -> tuple[float, float]:
    """(start, end) of the period that ended at the last scheduled time at or before ``now``:
    from the scheduled time before it to it, in the store's time zone (daylight saving included)."""
    from croniter import croniter

    local = datetime.fromtimestamp(now, UTC).astimezone(tz)
    it = croniter(cron, local)
    end = it.get_prev(datetime)
    start = it.get_prev(datetime)
    return start.timestamp(), end.timestamp()


def scheduled(now: float | None = None) -> str:
    """Run by the cron process every POLL_SECONDS: post the digest of the period that ended at the last
    BATON_DIGEST_CRON time (in the store's time zone), unless that was posted already or is too old."""
    settings = config.load()
    now = time.time() if now is None else now
    start, end = next_due(settings.digest_cron, store_timezone(settings), now)
    if now - end > GRACE_SECONDS:
        return "not_due"
    from insights.digest import period_key

    if context.get(settings).redis.exists(SENT + period_key(start, end)):
        return "already_sent"
    return send(end=end, period=end - start, settings=settings)


# -- "Add to docs" ------------------------------------------------------------------------------


def add_doc(draft_id: str, user: str, channel: str, thread_ts: str) -> str:
    """Save a stored draft as Markdown in BATON_DOCS_DIR, queue the re-index, and say so in the digest's thread.

    Idempotent: a second click (or a retried job) finds the draft saved and says where."""
    from bot.digest import post_saved
    from jobs.queues import INGEST, queue
    from knowledge.documents import find_files

    ctx = context.get()
    raw = ctx.redis.get(DRAFT + draft_id)
    if not raw:
        post_saved(ctx.slack, channel, thread_ts, user, None, "")
        return "unknown_draft"
    draft = json.loads(raw)
    if draft.get("saved_as"):
        post_saved(ctx.slack, channel, thread_ts, user, draft, draft["saved_as"], again=True)
        return "already_saved"
    docs = Path(ctx.settings.docs_dir)
    docs.mkdir(parents=True, exist_ok=True)
    taken = {key for _, key in find_files(docs)}
    name = draft["filename"]
    stem = name.removesuffix(".md")
    n = 2
    while name in taken:
        name = f"{stem}-{n}.md"
        n += 1
    path = docs / name
    tmp = path.with_name(f".{name}.tmp")
    tmp.write_text(draft["markdown"], encoding="utf-8")
    tmp.replace(path)
    draft["saved_as"] = name
    draft["saved_by"] = user
    ctx.redis.set(DRAFT + draft_id, json.dumps(draft), keepttl=True)
    queue(ctx.redis, INGEST).enqueue("jobs.ingest.reindex", str(docs), job_timeout=1800, failure_ttl=7 * 86400)
    post_saved(ctx.slack, channel, thread_ts, user, draft, name)
    log.info("draft doc saved and re-index queued", extra={"channel": channel})
    return "saved"
