"""Entries as the widget sees them: public fields only, with HTML that is safe to insert.

AI and agent text is Markdown; it is rendered, then sanitised with nh3 (Ammonia) so nothing a
model or a Slack user writes can run script in a shopper's browser. Customer text is escaped,
never interpreted.

Revisions (a team member edited or deleted a reply in Slack) travel as their own entries:
``{"type": "edit", "target": <message id>, "text", "html", …}`` and ``{"type": "delete", "target": …}``
with empty text. A message read through ``models.current`` carries ``"edited": true`` (its latest
text) or ``"deleted": true`` (no text left) instead.
"""

from __future__ import annotations

import html
from functools import lru_cache

import markdown
import nh3

from conversations import Entry
from conversations.models import DELETE, DELETED, EDITED, REVISIONS

ALLOWED_TAGS = {"p", "br", "a", "strong", "em", "b", "i", "code", "pre", "ul", "ol", "li", "blockquote", "h3", "h4", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@lru_cache(maxsize=4096)
def markdown_html(text: str) -> str:
    rendered = markdown.markdown(text, extensions=["sane_lists", "nl2br"], output_format="html")
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )


def plain_html(text: str) -> str:
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"


def public_entry(entry: Entry) -> dict:
    """The entry as the widget API and stream send it (no meta, no internal fields)."""
    rich = entry.role in ("ai", "agent")
    out = {
        "id": entry.id,
        "type": entry.type,
        "role": entry.role,
        "text": entry.text,
        "html": "" if entry.revision == DELETED or entry.type == DELETE else markdown_html(entry.text) if rich else plain_html(entry.text),
        "author": {"name": entry.author.get("name", ""), "avatar_url": entry.author.get("avatar_url", "")},
        "sources": [{"title": s.get("title", ""), "url": s.get("url", "")} for s in entry.sources],
        "at": entry.at,
    }
    file = entry.meta.get("file") if isinstance(entry.meta.get("file"), dict) else None
    if file and entry.public:  # a file the team sent: GET <conversation>/files/<id> with the token
        out["file"] = {k: file.get(k) for k in ("id", "name", "mimetype", "size")}
    if entry.type in REVISIONS:
        out["target"] = entry.target
    if entry.revision == EDITED:
        out["edited"] = True
    elif entry.revision == DELETED:
        out["deleted"] = True
    return out
