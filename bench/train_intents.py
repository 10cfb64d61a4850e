"""Train the learned intent head (agent/rules/data/intent_head.npz) and choose its threshold by cross-validation.

    python -m bench.train_intents                 # cross-validate, then train on everything and save
    python -m bench.train_intents --cv-only       # only the cross-validated figures
    python -m bench.train_intents --no-save

Training data (none of it is an evaluation split):

* agent/rules/data/intent_examples.csv and agent/rules/data/intent_training*.csv (intent,lang,text; ``none`` =
  answer): the labelled examples, with translations into nl/pl/tr/it/sv/... and negatives (how-to,
  policy, pre-sale, small talk, prompt injection);
* bench/data/escalation_tuning.csv and escalation_holdout{,2,3,4,5,6,7}.csv (text,expected): already tuned
  on; the intent of an escalation is the one the cue grammar names, else the nearest labelled example;
* bench/data/paraphrased_questions*.jsonl, offtopic_questions.jsonl: docs and off-topic questions (answer;
  the few the grammar escalates, like "how do I reach a human at support?", are left out);
* the bitext TRAIN split and the HINT3 v2 TRAIN splits, with the intent mapping of bench/escalation.py,
  down-weighted (one style each, and HINT3 is another kind of shop).

Never the bitext dev/test or HINT3 test splits, and never bench/data/escalation_holdout8.csv (held-out
sets 4 to 7 joined the training pool after their one blind run each).

Cross-validation: 5 folds over our own labelled pool (bitext/HINT3 train always stay in training);
each out-of-fold message is decided by the cue grammar OR the head (P(escalate) >= t). The saved
threshold is the lowest t whose out-of-fold precision of the combination stays >= --min-precision.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
AGENT_DATA = ROOT / "agent" / "rules" / "data"
CACHE = Path("/tmp") / "baton_intent_embeddings.npz"  # embeddings of the training texts, reused between runs

BITEXT_INTENT = {
    "contact_human_agent": "human_request", "contact_customer_service": "human_request",
    "complaint": "complaint", "get_refund": "refund_request", "track_refund": "refund_request",
}
HINT3_INTENT = {
    "CHAT_WITH_AGENT": "human_request", "CHAT_WITH_AN_AGENT": "human_request", "CALL_CENTER": "human_request",
    "CONTACT_NUMBER": "human_request", "REFUNDS_RETURNS_REPLACEMENTS": "refund_request",
    "RETURN_EXCHANGE": "refund_request", "REFUND_OF_WRONG_AMOUNT": "refund_request",
    "REFUND_OF_ADDED_CASH": "refund_request", "CRITICISM": "complaint", "FAKE_TEAMS": "complaint",
    "ACCOUNT_BALANCE_DEDUCTED": "billing_dispute", "DEDUCTED_AMOUNT_NOT_RECEIVED": "billing_dispute",
}
OWN_CASES = ("escalation_tuning.csv", "escalation_holdout.csv", "escalation_holdout2.csv", "escalation_holdout3.csv",
             "escalation_holdout4.csv", "escalation_holdout5.csv", "escalation_holdout6.csv", "escalation_holdout7.csv")


def _examples(path: Path, source: str) -> list[dict]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return [{"text": r["text"], "intent": "answer" if r["intent"] == "none" else r["intent"], "source": source}
                for r in csv.DictReader(fh)]


def load_pool(engine) -> tuple[list[dict], list[dict]]:
    """(own labelled pool, external training rows). Each row: text, intent (a CLASSES name), source, grammar."""
    from bench.escalation import bitext_cases, hint3_cases, read_cases

    own = _examples(AGENT_DATA / "intent_examples.csv", "examples")
    for path in sorted(AGENT_DATA.glob("intent_training*.csv")):
        own += _examples(path, path.name)
    for name in OWN_CASES:
        for case in read_cases(DATA / name):
            own.append({"text": case["text"], "intent": case["expected"], "source": name})
    for name in ("paraphrased_questions.jsonl", "paraphrased_questions_2.jsonl", "offtopic_questions.jsonl"):
        with open(DATA / name, encoding="utf-8") as fh:
            own += [{"text": json.loads(line)["question"], "intent": "answer", "source": name} for line in fh if line.strip()]
    external = [{"text": c["text"], "intent": BITEXT_INTENT.get(c["note"], "answer"), "source": "bitext"} for c in bitext_cases("train")]
    external += [{"text": c["text"], "intent": HINT3_INTENT.get(c["note"].split(":", 1)[1], "answer"), "source": "hint3"}
                 for c in hint3_cases("train")]
    for row in own + external:
        row["grammar"] = grammar_decision(engine, row["text"])
    # The docs-question files were written for retrieval, not labelled for escalation ("how do I reach a
    # human at support?" is among them); the few the grammar escalates are left out rather than called answer.
    own = [r for r in own if not (r["source"].endswith(".jsonl") and r["grammar"]["escalates"])]
    return own, external


def grammar_decision(engine, text: str) -> dict:
    """What the cue grammar alone says: escalates?, its intent, and whether it read a policy/hypothetical question."""
    from agent.rules import RuleContext, tokenize

    decision = engine.evaluate(text, RuleContext())
    analysis = engine.classifier.analyze(text, [])
    builtin = {n: s for n, s in analysis.intents.items() if n in ("refund_request", "billing_dispute")}
    veto = any(0.2 <= s.score < 0.9 for s in builtin.values())
    # The engine does not ask the head on a settled message or a question about future charges (agent/rules/framing.py,
    # IntentClassifier.money_question); it reads the shopper's own words, so those are what is judged here too.
    reading = analysis.reading
    if reading is not None:
        own = reading.text
        veto = veto or bool(reading.settled) or engine.classifier.money_question(own, engine.classifier.lexicon.find(tokenize(own)))
    best = max(((n, s.score) for n, s in analysis.intents.items() if n in _builtin()), key=lambda kv: kv[1])
    return {"escalates": decision.escalation is not None, "intent": best[0] if best[1] >= 0.9 else None, "veto": veto}


def _builtin():
    from agent.rules import BUILTIN_INTENTS

    return BUILTIN_INTENTS


def embed_all(texts: list[str]) -> np.ndarray:
    from knowledge.embeddings import default_embedder

    cache: dict[str, np.ndarray] = {}
    if CACHE.exists():
        data = np.load(CACHE, allow_pickle=False)
        cache = dict(zip((str(t) for t in data["texts"]), data["vectors"], strict=True))
    missing = sorted({t for t in texts if t not in cache})
    if missing:
        vectors = default_embedder().embed(missing)
        cache.update(zip(missing, vectors, strict=True))
        keys = list(cache)
        np.savez(CACHE, texts=np.array(keys), vectors=np.stack([cache[k] for k in keys]))
    return np.stack([cache[t] for t in texts])


def label_positives(rows: list[dict], vectors: np.ndarray, example_rows: list[dict], example_vectors: np.ndarray) -> None:
    """Escalations from text,expected files get the grammar's intent, else the nearest labelled example's."""
    from agent.rules.head import CLASSES

    positive = [i for i, r in enumerate(example_rows) if r["intent"] in CLASSES[1:]]
    for i, row in enumerate(rows):
        if row["intent"] != "escalate":
            continue
        if row["grammar"]["intent"]:
            row["intent"] = row["grammar"]["intent"]
        else:
            sims = example_vectors[positive] @ vectors[i]
            row["intent"] = example_rows[positive[int(sims.argmax())]]["intent"]


def weights_for(rows: list[dict], bitext_weight: float, hint3_weight: float) -> np.ndarray:
    return np.array([bitext_weight if r["source"] == "bitext" else hint3_weight if r["source"] == "hint3" else 1.0 for r in rows])


def combine(rows: list[dict], p_escalate: np.ndarray, threshold: float, veto: bool = True) -> np.ndarray:
    """The engine's decision: the grammar, or the head where it applies and the grammar did not veto."""
    from agent.rules.head import applies

    grammar = np.array([r["grammar"]["escalates"] for r in rows])
    vetoed = np.array([r["grammar"]["veto"] or not applies(r["text"]) for r in rows]) if veto else np.zeros(len(rows), bool)
    return grammar | ((p_escalate >= threshold) & ~vetoed)


