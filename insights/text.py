"""The digest as plain text (the terminal preview, the e-mail), and the number formats every rendering shares."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from insights.digest import Digest
from insights.metrics import SECONDS, SHARE, Metric


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def value(metric: Metric) -> str:
    if metric.value is None:
        return "—"
    if metric.unit == SHARE:
        return f"{metric.value * 100:.0f}%"
    if metric.unit == SECONDS:
        return duration(metric.value)
    return f"{metric.value:,.0f}"


def change(metric: Metric) -> str:
    """"▲ 3 pts", "▼ 12 min", "= " or "" when there is nothing to compare with."""
    delta = metric.change
    if delta is None:
        return ""
    if metric.unit == SHARE:
        amount = round(delta * 100)
        text = f"{abs(amount)} pts"
    elif metric.unit == SECONDS:
        amount = round(delta)
        text = duration(abs(delta))
    else:
        amount = round(delta)
        text = f"{abs(amount):,}"
    if amount == 0:
        return "= last period"
    return f"{'▲' if amount > 0 else '▼'} {text}"


def trend(count: int, previous: int) -> str:
    if previous == 0:
        return "none last period" if count else ""
    delta = count - previous
    return "= last period" if delta == 0 else f"{'▲' if delta > 0 else '▼'} {abs(delta)} vs {previous}"


def period(digest: Digest) -> str:
    tz = ZoneInfo(digest.timezone)
    a = datetime.fromtimestamp(digest.start, UTC).astimezone(tz)
    b = datetime.fromtimestamp(digest.end, UTC).astimezone(tz)
    return f"{a:%a %d %b %H:%M} – {b:%a %d %b %Y %H:%M} ({digest.timezone})"


def summary(digest: Digest) -> str:
    """One line: the notification text, the e-mail's subject."""
    if digest.quiet:
        return f"Baton digest: a quiet period ({period(digest)}), no conversations."
    values = {k: value(digest.metric(k)) for k in ("conversations", "handoff_rate", "ai_resolved")}
    top = f"; top topic: {digest.topics[0].name}" if digest.topics and not digest.topics[0].other else ""
    return (f"Baton digest: {values['conversations']} conversations, {values['handoff_rate']} handed to a person, "
            f"{values['ai_resolved']} resolved by the AI{top}")


def render(digest: Digest) -> str:
    """The whole digest for a terminal or a plain-text e-mail."""
    lines = [f"Baton digest · {period(digest)}", ""]
    if digest.quiet:
        lines.append("A quiet period: no conversations. Nothing to report.")
        waiting = digest.metric("waiting_now").value
        if waiting:
            lines.append(f"{waiting:.0f} conversation(s) are waiting for a person right now.")
        return "\n".join(lines) + "\n"
    lines.append("Metrics")
    for m in digest.metrics:
        lines.append(f"  {m.label:<44} {value(m):>8}  {change(m)}")
    if digest.triggers:
        lines += ["", "Handoffs by trigger"]
        lines += [f"  {c.label:<44} {c.count:>8}  {trend(c.count, c.previous)}" for c in digest.triggers if c.count or c.previous]
    if digest.intents:
        lines += ["", "Handoffs by intent"]
        lines += [f"  {c.label:<44} {c.count:>8}  {trend(c.count, c.previous)}" for c in digest.intents if c.count or c.previous]
    if digest.topics:
        lines += ["", "Topics of handed-off conversations"]
        for t in digest.topics:
            tag = " [new]" if t.new else ""
            examples = ", ".join(f"#{e.number}" + (f" {e.link}" if e.link else "") for e in t.examples)
            lines.append(f"  {t.name}{tag}: {t.count}  {trend(t.count, t.previous)}" + (f"  e.g. {examples}" if examples else ""))
        if digest.more_topics:
            lines.append(f"  … and {digest.more_topics} more topic(s)")
        if digest.estimated:
            lines.append(f"  (counts estimated from {digest.grouped:,} of {digest.handoffs_total:,} handoffs)")
    if digest.gaps:
        lines += ["", "Doc gaps (the docs had nothing relevant)"]
        for g in digest.gaps:
            lines.append(f"  {g.name}: {g.count} question(s) → suggested doc: \"{g.title}\"" + (" (draft below)" if g.draft_id else ""))
    if digest.cited:
        lines += ["", "Docs cited in answers that still ended with a person"]
        lines += [f"  {c.title}: {c.count}" + (f"  {c.url}" if c.url else "") for c in digest.cited]
    for d in digest.drafts:
        lines += ["", f"Draft doc: {d.filename} (from {len(d.sources)} conversation(s), written from {d.written_by})", ""]
        lines += ["    " + line for line in d.markdown.splitlines()]
    if digest.impacts:
        lines += ["", "Fix impact (handoffs per 100 conversations, 14 days before → after the change)"]
        for i in digest.impacts:
            lines.append("  " + impact_line(i))
    return "\n".join(lines) + "\n"


def impact_line(i) -> str:
    when = datetime.fromtimestamp(i.changed_at, UTC).strftime("%d %b")
    what = "added" if i.added else "changed"
    if not i.topics:
        return f"{i.title} ({what} {when}): no topic of the period matches it yet"
    before = "—" if i.before is None else f"{i.before:.1f}"
    after = "—" if i.after is None else f"{i.after:.1f}"
    return (f"{i.title} ({what} {when}) → {', '.join(i.topics)}: {before} → {after}"
            f" ({i.before_days:.0f} d before, {i.after_days:.0f} d after so far)")
