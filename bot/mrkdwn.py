"""Text crossing between the widget (Markdown) and Slack (mrkdwn).

``escape`` makes anything a shopper wrote read literally in Slack: ``&``, ``<`` and ``>`` become
entities, so ``<!channel>``, ``<@U123>`` or ``<https://evil|click>`` are shown, never interpreted,
and a bare ``@channel`` / ``@here`` / ``@everyone`` gets an invisible word joiner so no client turns
it into a ping. ``markdown_to_mrkdwn`` does the same for the AI's Markdown answers and keeps their
links and bold. ``to_markdown`` goes the other way for what the team types in a thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable

WORD_JOINER = "\u2060"
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def escape(text: str) -> str:
    """Slack-escape untrusted text so it can never ping, link or format as a control sequence."""
    text = (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@" + WORD_JOINER + m.group(1), text)


def plain_name(text: str) -> str:
    """Untrusted text for a plain-text field such as a message's ``username``: no angle brackets or
    ampersands at all (nothing that could read as a mention), broadcast words defused."""
    text = re.sub(r"[<>&]", "", text or "")
    return _BROADCAST.sub(lambda m: "@" + WORD_JOINER + m.group(1), text).strip()


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, with an ellipsis when cut (Block Kit rejects longer fields)."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def split(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, nothing dropped: cut at a paragraph, else
    a line, else a space, never inside a ``<link|label>`` or an ``&amp;`` entity (a word longer than
    ``limit`` is cut where it must)."""
    pieces: list[str] = []
    rest = text or ""
    while len(rest) > limit:
        window = rest[:limit]
        cut = 0
        for sep in ("\n\n", "\n", " "):
            at = window.rfind(sep)
            if at > limit // 4:
                cut = at
                break
        cut = _outside_markup(rest, cut or limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _outside_markup(text: str, cut: int) -> int:
    """Move ``cut`` back to before an unclosed ``<…>`` or ``&…;`` it would fall inside."""
    opened = text.rfind("<", 0, cut)
    if opened > 0 and text.rfind(">", 0, cut) < opened:
        return opened
    amp = text.rfind("&", max(cut - 6, 0), cut)
    if amp > 0 and ";" not in text[amp:cut]:
        return amp
    return cut


# -- Markdown (AI answers) → mrkdwn ---------------------------------------------------------------
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|mailto:)[^\s)]+)\)")
_MD_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.MULTILINE)


def markdown_to_mrkdwn(text: str) -> str:
    """The AI's Markdown as safe mrkdwn: escaped first, then links, bold and headings restyled."""
    out = escape(text)
    out = _MD_LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1).replace('|', '/')}>", out)
    out = _MD_BOLD.sub(r"*\1*", out)
    return _MD_HEADING.sub(r"*\1*", out)


def link(url: str, label: str) -> str:
    """A mrkdwn link with an escaped label; just the label when the URL is not http(s)."""
    label = escape(label).replace("|", "/")
    if not re.match(r"^https?://", url or ""):
        return label
    return f"<{url.replace('&', '&amp;').replace('<', '%3C').replace('>', '%3E').replace('|', '%7C')}|{label}>"


# -- mrkdwn (team replies) → Markdown ---------------------------------------------------------------
_CODE = re.compile(r"(```.*?```|`[^`\n]+`)", re.DOTALL)
_ANGLE = re.compile(r"<([^<>\n]+)>")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_BULLET = re.compile(r"^(\s*)[•◦▪]\s+", re.MULTILINE)


def to_markdown(text: str, resolve_user: Callable[[str], str] | None = None) -> str:
    """Slack mrkdwn as Markdown for the widget.

    ``<url|text>`` → ``[text](url)``, ``*bold*`` → ``**bold**``, ``~strike~`` → ``~~strike~~``,
    ``<@U123>`` → ``@name`` (via ``resolve_user``), ``<#C1|general>`` → ``#general``, ``<!here>`` →
    ``@here``, and ``&amp;`` / ``&lt;`` / ``&gt;`` unescaped. Code spans and blocks are left as typed.
    """
    parts = _CODE.split(text or "")
    out = []
    for i, part in enumerate(parts):
        if i % 2:  # code: only the entities
            out.append(unescape(part))
            continue
        part = _ANGLE.sub(lambda m: _angle(m.group(1), resolve_user), part)
        part = _BOLD.sub(r"**\1**", part)
        part = _STRIKE.sub(r"~~\1~~", part)
        part = _BULLET.sub(r"\1- ", part)
        out.append(unescape(part))
    return "".join(out).strip()


def _angle(inner: str, resolve_user: Callable[[str], str] | None) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        if label:
            return "@" + label.lstrip("@")
        name = resolve_user(target[1:]) if resolve_user else ""
        return "@" + (name or "someone")
    if target.startswith("#"):
        return "#" + (label or "channel")
    if target.startswith("!"):
        if target.startswith("!subteam^"):
            return label or "@team"
        if target.startswith("!date^"):
            return label or ""
        return "@" + target[1:]
    if label:
        return f"[{label}]({target})"
    return target.removeprefix("mailto:") if target.startswith("mailto:") else f"<{target}>"
