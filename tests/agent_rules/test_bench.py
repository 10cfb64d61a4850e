"""The escalation bench prints a confusion table and, last, one JSON line with the figures."""

from __future__ import annotations

import json

from bench import escalation
from tests.agent_rules.helpers import write_rules


def test_bench_reports_precision_recall_and_a_keyword_baseline(tmp_path, capsys):
    """On a small labelled file the last output line is JSON with our figures and the baseline's."""
    cases = write_rules(
        tmp_path,
        """
        text,expected
        my card got charged two times for one template pack,escalate
        please return my payment for the course,escalate
        do you offer refunds on e-books?,answer
        "hi, thanks!",answer
        """,
        name="cases.csv",
    )
    assert escalation.main(["--cases", str(cases)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])
    assert set(result) >= {"precision", "recall", "f1", "accuracy", "n", "p50_ms", "keyword_baseline"}
    assert result["n"] == 4 and result["recall"] == 1.0 and result["precision"] == 1.0
    # the keyword list misses the paraphrases and fires on the policy question
    assert result["keyword_baseline"]["recall"] == 0.0
    assert any("keyword baseline" in line for line in out)


def test_bench_shipped_cases_are_well_formed():
    """Every shipped case file has only escalate/answer labels and no duplicate texts."""
    for path in sorted((escalation.ROOT / "bench" / "data").glob("escalation_*.csv")):
        rows = escalation.read_cases(path)
        texts = [r["text"] for r in rows]
        assert len(texts) == len(set(texts)), path
        assert len(rows) >= 80, path
