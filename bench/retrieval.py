"""Retrieval benchmark: does the knowledge base find the article that answers a question?

    python -m bench.retrieval --docs DIR --questions FILE.jsonl [--k 5] [--offtopic FILE.jsonl]

Each question line is ``{"question": ..., "gold_slugs": [...]}`` (or ``"gold_slug": "..."``); a slug
is a doc file's name without extension. The docs are ingested once into a fresh index, then every
question is asked in three configurations: keyword only (``bm25``, LanceDB's full-text index),
``vector`` only, and Baton's ``default`` (hybrid, score fusion), plus ``rrf`` (the same two lists
fused by reciprocal rank, for comparison). Prints a table and, as its last line, one JSON object
whose top-level figures are the default's, with the others under "bm25", "vector" and "rrf".

recall@k: share of questions with a gold doc among the first k hits; mrr: mean of 1/rank of the
first gold hit within the first 10 (0 when none); p50/p95_ms: wall time of one ``search`` call,
query embedding included. With ``--offtopic`` (default: bench/data/offtopic_questions.jsonl) it
also reports how well ``Hit.relevance`` separates the questions from off-topic ones, on the best
hit, at ``knowledge.defaults.RELEVANCE_THRESHOLD``; ``--calibrate`` fits a new calibration instead.
Other options sweep chunk sizes (``--sweep-chunks 400,700,1000``) and pick the embedder.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench import read_questions
from knowledge import KnowledgeBase, defaults
from knowledge.embeddings import load_embedder
from knowledge.relevance import Calibration, fit

HERE = Path(__file__).resolve().parent
MODES = {"bm25": "bm25", "vector": "vector", "rrf": "rrf", "default": "hybrid"}
MRR_DEPTH = 10


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def evaluate(kb: KnowledgeBase, questions: list[dict], mode: str, k: int, *, audience: bool = False) -> dict:
    """recall@1, recall@k, MRR@10 and latency of one configuration (``audience``: filter by the
    question's own audience, as the shopper widget does)."""
    for warm in questions[:3]:
        kb.search(warm["question"], k=MRR_DEPTH, mode=mode)
    hits1 = hitsk = 0
    reciprocal = []
    times = []
    misses = []
    for q in questions:
        started = time.perf_counter()
        hits = kb.search(q["question"], k=max(k, MRR_DEPTH), mode=mode, audience=q["audience"] if audience else None)
        times.append((time.perf_counter() - started) * 1000)
        slugs = [h.slug for h in hits]
        rank = next((n for n, s in enumerate(slugs, 1) if s in q["gold"]), None)
        hits1 += rank == 1
        hitsk += rank is not None and rank <= k
        reciprocal.append(1 / rank if rank else 0.0)
        if rank is None or rank > k:
            misses.append((q["question"], slugs[:3]))
    n = max(1, len(questions))
    return {"recall@1": round(hits1 / n, 4), f"recall@{k}": round(hitsk / n, 4),
            "mrr": round(statistics.fmean(reciprocal) if reciprocal else 0.0, 4),
            "p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2),
            "_misses": misses}


def relevance_separation(kb: KnowledgeBase, answerable: list[dict], offtopic: list[dict]) -> dict:
    """How well the best hit's relevance tells answerable questions from off-topic ones."""
    threshold = defaults.RELEVANCE_THRESHOLD

    def best(question: str) -> float:
        hits = kb.search(question, k=1)
        return hits[0].relevance if hits else 0.0

    pos = [best(q["question"]) for q in answerable]
    neg = [best(q["question"]) for q in offtopic]
    # AUC: chance that a random answerable question outranks a random off-topic one.
    auc = statistics.fmean([1.0 if p > n_ else 0.5 if p == n_ else 0.0 for p in pos for n_ in neg]) if pos and neg else 0.0
    tpr = sum(p >= threshold for p in pos) / max(1, len(pos))
    fpr = sum(n_ >= threshold for n_ in neg) / max(1, len(neg))
    return {"threshold": threshold, "auc": round(auc, 4), "answerable_above": round(tpr, 4),
            "offtopic_above": round(fpr, 4), "answerable_median": round(percentile(pos, 50), 4),
            "offtopic_median": round(percentile(neg, 50), 4), "offtopic_max": round(max(neg, default=0.0), 4),
            "answerable": len(pos), "offtopic": len(neg)}


def calibrate(kb: KnowledgeBase, answerable: list[dict], offtopic: list[dict]) -> Calibration:
    """Fit relevance on each question's best hit: 1 for a question the docs answer, 0 for off-topic.

    The label is the question's, not the hit's: relevance answers "do the docs cover this?", the
    handoff decision, even when the best hit is a neighbouring article of the right one.
    """
    features, labels = [], []
    for label, questions in ((1, answerable), (0, offtopic)):
        for q in questions:
            hits = kb.search(q["question"], k=1)
            if hits:
                features.append((hits[0].cosine, hits[0].coverage))
                labels.append(label)
    return fit(np.array(features), np.array(labels))


def build(docs: str, index_dir: str, embedder, chunk_chars: int, overlap_chars: int) -> tuple[KnowledgeBase, float]:
    kb = KnowledgeBase(index_dir, embedder, chunk_chars=chunk_chars, overlap_chars=overlap_chars)
    started = time.perf_counter()
    report = kb.ingest(docs)
    seconds = time.perf_counter() - started
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    return kb, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.retrieval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", required=True, help="folder of docs to ingest")
    parser.add_argument("--questions", required=True, help="JSONL: question + gold_slugs (or gold_slug)")
    parser.add_argument("--k", type=int, default=5, help="recall@k cut-off (default 5)")
    parser.add_argument("--offtopic", default=str(HERE / "data" / "offtopic_questions.jsonl"),
                        help="JSONL of questions the docs do not answer, for the relevance check ('' to skip)")
    parser.add_argument("--calibrate", action="store_true",
                        help="fit the relevance calibration on these questions and the even lines of --offtopic")
    parser.add_argument("--embedder", default="", help="'minilm' (default), 'hash' or 'module:factory'")
    parser.add_argument("--chunk-chars", type=int, default=defaults.CHUNK_CHARS)
    parser.add_argument("--overlap-chars", type=int, default=defaults.CHUNK_OVERLAP_CHARS)
    parser.add_argument("--sweep-chunks", default="", help="comma-separated chunk sizes to compare first, e.g. 400,700,1000")
    parser.add_argument("--index-dir", default="", help="where to build the index (default: a temporary folder)")
    parser.add_argument("--show-misses", action="store_true", help="list the default's misses")
    args = parser.parse_args(argv)

    if not Path(args.docs).is_dir():
        parser.error(f"--docs {args.docs!r} is not a folder")
    questions = read_questions(args.questions)
    offtopic = read_questions(args.offtopic, need_gold=False) if args.offtopic else []
    embedder = load_embedder(args.embedder)
    k = args.k

    with tempfile.TemporaryDirectory(prefix="baton-bench-") as tmp:
        if args.sweep_chunks:
            print(f"{'chunk_chars':>11} {'chunks':>7} {'tokens_p50':>10} {'tokens_p95':>10} {'recall@1':>9} "
                  f"{f'recall@{k}':>9} {'mrr':>6} {'ingest_s':>9}")
            for size in [int(s) for s in args.sweep_chunks.split(",") if s.strip()]:
                kb, seconds = build(args.docs, f"{tmp}/sweep-{size}", embedder, size, args.overlap_chars)
                rows = kb._open().search().select(["search_text"]).limit(None).to_arrow()["search_text"].to_pylist()
                tokens = embedder.count_tokens(rows) if hasattr(embedder, "count_tokens") else [len(r) // 4 for r in rows]
                result = evaluate(kb, questions, "hybrid", k)
                print(f"{size:>11} {len(rows):>7} {percentile(tokens, 50):>10.0f} {percentile(tokens, 95):>10.0f} "
                      f"{result['recall@1']:>9.3f} {result[f'recall@{k}']:>9.3f} {result['mrr']:>6.3f} {seconds:>9.1f}")
            print()

        index_dir = args.index_dir or f"{tmp}/index"
        kb, ingest_s = build(args.docs, index_dir, embedder, args.chunk_chars, args.overlap_chars)
        stats = kb.stats()

        if args.calibrate:
            calibration = calibrate(kb, questions, offtopic[0::2])
            print(f"calibration for {embedder.name}: {calibration}")
            kb.calibration = calibration

        results = {name: evaluate(kb, questions, mode, k) for name, mode in MODES.items()}
        if any(q["audience"] for q in questions):
            # Not one of the three headline configurations: the default again, told who is asking.
            results["default+audience"] = evaluate(kb, questions, "hybrid", k, audience=True)
        print(f"{len(questions)} questions, {stats['docs']} docs, {stats['chunks']} chunks, "
              f"embedder {stats['embedder']}, ingest {ingest_s:.1f} s")
        print(f"{'config':<16} {'recall@1':>9} {f'recall@{k}':>9} {'mrr':>6} {'p50_ms':>7} {'p95_ms':>7}")
        for name, r in results.items():
            print(f"{name:<16} {r['recall@1']:>9.3f} {r[f'recall@{k}']:>9.3f} {r['mrr']:>6.3f} "
                  f"{r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f}")
        if args.show_misses:
            for question, slugs in results["default"]["_misses"]:
                print(f"  miss: {question!r} → {slugs}")

        separation = None
        if offtopic:
            held_out = offtopic[1::2] if args.calibrate else offtopic
            separation = relevance_separation(kb, questions, held_out)
            print(f"relevance ≥ {separation['threshold']} on the best hit: {separation['answerable_above']:.0%} of "
                  f"these questions, {separation['offtopic_above']:.0%} of {separation['offtopic']} off-topic ones "
                  f"(AUC {separation['auc']:.3f}; medians {separation['answerable_median']:.2f} vs "
                  f"{separation['offtopic_median']:.2f})")

        def figures(r: dict) -> dict:
            return {key: value for key, value in r.items() if not key.startswith("_")}

        summary = {**figures(results["default"]), "docs": stats["docs"], "chunks": stats["chunks"],
                   "ingest_s": round(ingest_s, 2), "questions": len(questions), "embedder": stats["embedder"],
                   "chunk_chars": args.chunk_chars, "bm25": figures(results["bm25"]),
                   "vector": figures(results["vector"]), "rrf": figures(results["rrf"])}
        if "default+audience" in results:
            summary["default+audience"] = figures(results["default+audience"])
        if separation:
            summary["relevance"] = separation
        print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
