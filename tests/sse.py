"""Reading a ``text/event-stream`` the way a browser's EventSource does, for tests of the widget's live stream."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator


def parse_sse(lines: Iterable[str]) -> Iterator[dict]:
    """The events of a stream, from its lines (without line ends): one dict of fields per event
    (``id``, ``event``, ``data`` JSON-decoded). Comment lines (keep-alives) and events without data
    are skipped."""
    current: dict = {}
    for line in lines:
        if line == "":
            if "data" in current:
                yield current
            current = {}
        elif not line.startswith(":"):
            key, _, value = line.partition(": ")
            current[key] = json.loads(value) if key == "data" else value