def prf(expected: np.ndarray, got: np.ndarray) -> tuple[float, float, int, int, int]:
    tp = int((expected & got).sum())
    fp = int((~expected & got).sum())
    fn = int((expected & ~got).sum())
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0), tp, fp, fn


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cv-only", action="store_true")
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--bitext-weight", type=float, default=0.2)
    parser.add_argument("--hint3-weight", type=float, default=0.3)
    parser.add_argument("--l2", type=float, default=1e-4)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--min-precision", type=float, default=0.95,
                        help="on the evaluation-style messages: the 0.90 target plus the ~0.04 by which their out-of-fold precision "
                             "exceeded the first runs of blind sets 5 and 6")
    parser.add_argument("--whole-only", action="store_true", help="cross-validate without the sentence-by-sentence reading")
    parser.add_argument("--gate-recall-loss", type=float, default=0.005, help="recall the char n-gram gate may cost, out of fold")
    parser.add_argument("--errors", action="store_true", help="list out-of-fold mistakes at the chosen threshold")
    args = parser.parse_args(argv)

    from agent.rules import RuleEngine
    from agent.rules.head import CLASSES, EMBED_DIM, applies, features, segments, softmax, train_head

    engine = RuleEngine(ROOT / "demo" / "rules.toml", learned=False)  # the grammar alone
    own, external = load_pool(engine)
    rows = own + external
    vectors = embed_all([r["text"] for r in rows])
    examples = [i for i, r in enumerate(rows) if r["source"] == "examples" or r["source"].startswith("intent_training")]
    label_positives(rows, vectors, [rows[i] for i in examples], vectors[examples])
    x = features([r["text"] for r in rows], vectors)
    y = np.array([CLASSES.index(r["intent"]) for r in rows])
    sw = weights_for(rows, args.bitext_weight, args.hint3_weight)
    n_own = len(own)
    expected = y[:n_own] != 0
    # The engine reads a long message whole and sentence by sentence (agent.rules.head.segments); so does
    # the cross-validation, on the out-of-fold rows' sentences.
    seg_owner, seg_texts = [], []
    for i, row in enumerate(own):
        for seg in ([] if args.whole_only else segments(row["text"])):
            seg_owner.append(i)
            seg_texts.append(seg)
    seg_owner = np.array(seg_owner, dtype=int)
    seg_x = features(seg_texts, embed_all(seg_texts)) if seg_texts else np.zeros((0, x.shape[1]), np.float32)
    print(f"pool: {n_own} own ({int(expected.sum())} escalate), {len(external)} external")

    rng = np.random.default_rng(0)
    fold = np.empty(n_own, dtype=int)
    for label in (True, False):
        idx = np.flatnonzero(expected == label)
        rng.shuffle(idx)
        fold[idx] = np.arange(len(idx)) % args.folds
    oof = np.zeros(n_own)
    gate_oof = np.zeros(n_own)
    chars, seg_chars = x[:, EMBED_DIM:], seg_x[:, EMBED_DIM:]  # the gate's features: the char n-gram block
    for k in range(args.folds):
        train = np.concatenate([np.flatnonzero(fold != k), np.arange(n_own, len(rows))])
        test = np.flatnonzero(fold == k)
        train = train[sw[train] > 0]
        w, b = train_head(x[train], y[train], sw[train], l2=args.l2, epochs=args.epochs)
        gw, gb = train_head(chars[train], y[train], sw[train], l2=args.l2, epochs=args.epochs)
        oof[test] = 1.0 - softmax(x[test] @ w + b)[:, 0]
        gate_oof[test] = 1.0 - softmax(chars[test] @ gw + gb)[:, 0]
        in_fold = np.isin(seg_owner, test)
        if in_fold.any():
            np.maximum.at(oof, seg_owner[in_fold], 1.0 - softmax(seg_x[in_fold] @ w + b)[:, 0])
            np.maximum.at(gate_oof, seg_owner[in_fold], 1.0 - softmax(seg_chars[in_fold] @ gw + gb)[:, 0])
    grammar = np.array([r["grammar"]["escalates"] for r in own])
    p, r, tp, fp, fn = prf(expected, grammar)
    print(f"grammar alone (tuned on these)       P {p:.3f} R {r:.3f}  tp {tp} fp {fp} fn {fn}")
    for t in (0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3):
        p, r, tp, fp, fn = prf(expected, oof >= t)
        pc, rc, tpc, fpc, fnc = prf(expected, combine(own, oof, t))
        print(f"t={t:.2f} head alone P {p:.3f} R {r:.3f} | grammar OR head P {pc:.3f} R {rc:.3f} tp {tpc} fp {fpc} fn {fnc}")
    # The threshold is chosen on the messages written as evaluation sets (bench/data/escalation_*.csv: the
    # tuning set and the spent held-out sets), whose mix of languages and of easy and hard cases is the
    # closest to a store's traffic; the intent_training*.csv files are hard cases by design (a third of
    # them in languages with a dozen examples each) and would push the threshold up for everyone.
    select = np.array([r["source"].startswith("escalation_") for r in own])
    selected = [r for r, m in zip(own, select, strict=True) if m]
    for t in (0.8, 0.7, 0.6, 0.5, 0.4, 0.3):
        ps, rs, *_ = prf(expected[select], combine(selected, oof[select], t))
        print(f"t={t:.2f} on the evaluation-style messages ({int(select.sum())}): grammar OR head P {ps:.3f} R {rs:.3f}")
    chosen = 0.5
    for t in np.arange(0.95, 0.19, -0.05):
        pc, *_ = prf(expected[select], combine(selected, oof[select], float(t)))
        if pc >= args.min_precision:
            chosen = round(float(t), 2)
    print(f"chosen threshold {chosen} (lowest with out-of-fold precision >= {args.min_precision} on the evaluation-style messages)")
    # The gate: the highest threshold whose out-of-fold cost is at most --gate-recall-loss of recall.
    full = combine(own, oof, chosen)
    _, r_full, *_ = prf(expected, full)
    gate_t = 0.0
    asked = np.array([not r["grammar"]["escalates"] and not r["grammar"]["veto"] and applies(r["text"]) for r in own])
    for g in (0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.25, 0.3):
        gated = combine(own, np.where(gate_oof < g, 0.0, oof), chosen)
        pg, rg, *_ = prf(expected, gated)
        skipped = float((asked & (gate_oof < g)).sum() / max(asked.sum(), 1))
        print(f"gate {g:.2f}: P {pg:.3f} R {rg:.3f} (without the gate R {r_full:.3f}); embedding skipped for {skipped:.0%} of the messages the head is asked about")
        if r_full - rg <= args.gate_recall_loss:
            gate_t = g
    print(f"chosen gate threshold {gate_t} (highest losing at most {args.gate_recall_loss} recall out of fold)")
    if args.errors:
        for i in np.flatnonzero(full != expected):
            print(f"  {'FN' if expected[i] else 'FP'} p={oof[i]:.2f} [{own[i]['source']}] {own[i]['text']!r}")
    if args.cv_only:
        return 0

    keep = sw > 0
    w, b = train_head(x[keep], y[keep], sw[keep], l2=args.l2, epochs=args.epochs)
    gw, gb = train_head(chars[keep], y[keep], sw[keep], l2=args.l2, epochs=args.epochs)
    if not args.no_save:
        from knowledge.embeddings import default_embedder

        out = AGENT_DATA / "intent_head.npz"
        np.savez_compressed(out, w=w.astype(np.float16), b=b, classes=np.array(CLASSES),
                            embedder=np.array(default_embedder().name), threshold=np.array(chosen),
                            gate_w=gw.astype(np.float16), gate_b=gb, gate_threshold=np.array(gate_t))
        print(f"saved {out} ({out.stat().st_size // 1024} KB), threshold {chosen}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
