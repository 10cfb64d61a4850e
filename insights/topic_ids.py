"""Topic identity across digests, kept in Redis so a topic is the same topic next week.

    baton:topics       hash: topic id -> JSON {id, name, keywords, centroid, first_seen, last_seen}
    baton:topics:seq   counter for new topic ids (t1, t2, ...)

A group of this digest that continues a known topic (``grouping.match_previous``: centroids close
enough) keeps that topic's id and name; any other group becomes a new topic. Previews read the
registry without writing it; the sent digest writes it (``commit=True``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import redis

TOPICS = "baton:topics"
SEQ = "baton:topics:seq"
MAX_TOPICS = 2000  # topics kept; the longest unseen are dropped beyond this


@dataclass
class KnownTopic:
    id: str
    name: str
    centroid: np.ndarray
    first_seen: float
    last_seen: float
    keywords: list[str]


@dataclass
class Identity:
    id: str
    name: str
    new: bool
    first_seen: float


class TopicRegistry:
    def __init__(self, r: redis.Redis):
        self.r = r

    def known(self) -> list[KnownTopic]:
        out = []
        for raw in self.r.hvals(TOPICS):
            d = json.loads(raw)
            out.append(KnownTopic(d["id"], d["name"], np.asarray(d["centroid"], dtype=np.float32), float(d["first_seen"]),
                                  float(d.get("last_seen") or d["first_seen"]), list(d.get("keywords") or [])))
        return out

    def identify(self, groups, *, now: float, commit: bool = False, before: float | None = None,
                 names: list[str | None] | None = None) -> list[Identity | None]:
        """Each group's topic identity (None for the catch-all group).

        Only topics first seen before ``before`` (the period's start) count as recurring, so a
        re-run of a digest shows the same topics as new. ``commit`` stores new topics and refreshes
        recurring ones' centroids and last-seen times. ``names`` (e.g. Claude's) name new topics
        instead of the grouping's offline names; a recurring topic keeps the name it had.
        """
        from insights.grouping import match_previous

        known = {t.id: t for t in self.known()}
        matches = match_previous(groups, [(t.id, t.centroid) for t in known.values()])
        out: list[Identity | None] = []
        writes: dict[str, str] = {}
        names = names or [None] * len(groups)
        for group, match, better in zip(groups, matches, names, strict=True):
            if group.other:
                out.append(None)
                continue
            if match is not None:
                topic = known[match]
                new = before is not None and topic.first_seen > before
                out.append(Identity(topic.id, topic.name, new, topic.first_seen))
                if commit:
                    writes[topic.id] = self._record(topic.id, topic.name, group, topic.first_seen, now)
                continue
            topic_id = f"t{int(self.r.incr(SEQ))}" if commit else f"new-{len(out) + 1}"
            name = better or group.name
            out.append(Identity(topic_id, name, True, now))
            if commit:
                writes[topic_id] = self._record(topic_id, name, group, now, now)
        if writes:
            self.r.hset(TOPICS, mapping=writes)
            self._trim()
        return out

    @staticmethod
    def _record(topic_id: str, name: str, group, first_seen: float, now: float) -> str:
        return json.dumps({"id": topic_id, "name": name, "keywords": list(group.keywords)[:8],
                           "centroid": [round(float(x), 5) for x in np.asarray(group.centroid).ravel()],
                           "first_seen": first_seen, "last_seen": now})

    def _trim(self) -> None:
        if self.r.hlen(TOPICS) <= MAX_TOPICS:
            return
        topics = sorted(self.known(), key=lambda t: t.last_seen)
        self.r.hdel(TOPICS, *[t.id for t in topics[: len(topics) - MAX_TOPICS]])
