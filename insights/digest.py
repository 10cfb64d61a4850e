"""The managers' digest as plain data: build it here, render it in bot/ (Block Kit) or the CLI (text).

``build_digest`` reads the period and the one before it (same length) from Redis, derives each
conversation's facts once (``insights.facts``), and computes metrics, topics of the escalated
shoppers' messages (``insights.grouping``), doc gaps, draft docs, fix impact and the chart's series.
It never posts and writes only the topic registry, and that only with ``commit=True``.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from conversations import ConversationStore
from insights import impact as fix
from insights.drafts import Draft, Source, build_draft
from insights.facts import Facts, Handoff, mark_resolved, read_facts
from insights.logs import load, waiting_now
from insights.metrics import Count, Metric, compute
from insights.writer import OfflineWriter, offline_title

TOP_TOPICS = 8  # topics listed in the digest (the rest are summed up in one line)
CHART_TOPICS = 5  # topics drawn in the chart
MAX_GAPS = 5
MAX_DRAFTS = 3
MAX_CITED = 5
EXAMPLES = 2  # example threads per topic
MAX_GROUPED = 2000  # handoffs grouped at most per digest (a stable sample beyond; counts scaled up)


@dataclass
class Example:
    conv_id: str
    number: int
    link: str = ""  # the Slack thread's permalink ("" when it never reached Slack)


@dataclass
class Topic:
    id: str
    name: str
    keywords: list[str]
    count: int  # handoffs in the period
    previous: int  # in the period before
    new: bool
    other: bool = False
    examples: list[Example] = field(default_factory=list)
    daily: list[int] = field(default_factory=list)  # handoffs per day of the period (Digest.days)


@dataclass
class DocGap:
    topic_id: str
    name: str
    title: str  # suggested doc title
    count: int  # questions in the period the docs had nothing relevant for
    examples: list[Example] = field(default_factory=list)
    draft_id: str = ""


@dataclass
class CitedDoc:
    title: str
    url: str
    count: int  # answers citing it that still ended with a person


@dataclass
class Digest:
    start: float
    end: float
    previous_start: float
    timezone: str
    days: list[str]  # ISO dates of the period, in the store's time zone
    metrics: list[Metric]
    triggers: list[Count]
    intents: list[Count]
    topics: list[Topic]
    more_topics: int  # topics with handoffs this period not listed
    gaps: list[DocGap]
    cited: list[CitedDoc]
    drafts: list[Draft]
    impacts: list[fix.FixImpact]
    built_at: float
    writer: str = "offline"
    handoffs_total: int = 0  # handoffs with a question, in both periods (the grouping's input)
    grouped: int = 0  # of those, how many were grouped (all, up to MAX_GROUPED; topic counts are scaled)

    @property
    def estimated(self) -> bool:
        """Topic counts are estimates from a sample (more handoffs than MAX_GROUPED)."""
        return self.grouped < self.handoffs_total

    @property
    def conversations(self) -> int:
        return int(self.metric("conversations").value or 0)

    @property
    def quiet(self) -> bool:
        """Nothing happened in the period: the digest is a short "quiet week" note."""
        return self.conversations == 0

    def metric(self, key: str) -> Metric:
        return next(m for m in self.metrics if m.key == key)

    @property
    def key(self) -> str:
        """The period's key (records that this period's digest was posted)."""
        return period_key(self.start, self.end)


def period_key(start: float, end: float) -> str:
    fmt = "%Y-%m-%dT%H:%MZ"
    return f"{datetime.fromtimestamp(start, UTC):{fmt}}/{datetime.fromtimestamp(end, UTC):{fmt}}"


def _days(start: float, end: float, tz) -> list[str]:
    first = datetime.fromtimestamp(start, UTC).astimezone(tz).date()
    last = datetime.fromtimestamp(max(start, end - 1), UTC).astimezone(tz).date()
    out = []
    while first <= last:
        out.append(first.isoformat())
        first += timedelta(days=1)
    return out


def build_digest(
    store: ConversationStore,
    *,
    end: float | None = None,
    period: float = 7 * 86400,
    hours=None,
    embedder=None,
    registry=None,
    links: Callable[[list[str]], dict[str, str]] | None = None,
    writer=None,
    doc_changes: list[fix.DocChange] | None = None,
    commit: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Digest:
    """The digest of ``[end - period, end)`` against the period before it.

    ``hours``: business hours (``agent.rules.BusinessHours``) for reply times, None = wall clock;
    ``embedder``: the knowledge embedder for topics (None: no topics); ``registry``: a
    ``TopicRegistry`` for topic identity; ``links(conv_ids)``: Slack permalinks of threads;
    ``writer``: names and drafts (``insights.writer``); ``doc_changes``: docs changed at ingest.
    """
    built_at = time.time()
    end = built_at if end is None else end
    start = end - period
    previous_start = start - period
    tz = hours.timezone if hours is not None else ZoneInfo("UTC")
    writer = writer or OfflineWriter()
    changes = [c for c in (doc_changes or []) if start <= c.changed_at < end]
    data_start = min([previous_start, *[c.changed_at - fix.WINDOW_DAYS * 86400 for c in changes]])
    data_start = max(data_start, previous_start - fix.WINDOW_DAYS * 86400)

    loaded = load(store, data_start, end, progress=progress)
    facts = [read_facts(t, hours) for t in loaded.threads]
    came_back: dict[str, list[float]] = {}
    for f in facts:
        if f.customer and f.escalated:
            came_back.setdefault(f.customer, []).append(f.created_at)
    for conv in loaded.later:
        email = str(conv.customer.get("email") or "").strip().lower()
        if email and conv.escalation:
            came_back.setdefault(email, []).append(conv.created_at)
    mark_resolved(facts, came_back)
    current = [f for f in facts if f.created_at >= start]
    previous = [f for f in facts if previous_start <= f.created_at < start]
    metrics, triggers, intents = compute(current, previous, waiting_now=waiting_now(store))

    days = _days(start, end, tz)
    digest = Digest(start, end, previous_start, getattr(tz, "key", "UTC"), days, metrics, triggers, intents,
                    [], 0, [], [], [], [], built_at, getattr(writer, "name", "offline"))
    if embedder is None:
        return digest
    handoffs: list[tuple[Facts, Handoff]] = [(f, h) for f in facts for h in f.handoffs if h.question]
    if not handoffs:
        digest.impacts = fix.fix_impacts(changes, [], sorted(f.created_at for f in facts), data_start=data_start, data_end=end, embedder=None)
        return digest
    from insights.grouping import group_texts

    total = len(handoffs)
    if total > MAX_GROUPED:
        # Bounded cost: a stable sample (by conversation id) is grouped; topic counts are scaled back up.
        handoffs = sorted(handoffs, key=lambda fh: hashlib.blake2b(f"{fh[0].id}:{fh[1].at}".encode(), digest_size=8).digest())[:MAX_GROUPED]
        handoffs.sort(key=lambda fh: fh[1].at)
    weight = total / len(handoffs)
    digest.grouped, digest.handoffs_total = len(handoffs), total
    groups = group_texts([h.question for _, h in handoffs], embedder)
    members = [[handoffs[i] for i in g.members] for g in groups]
    in_period = [[(f, h) for f, h in m if f.created_at >= start] for m in members]
    # Claude (when configured) names the groups shown; a recurring topic keeps its registered name.
    shown = sorted((i for i, g in enumerate(groups) if in_period[i] and not g.other), key=lambda i: -len(in_period[i]))[:TOP_TOPICS]
    names: list[str | None] = [None] * len(groups)
    if shown:
        asked = writer.name_topics([{"name": groups[i].name, "keywords": list(groups[i].keywords),
                                     "samples": [h.question for _, h in in_period[i][:5]]} for i in shown])
        for i, name in zip(shown, asked, strict=True):
            names[i] = name
    identities = registry.identify(groups, now=end, commit=commit, before=start, names=names) if registry is not None else [None] * len(groups)

    link_of = links([f.id for f, _ in handoffs]) if links is not None else {}
    day_index = {d: i for i, d in enumerate(days)}
    topics: list[Topic] = []
    for i, group in enumerate(groups):
        ident = identities[i]
        topic_id = ident.id if ident else ("other" if group.other else f"g{i + 1}")
        name = "Other" if group.other else (ident.name if ident else (names[i] or group.name))
        now_count = round(len(in_period[i]) * weight)
        before_count = round(sum(1 for f, _ in members[i] if previous_start <= f.created_at < start) * weight)
        per_day = [0] * len(days)
        for _, h in in_period[i]:
            day = datetime.fromtimestamp(h.at, UTC).astimezone(tz).date().isoformat()
            if day in day_index:
                per_day[day_index[day]] += 1
        daily = [round(n * weight) for n in per_day]
        recent = sorted(in_period[i], key=lambda fh: -fh[1].at)
        examples = _examples([f for f, _ in recent], link_of)
        topics.append(Topic(topic_id, name, list(group.keywords), now_count, before_count, bool(ident and ident.new),
                            group.other, examples, daily))
    listed = sorted((t for t in topics if t.count and not t.other), key=lambda t: (-t.count, t.name))
    other = [t for t in topics if t.other and t.count]
    digest.topics = listed[:TOP_TOPICS] + other
    digest.more_topics = max(0, len(listed) - TOP_TOPICS)

    # Doc gaps: questions with nothing relevant in the docs, by topic.
    by_topic = {t.id: (t, i) for i, t in enumerate(topics)}
    gaps = []
    for topic_id, (topic, i) in by_topic.items():
        gap_now = [(f, h) for f, h in in_period[i] if h.gap]
        if not gap_now or topic.other:
            continue
        gaps.append(DocGap(topic_id, topic.name, offline_title(topic.name, topic.keywords), round(len(gap_now) * weight), _examples([f for f, _ in gap_now], link_of)))
    gaps.sort(key=lambda g: (-g.count, g.name))
    digest.gaps = gaps[:MAX_GAPS]
    cited: Counter = Counter()
    for f in current:
        for h in f.handoffs:
            for source in {(s.get("title") or "", s.get("url") or "") for s in h.cited if s.get("title") or s.get("url")}:
                cited[source] += 1
    digest.cited = [CitedDoc(title or url, url, n) for (title, url), n in sorted(cited.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CITED]]

    # Drafts: what the team replied in the gap topics' threads (both periods: more material).
    for gap in digest.gaps[:MAX_DRAFTS]:
        _, i = by_topic[gap.topic_id]
        threads = [(Source(f.id, f.number), h.replies) for f, h in members[i] if h.gap and h.replies]
        draft = build_draft(topic_id=gap.topic_id, title=gap.title, keywords=by_topic[gap.topic_id][0].keywords,
                            threads=threads, at=end, period_key=digest.key, writer=writer if writer.name != "offline" else None)
        if draft is not None:
            gap.draft_id = draft.id
            digest.drafts.append(draft)

    series = [(t.id, t.name, groups[by_topic[t.id][1]].centroid, sorted(h.at for _, h in members[by_topic[t.id][1]]))
              for t in topics if not t.other]
    digest.impacts = fix.fix_impacts(changes, series, sorted(f.created_at for f in facts), data_start=data_start, data_end=end,
                                     embedder=embedder, weight=weight)
    return digest


def _examples(convs: list[Facts], link_of: dict[str, str]) -> list[Example]:
    out, seen = [], set()
    for f in sorted(convs, key=lambda f: (not link_of.get(f.id), -f.created_at)):
        if f.id in seen:
            continue
        seen.add(f.id)
        out.append(Example(f.id, f.number, link_of.get(f.id, "")))
        if len(out) == EXAMPLES:
            break
    return out
