"""How often does the offline answerer answer from the right article? Right / wrong / escalated, latency.

    python -m bench.answers --docs ../shared/eval/gumroad-help-center/articles \\
        --questions ../shared/eval/gumroad-help-center/qa_pairs_extracted.jsonl
    python -m bench.answers --docs ../shared/eval/gumroad-help-center/articles \\
        --questions bench/data/paraphrased_questions.jsonl --fit-also demo/docs bench/data/demo_questions.jsonl

(bench/data/paraphrased_questions_2.jsonl is the held-out check: never fit on it.)

Each question (JSON lines with ``question`` and ``gold_slug`` or ``gold_slugs``) is asked as the first
message of a fresh conversation to the agent's offline brain, without the rules engine (this measures
the answerer, not the handoff policy; bench/escalation.py measures that). A turn counts as

* right     — answered, citing a gold article,
* wrong     — answered, citing another article (the harmful case: a confident answer from the wrong doc),
* tentative — below the answer gate: "I'm not completely sure this answers it, but this guide looks
              related: <link>. Would you like me to bring in a person?" (no fact stated, not escalated,
              never counted as right, even when the linked guide is a gold article),
* escalated — the agent said it was not sure and handed over (or declined).

``--fit-gate`` refits the answer gate (agent.brains.gate.GATES) instead: it asks the questions with the gate
off, records the gate's features of each answer and whether the cited doc is gold, fits a logistic
model with 5-fold cross-validation, picks the threshold, and prints the entry to paste into GATES:

    python -m bench.answers --fit-gate --questions ../shared/eval/gumroad-help-center/qa_pairs_extracted.jsonl \
        --questions bench/data/paraphrased_questions.jsonl

Latency is the whole ``Agent.respond`` call (search + extraction), after one warm-up question.
The docs are ingested into a cached index under ``data/bench/`` (re-runs only re-embed what changed).
Prints a summary, the misses with --errors, and as its LAST line one JSON object:
{"right", "wrong", "escalated", "tentative", "n", "p50_ms", "p95_ms"} (shares between 0 and 1; the four
shares add up to 1), plus "tentative_gold": the share of questions answered tentatively with a gold link,
and "helpful" = right + tentative_gold (the shopper got the right guide, stated or linked).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

from bench import read_questions

ROOT = Path(__file__).resolve().parent.parent
GUMROAD = ROOT.parent / "shared" / "eval" / "gumroad-help-center"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def build(docs: str, index: str | None, embedder_spec: str):
    import config
    from agent import build_agent
    from knowledge import KnowledgeBase
    from knowledge.embeddings import load_embedder

    embedder = load_embedder(embedder_spec)
    if index is None:
        key = hashlib.sha1(f"{Path(docs).resolve()}|{embedder.name}".encode()).hexdigest()[:10]
        index = str(ROOT / "data" / "bench" / f"answers-{key}")
    kb = KnowledgeBase(index, embedder)
    started = time.perf_counter()
    report = kb.ingest(docs)
    print(f"index {index}: {report.files} files, {report.chunks} chunks, {report.added} added, "
          f"{report.updated} updated ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    settings = config.load(dotenv=False)
    return build_agent(settings, kb, None, brain="offline")


def ask(agent, question: str):
    from conversations.machine import State
    from conversations.models import Conversation, Entry

    conversation = Conversation(id="bench", number=1, state=State.AI)
    history = [Entry(id="1700000000000-0", type="message", role="customer", text=question)]
    started = time.perf_counter()
    reply = agent.respond(conversation, history)
    return reply, (time.perf_counter() - started) * 1000


def outcome(reply) -> str:
    """answered | tentative | escalated (declined, not sure, handed over)."""
    kind = reply.meta.get("outcome")
    if reply.escalation is None and reply.sources and kind == "tentative":
        return "tentative"
    if reply.escalation is None and reply.sources and reply.meta.get("doc"):
        return "answered"
    return "escalated"


def run(agent, questions: list[dict], *, errors: bool = False) -> dict:
    ask(agent, "How do I download my purchase?")  # warm-up: model session, table handles
    right = wrong = escalated = tentative = tentative_gold = 0
    times = []
    for q in questions:
        reply, ms = ask(agent, q["question"])
        times.append(ms)
        kind = outcome(reply)
        cited = reply.meta.get("doc")
        if kind == "answered" and cited in q["gold"]:
            right += 1
        elif kind == "answered":
            wrong += 1
            if errors:
                print(f"WRONG  {q['question']!r}: cited {cited} (relevance {reply.meta.get('relevance')}, "
                      f"confidence {reply.meta.get('confidence')}), gold {sorted(q['gold'])}")
        elif kind == "tentative":
            tentative += 1
            tentative_gold += any(d in q["gold"] for d in reply.meta.get("docs") or [cited])  # any guide linked
            if errors:
                print(f"TENTAT. {q['question']!r}: linked {cited} ({'gold' if cited in q['gold'] else 'not gold'}, "
                      f"confidence {reply.meta.get('confidence')}), gold {sorted(q['gold'])}")
        else:
            escalated += 1
            if errors:
                print(f"ESCAL. {q['question']!r}: best {reply.meta.get('doc')} (relevance {reply.meta.get('relevance')}), "
                      f"gold {sorted(q['gold'])}, outcome {reply.meta.get('outcome')}")
    n = len(questions)

    def share(count: int) -> float:
        return round(count / n, 4) if n else 0.0

    return {
        "right": share(right),
        "wrong": share(wrong),
        "escalated": share(escalated),
        "tentative": share(tentative),
        "tentative_gold": share(tentative_gold),
        "helpful": share(right + tentative_gold),
        "n": n,
        "p50_ms": round(statistics.median(times), 1) if times else 0.0,
        "p95_ms": round(percentile(times, 0.95), 1),
    }


# ---- fitting the answer gate ---------------------------------------------------------------------


def gate_rows(agent, questions: list[dict]) -> list[tuple[dict, int]]:
    """(features, 1 if the cited doc is gold else 0) for each question answered with the gate off."""
    brain = agent.brain
    saved, brain.gate = brain.gate, None
    try:
        rows = []
        for q in questions:
            reply, _ = ask(agent, q["question"])
            if outcome(reply) == "answered" and "gate_features" in reply.meta:
                rows.append((reply.meta["gate_features"], int(reply.meta.get("doc") in q["gold"])))
        return rows
    finally:
        brain.gate = saved


def fit_logistic(x, y, *, l2: float = 1.0):
    """Weights (bias first) of an L2-regularised logistic regression on standardised columns, mapped
    back to raw feature units; Newton's method, dependency-free beyond numpy."""
    import numpy as np

    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / std])
    w = np.zeros(z.shape[1])
    penalty = l2 * np.eye(len(w))
    penalty[0, 0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -60, 60)))
        step = np.linalg.solve((z * (p * (1 - p))[:, None]).T @ z + penalty, z.T @ (p - y) + penalty @ w)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    raw = w[1:] / std
    return float(w[0] - (raw * mean).sum()), raw


