"""Benchmarks that print figures (python -m bench.retrieval …)."""

from __future__ import annotations

import json
from pathlib import Path


def read_questions(path: str, *, need_gold: bool = True) -> list[dict]:
    """Question files, one JSON object a line: {"question", "gold_slugs": [...]} (or one "gold_slug").

    Returns [{question, gold (set of slugs), audience}]; a malformed line stops with its line number.
    ``need_gold=False`` accepts lines without gold (off-topic question sets).
    """
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        gold = row.get("gold_slugs") or ([row["gold_slug"]] if row.get("gold_slug") else [])
        if not row.get("question") or (need_gold and not gold):
            need = "'question' and 'gold_slug' or 'gold_slugs'" if need_gold else "'question'"
            raise SystemExit(f"{path}:{number}: each line needs {need}")
        rows.append({"question": row["question"], "gold": set(gold), "audience": row.get("audience")})
    return rows
