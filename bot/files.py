"""Files a team member shares in a conversation's thread: which may reach the shopper, and fetching them.

Slack sends a ``file_share`` message with file objects (``id``, ``name``, ``mimetype``, ``size``,
``url_private_download``). The bytes are behind the bot token: a GET of ``url_private`` with
``Authorization: Bearer xoxb-…`` (scope ``files:read``); without it Slack answers with its sign-in
page (HTML), which must never be passed on as the file. A file object without URLs (``file_access:
check_file_info``) is completed with ``files.info``.
"""

from __future__ import annotations

import fnmatch
import urllib.error
import urllib.request

from slack_sdk import WebClient

from bot import messages as m
from bot.mrkdwn import escape
from bot.webapi import call

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 30


class FileRefused(Exception):
    """The file does not reach the shopper; ``str()`` is the thread note's reason (mrkdwn, escaped)."""


def allowed_types(settings) -> list[str]:
    return [t.strip().lower() for t in (getattr(settings, "file_types", "") or "").split(",") if t.strip()]


def limit_bytes(settings) -> int:
    return int(float(getattr(settings, "file_max_mb", 10.0)) * 1024 * 1024)


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(size, 1) / 1024:.0f} KB"


def check(file: dict, settings) -> None:
    """Raise ``FileRefused`` when the file's type or declared size is outside the limits."""
    name = escape(file.get("name") or file.get("title") or "file")
    mimetype = (file.get("mimetype") or "").lower()
    if file.get("mode") in ("tombstone", "hidden_by_limit") or file.get("is_external"):
        raise FileRefused(m.FILE_UNAVAILABLE.format(name=name))
    if not any(fnmatch.fnmatch(mimetype, pattern) for pattern in allowed_types(settings)):
        raise FileRefused(m.FILE_TYPE_REFUSED.format(name=name, type=escape(mimetype or "unknown"), allowed=", ".join(allowed_types(settings))))
    size = int(file.get("size") or 0)
    if size > limit_bytes(settings):
        raise FileRefused(m.FILE_TOO_LARGE.format(name=name, size=size_label(size), limit=size_label(limit_bytes(settings))))


def complete(client: WebClient, file: dict) -> dict:
    """The file object with its download URL (``files.info`` when the event left it out)."""
    if file.get("url_private_download") or file.get("url_private"):
        return file
    return {**file, **(call(client, "files_info", file=file["id"]).get("file") or {})}


def download(token: str, file: dict, settings) -> bytes:
    """The file's bytes, read with the bot token and stopped at the size limit."""
    name = escape(file.get("name") or "file")
    url = file.get("url_private_download") or file.get("url_private") or ""
    limit = limit_bytes(settings)
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - a Slack file URL
            if "text/html" in (response.headers.get("Content-Type") or "") and "html" not in (file.get("mimetype") or ""):
                raise FileRefused(m.FILE_NOT_READABLE.format(name=name))  # Slack's sign-in page: the token can't read it
            data = bytearray()
            while chunk := response.read(CHUNK):
                data += chunk
                if len(data) > limit:
                    raise FileRefused(m.FILE_TOO_LARGE.format(name=name, size=f"over {size_label(limit)}", limit=size_label(limit)))
            return bytes(data)
    except urllib.error.HTTPError as err:
        raise FileRefused(m.FILE_NOT_READABLE.format(name=name)) from err
    except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
        raise ConnectionError(f"could not download a Slack file: {type(err).__name__}") from err
