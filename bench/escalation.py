"""How well do the rules hand off exactly when the store wants? Precision/recall of "escalate".

    python -m bench.escalation --cases bench/data/escalation_holdout.csv
    python -m bench.escalation --bitext            # ../shared/eval/bitext-customer-support-intent, test split
    python -m bench.escalation --hint3             # ../shared/eval/hint3 v2, the three test sets
    python -m bench.escalation --cases FILE --grammar-only   # without the learned intent head

Runs the rules file (default demo/rules.toml) over each message as the first message of a fresh
conversation, and a keyword-only baseline side by side (the list a store would write by hand,
matched on word boundaries, case-insensitive, no typo tolerance). Prints a confusion table, the
misses with --errors, and as its LAST line one JSON object:
{"precision", "recall", "f1", "accuracy", "n", "p50_ms", "keyword_baseline": {...}}.

The mappings of the shared datasets' intents to escalate/answer are documented in docs/rules.md
and in BITEXT_ESCALATE / HINT3_ESCALATE below; everything not listed counts as "answer".
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval"

# bitext: the intents our policy hands to a human (see docs/rules.md for why).
BITEXT_ESCALATE = {"contact_human_agent", "contact_customer_service", "complaint", "get_refund", "track_refund"}
BITEXT_FILES = {
    "train": "data/train/Bitext_Sample_Customer_Service_Training_Dataset.csv",
    "dev": "data/dev/Bitext_Sample_Customer_Service_Validation_Dataset.csv",
    "test": "data/test/Bitext_Sample_Customer_Service_Testing_Dataset.csv",
}
# HINT3 v2: asking for a person or a phone line, refunds/returns, complaints and disputed deductions.
HINT3_ESCALATE = {
    "CHAT_WITH_AGENT", "CHAT_WITH_AN_AGENT", "CALL_CENTER", "CONTACT_NUMBER",
    "REFUNDS_RETURNS_REPLACEMENTS", "RETURN_EXCHANGE", "REFUND_OF_WRONG_AMOUNT", "REFUND_OF_ADDED_CASH",
    "CRITICISM", "FAKE_TEAMS", "ACCOUNT_BALANCE_DEDUCTED", "DEDUCTED_AMOUNT_NOT_RECEIVED",
}
HINT3_BOTS = ("curekart", "powerplay11", "sofmattress")

# The keyword list a store would write by hand (in the five languages we test).
BASELINE_KEYWORDS = [
    "human", "agent", "person", "manager", "representative", "someone", "real person", "customer service",
    "refund", "money back", "chargeback", "reimburse", "charged twice", "double charge", "license", "licence",
    "serial", "activation", "key", "scam", "fraud", "lawyer", "sue", "hacked", "complaint",
    "humano", "persona", "agente", "reembolso", "licencia", "estafa", "hackeada",
    "mensch", "mitarbeiter", "rückerstattung", "lizenz", "betrug", "gehackt",
    "humain", "conseiller", "remboursement", "licence", "arnaque", "piraté",
    "pessoa", "atendente", "reembolso", "licença", "golpe", "invadida",
]


class KeywordBaseline:
    def __init__(self, keywords=BASELINE_KEYWORDS):
        words = sorted({k.lower() for k in keywords}, key=len, reverse=True)
        self.pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)

    def escalates(self, text: str) -> bool:
        return bool(self.pattern.search(text))


def read_cases(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = []
        for row in csv.DictReader(fh):
            expected = (row.get("expected") or "").strip().lower()
            if expected not in ("escalate", "answer"):
                raise SystemExit(f"{path}: expected must be escalate or answer, got {expected!r} for {row.get('text')!r}")
            rows.append({"text": row["text"], "expected": expected, "note": row.get("note", "")})
    return rows


def bitext_cases(split: str) -> list[dict]:
    path = SHARED / "bitext-customer-support-intent" / BITEXT_FILES[split]
    with open(path, newline="", encoding="utf-8") as fh:
        return [
            {"text": r["utterance"], "expected": "escalate" if r["intent"] in BITEXT_ESCALATE else "answer", "note": r["intent"]}
            for r in csv.DictReader(fh)
        ]


def hint3_cases(split: str) -> list[dict]:
    rows = []
    for bot in HINT3_BOTS:
        path = SHARED / "hint3" / "dataset" / "v2" / split / f"{bot}_{split}.csv"
        with open(path, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                text, label = (r.get("sentence") or "").strip(), (r.get("label") or "").strip()
                if not text:
                    continue
                rows.append({"text": text, "expected": "escalate" if label in HINT3_ESCALATE else "answer", "note": f"{bot}:{label}"})
    return rows


def scores(pairs: list[tuple[str, bool]]) -> dict:
    tp = sum(1 for expected, got in pairs if expected == "escalate" and got)
    fp = sum(1 for expected, got in pairs if expected == "answer" and got)
    fn = sum(1 for expected, got in pairs if expected == "escalate" and not got)
    tn = sum(1 for expected, got in pairs if expected == "answer" and not got)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "accuracy": round((tp + tn) / len(pairs), 4) if pairs else 0.0,
        "n": len(pairs),
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--cases", type=Path, help="CSV with columns text,expected (escalate|answer)")
    source.add_argument("--bitext", action="store_true", help="the shared bitext customer-support intent set")
    source.add_argument("--hint3", action="store_true", help="the shared HINT3 v2 sets (three bots)")
    parser.add_argument("--split", default="test", help="split of --bitext (train|dev|test) or --hint3 (train|test); default test")
    parser.add_argument("--rules", type=Path, default=ROOT / "demo" / "rules.toml", help="rules file (default demo/rules.toml)")
    parser.add_argument("--errors", action="store_true", help="list every wrong decision")
    parser.add_argument("--grammar-only", action="store_true", help="the cue grammar alone, without the learned intent head (agent/rules/head.py)")
    args = parser.parse_args(argv)

    from agent.rules import RuleContext, RuleEngine

    if args.cases:
        cases, label = read_cases(args.cases), str(args.cases)
    elif args.bitext:
        cases, label = bitext_cases(args.split), f"bitext {args.split}"
    else:
        cases, label = hint3_cases(args.split), f"hint3 v2 {args.split}"

    engine = RuleEngine(args.rules, learned=not args.grammar_only)
    baseline = KeywordBaseline()
    engine.evaluate("warm-up", RuleContext())
    ours, base, timings, errors = [], [], [], []
    for case in cases:
        start = time.perf_counter()
        decision = engine.evaluate(case["text"], RuleContext())
        timings.append((time.perf_counter() - start) * 1000)
        got = decision.escalation is not None
        ours.append((case["expected"], got))
        base.append((case["expected"], baseline.escalates(case["text"])))
        if got != (case["expected"] == "escalate"):
            errors.append((case, decision))

    ours_s, base_s = scores(ours), scores(base)
    kind = "cue grammar only" if args.grammar_only else "cue grammar + learned head"
    print(f"escalation bench: {label} ({len(cases)} messages, rules {args.rules}, {kind})\n")
    print(f"{'':24}{'rules engine':>16}{'keyword baseline':>20}")
    for key, name in (("tp", "escalate, escalated"), ("fn", "escalate, missed"), ("fp", "answer, escalated"), ("tn", "answer, answered")):
        print(f"{name:24}{ours_s[key]:>16}{base_s[key]:>20}")
    for key in ("precision", "recall", "f1", "accuracy"):
        print(f"{key:24}{ours_s[key]:>16.3f}{base_s[key]:>20.3f}")
    p50 = statistics.median(timings) if timings else 0.0
    p95 = sorted(timings)[int(len(timings) * 0.95) - 1] if timings else 0.0
    print(f"{'latency p50 / p95 ms':24}{p50:>10.2f} / {p95:.2f}")
    if args.errors:
        print("\nwrong decisions:")
        for case, decision in errors:
            print(f"  expected {case['expected']:8} [{case['note']}] {case['text']!r} -> {decision.fired or 'nothing fired'}")
    result = {key: ours_s[key] for key in ("precision", "recall", "f1", "accuracy", "n")}
    result["p50_ms"] = round(p50, 3)
    result["engine"] = "grammar" if args.grammar_only else "grammar+learned"
    result["keyword_baseline"] = {key: base_s[key] for key in ("precision", "recall", "f1", "accuracy", "n")}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
