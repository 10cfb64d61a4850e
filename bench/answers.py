"""How often does the offline answerer answer from the right article? Right / wrong / escalated, latency.

    python -m bench.answers --docs ../shared/eval/gumroad-help-center/articles \\
        --questions ../shared/eval/gumroad-help-center/qa_pairs_extracted.jsonl
    python -m bench.answers --docs ../shared/eval/gumroad-help-center/articles \\
        --questions bench/data/paraphrased_questions.jsonl

Each question (JSON lines with ``question`` and ``gold_slug`` or ``gold_slugs``) is asked as the first
message of a fresh conversation to the agent's offline brain, without the rules engine (this measures
the answerer, not the handoff policy; bench/escalation.py measures that). A turn counts as

* right     — answered, citing a gold article,
* wrong     — answered, citing another article (the harmful case: a confident answer from the wrong doc),
* escalated — the agent said it was not sure and handed over (or declined).

Latency is the whole ``Agent.respond`` call (search + extraction), after one warm-up question.
The docs are ingested into a cached index under ``data/bench/`` (re-runs only re-embed what changed).
Prints a summary, the misses with --errors, and as its LAST line one JSON object:
{"right", "wrong", "escalated", "n", "p50_ms", "p95_ms"} (shares between 0 and 1).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUMROAD = ROOT.parent / "shared" / "eval" / "gumroad-help-center"


def load_questions(path: str) -> list[dict]:
    rows = []
    for n, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        row = json.loads(raw)
        gold = row.get("gold_slugs") or ([row["gold_slug"]] if row.get("gold_slug") else [])
        if not row.get("question") or not gold:
            raise SystemExit(f"{path}:{n}: each line needs 'question' and 'gold_slug' or 'gold_slugs'")
        rows.append({"question": row["question"], "gold": set(gold)})
    return rows


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


def run(agent, questions: list[dict], *, errors: bool = False) -> dict:
    ask(agent, "How do I download my purchase?")  # warm-up: model session, table handles
    right = wrong = escalated = 0
    times = []
    for q in questions:
        reply, ms = ask(agent, q["question"])
        times.append(ms)
        cited = reply.meta.get("doc") if reply.sources and reply.escalation is None else None
        if cited and cited in q["gold"]:
            right += 1
        elif cited:
            wrong += 1
            if errors:
                print(f"WRONG  {q['question']!r}: cited {cited} (relevance {reply.meta.get('relevance')}), gold {sorted(q['gold'])}")
        else:
            escalated += 1
            if errors:
                print(f"ESCAL. {q['question']!r}: best {reply.meta.get('doc')} (relevance {reply.meta.get('relevance')}), "
                      f"gold {sorted(q['gold'])}, outcome {reply.meta.get('outcome')}")
    n = len(questions)
    return {
        "right": round(right / n, 4) if n else 0.0,
        "wrong": round(wrong / n, 4) if n else 0.0,
        "escalated": round(escalated / n, 4) if n else 0.0,
        "n": n,
        "p50_ms": round(statistics.median(times), 1) if times else 0.0,
        "p95_ms": round(percentile(times, 0.95), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", default=str(GUMROAD / "articles"), help="folder of docs to ingest")
    parser.add_argument("--questions", default=str(GUMROAD / "qa_pairs_extracted.jsonl"), help="JSON lines file")
    parser.add_argument("--index", default=None, help="index folder (default: a cache under data/bench/)")
    parser.add_argument("--embedder", default="", help='"" (MiniLM, the default), "hash", or "module:factory"')
    parser.add_argument("--errors", action="store_true", help="print every wrong or escalated question")
    args = parser.parse_args(argv)

    questions = load_questions(args.questions)
    agent = build(args.docs, args.index, args.embedder)
    result = run(agent, questions, errors=args.errors)
    print(f"questions: {result['n']}  right: {result['right']:.1%}  wrong: {result['wrong']:.1%}  "
          f"escalated: {result['escalated']:.1%}  p50: {result['p50_ms']} ms  p95: {result['p95_ms']} ms")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
