"""History pages: ``GET /api/v1/conversations/<id>?limit=&before=|after=``.

A page is cut from the conversation as it reads now (``models.current``: every message in its
latest version), so an edit that came much later still shows on the message it revises. Without a
cursor the page is the newest ``limit`` messages; ``before=<id>`` pages back from there and
``after=<id>`` forward. ``next`` is the cursor for the following page in the same direction (pass
it as ``before`` after a first or ``before`` page, as ``after`` after an ``after`` page), or null
when there is no more.
"""

from __future__ import annotations

import re

DEFAULT_LIMIT = 100
MAX_LIMIT = 200
ENTRY_ID = re.compile(r"^\d{1,20}-\d{1,20}$")


class BadPage(ValueError):
    """A page parameter is malformed; the message says which and how."""


def _key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq)


def page_args(args) -> tuple[str | None, str | None, int]:
    """``(before, after, limit)`` from a request's query string, or BadPage."""
    before, after = args.get("before"), args.get("after")  # present but empty is malformed too
    if before is not None and after is not None:
        raise BadPage("Send 'before' or 'after', not both.")
    for name, value in (("before", before), ("after", after)):
        if value is not None and not ENTRY_ID.match(value):
            raise BadPage(f"'{name}' must be an entry id (like 1700000000000-0), e.g. the 'next' of the previous page.")
    raw = args.get("limit")
    if raw is None:
        return before, after, DEFAULT_LIMIT
    if not str(raw).isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadPage(f"'limit' must be a whole number from 1 to {MAX_LIMIT}.")
    return before, after, int(raw)


def page(entries: list, before: str | None, after: str | None, limit: int) -> tuple[list, str | None]:
    """The entries of one page (oldest first) and the ``next`` cursor."""
    if after:
        newer = [e for e in entries if _key(e.id) > _key(after)]
        chunk = newer[:limit]
        return chunk, (chunk[-1].id if len(newer) > limit else None)
    older = [e for e in entries if _key(e.id) < _key(before)] if before else entries
    chunk = older[-limit:] if limit else []
    return chunk, (chunk[0].id if len(older) > limit else None)
