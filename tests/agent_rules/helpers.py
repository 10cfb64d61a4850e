"""Small builders shared by the rules tests: a rules file on disk, a conversation, a history."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conversations import Conversation, Entry, State

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_RULES = ROOT / "demo" / "rules.toml"


def write_rules(tmp_path: Path, text: str, name: str = "rules.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def conversation(**values) -> Conversation:
    base = {"id": "c1", "number": 1001, "state": State.AI, "customer": {"name": "Ana"}}
    base.update(values)
    return Conversation(**base)


def said(*texts: str, role: str = "customer") -> list[Entry]:
    """A history in which ``role`` said each text, oldest first."""
    return [Entry(id=f"{1700000000000 + i}-0", type="message", role=role, text=t) for i, t in enumerate(texts)]
