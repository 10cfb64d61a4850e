"""Files sent to a shopper, kept under the data folder and described in Redis.

``baton:{<conv id>}:files`` maps a file id to ``{"id", "name", "mimetype", "size"}``; the bytes live
at ``<root>/<conv id>/<file id>``. Ids are checked against a strict pattern before they touch a
path, so nothing outside ``root`` can be named. Who may read a file (the conversation's token) is
the HTTP edge's business; this module only stores and finds.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import redis

from conversations.errors import NotFound

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class Attachments:
    def __init__(self, r: redis.Redis, root: str | os.PathLike):
        self.r = r
        self.root = Path(root)

    @staticmethod
    def _key(conv_id: str) -> str:
        return f"baton:{{{conv_id}}}:files"

    def _path(self, conv_id: str, file_id: str) -> Path:
        if not (_ID.match(conv_id or "") and _ID.match(file_id or "")):
            raise NotFound("no such file")
        return self.root / conv_id / file_id

    def save(self, conv_id: str, file_id: str, *, name: str, mimetype: str, data: bytes) -> dict:
        """Store ``data`` (atomically: a reader never sees half a file) and return its description."""
        path = self._path(conv_id, file_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
        meta = {"id": file_id, "name": name, "mimetype": mimetype, "size": len(data)}
        self.r.hset(self._key(conv_id), file_id, json.dumps(meta))
        return meta

    def get(self, conv_id: str, file_id: str) -> tuple[dict, Path]:
        """The file's description and where its bytes are; ``NotFound`` when it is not this conversation's."""
        path = self._path(conv_id, file_id)
        raw = self.r.hget(self._key(conv_id), file_id)
        if raw is None or not path.is_file():
            raise NotFound("no such file")
        return json.loads(raw), path
