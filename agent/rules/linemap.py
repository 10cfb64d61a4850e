"""Line numbers for problems in a rules file: where a parsed TOML key was written."""

from __future__ import annotations

import re

# ---------------------------------------------------------------------------------------------
# Line numbers


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+(?:\s*\.\s*[A-Za-z0-9_\-\"']+)*)\s*=")


class LineMap:
    """Maps a path in the parsed TOML ("rules", 2, "when", "regex") to its line in the file.

    tomllib gives no positions, so this reads the text: table headers (``[[rules]]``,
    ``[rules.when]``) and ``key =`` lines, tracking array-of-tables indexes. Good enough for the
    shapes a rules file has; an unknown path falls back to the nearest known parent.
    """

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.where: dict[tuple, int] = {}
        counts: dict[tuple, int] = {}
        current: tuple = ()
        in_string = False
        for number, raw in enumerate(self.lines, start=1):
            if raw.count('"""') % 2 == 1 or raw.count("'''") % 2 == 1:
                in_string = not in_string
                if not in_string:
                    continue
            if in_string:
                continue
            header = _HEADER.match(raw)
            if header:
                names = tuple(p.strip().strip("\"'") for p in header.group(2).split("."))
                if header.group(1) == "[[":
                    parent = self._resolve(names[:-1], counts)
                    key = (*parent, names[-1])
                    counts[key] = counts.get(key, -1) + 1
                    current = (*key, counts[key])
                else:
                    current = self._resolve(names, counts)
                self.where.setdefault(current, number)
                continue
            key = _KEY.match(raw)
            if key:
                names = tuple(p.strip().strip("\"'") for p in key.group(1).split("."))
                self.where.setdefault((*current, *names), number)

    @staticmethod
    def _resolve(names: tuple, counts: dict) -> tuple:
        """Insert the current index of every array of tables along ``names``: rules.when -> rules, 3, when."""
        out: tuple = ()
        for name in names:
            out = (*out, name)
            if out in counts:
                out = (*out, counts[out])
        return out

    def line(self, *path, needle: str | None = None) -> int | None:
        for end in range(len(path), 0, -1):
            if path[:end] in self.where:
                base = self.where[path[:end]]
                if needle:
                    for offset, raw in enumerate(self.lines[base - 1 : base + 40]):
                        if needle[:30] in raw:
                            return base + offset
                return base
        return None
