"""Draft help articles from what the team actually replied in the threads of a doc-gap topic.

Offline, the draft is the team's replies, cleaned (greetings, sign-offs, names, e-mail addresses,
order numbers and license keys removed), de-duplicated and ordered by how many threads said the
same thing. With a writer (Claude), the article is written from those cleaned replies. Either way the
Markdown carries front matter naming the conversations it came from, so a reviewer can check them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rapidfuzz import fuzz

MAX_REPLIES = 8  # replies kept per draft
MIN_CHARS = 25  # a cleaned reply shorter than this ("Done!", "Sorted") says nothing a doc needs
SIMILAR = 85  # rapidfuzz token-set ratio at which two replies say the same thing

_GREETING = re.compile(r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening)|hola|hallo|bonjour|salut|olá|ciao)\b[^\n.!?,]{0,25}[,.!:]\s*", re.I)
_SIGNOFF = re.compile(r"(\n|^|(?<=[.!?])\s)\s*(thanks|thank you|cheers|best|regards|kind regards|best wishes|all the best|have a (great|nice) (day|week))\b[^\n]*$", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_MENTION = re.compile(r"<[@#!][^>]*>|@\w+")
_ORDER = re.compile(r"#?\b(order|ord|invoice)?\s*#?\d{5,}\b", re.I)
_KEY = re.compile(r"\b[A-Z0-9]{4,}(?:-[A-Z0-9]{4,}){2,}\b")
_SPACES = re.compile(r"[ \t]+")


def clean_reply(text: str, names: tuple[str, ...] = ()) -> str:
    """A team reply with what is personal or chit-chat taken out (empty when nothing is left)."""
    out = text.strip()
    out = _GREETING.sub("", out, count=1)
    for _ in range(2):
        out = _SIGNOFF.sub("", out).rstrip()
    out = _EMAIL.sub("[e-mail]", out)
    out = _KEY.sub("[license key]", out)
    out = _ORDER.sub(lambda m: "[order number]" if m.group(1) or m.group(0).startswith("#") else "[number]", out)
    out = _MENTION.sub("", out)
    for name in names:
        if name and len(name) > 1:
            out = re.sub(rf"\b{re.escape(name)}\b", "", out)
    out = _SPACES.sub(" ", out).strip(" ,;:-\n")
    if out and out[0].islower():
        out = out[0].upper() + out[1:]
    return out if len(out) >= MIN_CHARS else ""


@dataclass
class Source:
    conv_id: str
    number: int


@dataclass
class Draft:
    id: str
    topic_id: str
    title: str
    markdown: str  # the whole file: front matter + article
    sources: list[Source] = field(default_factory=list)
    replies: int = 0  # cleaned team replies it was made from
    written_by: str = "team replies"  # or "Claude"

    @property
    def filename(self) -> str:
        return slugify(self.title) + ".md"


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:60].rstrip("-") or "draft"


def rank_replies(threads: list[list[str]]) -> list[str]:
    """Cleaned replies across threads, one per idea, the ones most threads agree on first."""
    ideas: list[list] = []  # [text, threads count, first position]
    position = 0
    for replies in threads:
        seen_here: set[int] = set()
        for reply in replies:
            position += 1
            for i, idea in enumerate(ideas):
                if fuzz.token_set_ratio(reply, idea[0]) >= SIMILAR:
                    if i not in seen_here:
                        idea[1] += 1
                        seen_here.add(i)
                    if len(reply) > len(idea[0]):
                        idea[0] = reply  # keep the fuller wording of the same advice
                    break
            else:
                ideas.append([reply, 1, position])
                seen_here.add(len(ideas) - 1)
    ideas.sort(key=lambda idea: (-idea[1], idea[2]))
    return [idea[0] for idea in ideas[:MAX_REPLIES]]


def _front_matter(title: str, sources: list[Source], topic_id: str, written_by: str, at: float) -> str:
    day = datetime.fromtimestamp(at, UTC).date().isoformat()
    convs = "\n".join(f"  - \"#{s.number}\"  # {s.conv_id}" for s in sources)
    safe_title = title.replace('"', "'")
    return (f"---\ntitle: \"{safe_title}\"\nsource: baton-digest\ntopic: {topic_id}\n"
            f"drafted: {day}\nwritten_from: {written_by}\nconversations:\n{convs}\n---\n")


def build_draft(*, topic_id: str, title: str, keywords: list[str], threads: list[tuple[Source, list[str]]], at: float,
                period_key: str, writer=None) -> Draft | None:
    """A draft for one gap topic from its threads' team replies; None when the team wrote nothing usable."""
    cleaned = [(source, [c for c in (clean_reply(r) for r in replies) if c]) for source, replies in threads]
    cleaned = [(source, replies) for source, replies in cleaned if replies]
    if not cleaned:
        return None
    ideas = rank_replies([replies for _, replies in cleaned])
    sources = [source for source, _ in cleaned]
    body = None
    written_by = "team replies"
    if writer is not None:
        body = writer.draft(title, keywords, ideas)
        if body:
            written_by = "Claude"
    if not body:
        about = ", ".join(keywords[:5])
        lines = [f"# {title}", "", f"Shoppers ask about {about}." if about else "", "",
                 "## What to do", ""]
        lines += [f"- {idea}" if "\n" not in idea else f"- {idea.replace(chr(10), chr(10) + '  ')}" for idea in ideas]
        body = "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1])) + "\n"
    draft_id = hashlib.sha256(f"{period_key}|{topic_id}".encode()).hexdigest()[:16]
    markdown = _front_matter(title, sources, topic_id, written_by, at) + "\n" + body.strip() + "\n"
    return Draft(draft_id, topic_id, title, markdown, sources, sum(len(r) for _, r in cleaned), written_by)