def fit_gate(sets: dict[str, tuple], *, max_wrong: float, folds: int = 5, l2: float = 0.3) -> dict:
    """Cross-validated gate: out-of-fold probabilities pick the lowest threshold at which every question
    set's wrong share is at most ``max_wrong``; the final weights are fitted on all rows."""
    import numpy as np

    from agent.brains.gate import GATE_FEATURES, LEXICAL_PASS

    rows, owner, sizes = [], [], {}
    for name, (agent, questions) in sets.items():
        got = gate_rows(agent, questions)
        rows += got
        owner += [name] * len(got)
        sizes[name] = len(questions)
    x = np.array([[f[name] for name in GATE_FEATURES] for f, _ in rows], dtype=np.float64)
    y = np.array([label for _, label in rows], dtype=np.float64)
    order = np.random.default_rng(7).permutation(len(rows))
    oof = np.zeros(len(rows))
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        bias, weights = fit_logistic(x[train], y[train], l2=l2)
        oof[test] = 1.0 / (1.0 + np.exp(-(bias + x[test] @ weights)))

    lexical = np.array([f["quote_coverage"] >= LEXICAL_PASS for f, _ in rows])

    def shares(threshold: float) -> dict:
        out = {}
        for name, n in sizes.items():
            mask = (np.array(owner) == name) & ((oof >= threshold) | lexical)
            out[name] = {"right": round(float(y[mask].sum()) / n, 3), "wrong": round(float((1 - y[mask]).sum()) / n, 3)}
        return out

    threshold = 0.0
    for candidate in np.round(np.arange(0.0, 1.0, 0.01), 2):
        threshold = float(candidate)
        if all(s["wrong"] <= max_wrong for s in shares(threshold).values()):
            break
    bias, weights = fit_logistic(x, y, l2=l2)
    print(f"rows: {len(rows)} answered ({int(y.sum())} right doc, {int(len(y) - y.sum())} wrong doc)", file=sys.stderr)
    print(f"out-of-fold at threshold {threshold}: {json.dumps(shares(threshold))}", file=sys.stderr)
    print(f"with no gate:                    {json.dumps(shares(0.0))}", file=sys.stderr)
    return {"bias": round(bias, 4), "weights": {name: round(float(w), 4) for name, w in zip(GATE_FEATURES, weights, strict=True)},
            "threshold": threshold}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", default=str(GUMROAD / "articles"), help="folder of docs to ingest")
    parser.add_argument("--questions", action="append", default=None,
                        help="JSON lines file (give it twice or more with --fit-gate)")
    parser.add_argument("--index", default=None, help="index folder (default: a cache under data/bench/)")
    parser.add_argument("--embedder", default="", help='"" (MiniLM, the default), "hash", or "module:factory"')
    parser.add_argument("--errors", action="store_true", help="print every wrong, tentative or escalated question")
    parser.add_argument("--no-gate", action="store_true", help="answer without the answer gate (the figures before it)")
    parser.add_argument("--fit-gate", action="store_true", help="refit the answer gate on the --questions files and print it")
    parser.add_argument("--fit-also", nargs=2, action="append", default=[], metavar=("DOCS", "QUESTIONS"),
                        help="--fit-gate: another docs folder and its questions (e.g. demo/docs bench/data/demo_questions.jsonl)")
    parser.add_argument("--max-wrong", type=float, default=0.08,
                        help="--fit-gate: highest out-of-fold wrong share allowed on each question file")
    args = parser.parse_args(argv)

    files = args.questions or [str(GUMROAD / "qa_pairs_extracted.jsonl")]
    agent = build(args.docs, args.index, args.embedder)
    if args.fit_gate:
        sets = {Path(f).name: (agent, read_questions(f)) for f in files}
        for docs, questions in args.fit_also:
            sets[Path(questions).name] = (build(docs, None, args.embedder), read_questions(questions))
        gate = fit_gate(sets, max_wrong=args.max_wrong)
        print(f"GATES[{agent.kb.embedder.name!r}] =", file=sys.stderr)
        print(json.dumps(gate))
        return 0
    if args.no_gate:
        agent.brain.gate = None
    questions = [q for f in files for q in read_questions(f)]
    result = run(agent, questions, errors=args.errors)
    print(f"questions: {result['n']}  right: {result['right']:.1%}  wrong: {result['wrong']:.1%}  "
          f"tentative: {result['tentative']:.1%} ({result['tentative_gold']:.1%} with a gold link)  "
          f"escalated: {result['escalated']:.1%}  helpful: {result['helpful']:.1%}  p50: {result['p50_ms']} ms  p95: {result['p95_ms']} ms")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
