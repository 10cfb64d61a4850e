"""Topic grouping benchmark: do escalated messages about one problem land in one topic?

    python -m bench.topics --messages bench/data/topics_dev.csv
    python -m bench.topics --messages FILE.csv --baseline none      # Baton's grouping only
    python -m bench.topics --messages FILE.csv --errors             # each group with its true labels

The CSV has columns ``text,topic``; the topic is the true label, used only to score. The texts are
grouped with exactly the digest's code (``insights.grouping.group_texts`` with its defaults and the
configured embedder), never seeing the labels; every message is in exactly one group and the "Other"
group counts as one topic. Side by side (``--baseline``, default both): plain MiniLM average-linkage
clustering of the raw texts (cosine, merging down to an average similarity of 0.5, no vocabulary),
and k-means on the same raw embeddings given the true number of topics (k-means++, best of 10).

ari: adjusted Rand index; nmi: normalised mutual information (arithmetic mean of the entropies, as
scikit-learn's default); p50_ms: median over ``--repeat`` runs of one whole grouping's wall time
divided by the number of messages (the model already loaded). Prints, as its LAST line, one JSON
object ``{"n", "topics", "ari", "nmi", "p50_ms", ...}`` with the baselines under "agglomerative" and
"kmeans", and under "identity" how ``match_previous`` keeps topics across two halves of the set
(even rows = last week, odd rows = this week; see ``identity``).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from insights.grouping import average_linkage, group_texts, match_previous
from knowledge.embeddings import load_embedder

#: The plain baseline's merge level: average cosine similarity 0.5 (cosine distance 0.5).
BASELINE_THRESHOLD = 0.5


def read_messages(path: str) -> tuple[list[str], list[str]]:
    """(texts, true topics) from a ``text,topic`` CSV; a row without either stops with its line."""
    texts, topics = [], []
    with open(path, newline="", encoding="utf-8-sig") as fh:  # a BOM is not part of the first column name
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"text", "topic"} <= set(reader.fieldnames):
            raise SystemExit(f"{path}: needs the columns text,topic (has {reader.fieldnames})")
        for row in reader:
            text, topic = (row.get("text") or "").strip(), (row.get("topic") or "").strip()
            if not text or not topic:
                raise SystemExit(f"{path}:{reader.line_num}: each row needs a text and a topic")
            texts.append(text)
            topics.append(topic)
    if not texts:
        raise SystemExit(f"{path}: no messages")
    return texts, topics


# -- Scores -------------------------------------------------------------------------------------

def _contingency(truth: list, predicted: list) -> np.ndarray:
    rows = {t: i for i, t in enumerate(sorted(set(truth), key=str))}
    cols = {p: i for i, p in enumerate(sorted(set(predicted), key=str))}
    table = np.zeros((len(rows), len(cols)), dtype=np.int64)
    for t, p in zip(truth, predicted, strict=True):
        table[rows[t], cols[p]] += 1
    return table


def adjusted_rand(truth: list, predicted: list) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985): 1 for identical partitions, ~0 for chance."""
    table = _contingency(truth, predicted)
    n = table.sum()

    def pairs(x):
        return (x * (x - 1) / 2).sum()

    index = pairs(table)
    rows, cols = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = rows * cols / (n * (n - 1) / 2) if n > 1 else 0.0
    best = (rows + cols) / 2
    if best == expected:
        return 1.0
    return float((index - expected) / (best - expected))


def normalized_mutual_info(truth: list, predicted: list) -> float:
    """Mutual information over the arithmetic mean of the two entropies (0..1)."""
    table = _contingency(truth, predicted).astype(np.float64)
    n = table.sum()
    p = table / n
    pr, pc = p.sum(axis=1), p.sum(axis=0)
    nz = p > 0
    mi = float((p[nz] * np.log(p[nz] / np.outer(pr, pc)[nz])).sum())

    def entropy(q):
        q = q[q > 0]
        return float(-(q * np.log(q)).sum())

    hr, hc = entropy(pr), entropy(pc)
    if hr == 0 and hc == 0:
        return 1.0
    return mi / ((hr + hc) / 2) if hr + hc else 0.0


def kmeans(features: np.ndarray, k: int, *, seed: int = 0, n_init: int = 10, iterations: int = 100) -> np.ndarray:
    """Lloyd's k-means with k-means++ seeding, best (lowest inertia) of ``n_init`` starts."""
    rng = np.random.default_rng(seed)
    best_labels, best_inertia = None, np.inf
    n = len(features)
    for _ in range(n_init):
        centres = [features[rng.integers(n)]]
        for _ in range(1, k):
            d2 = np.min(((features[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
            centres.append(features[rng.choice(n, p=d2 / d2.sum()) if d2.sum() > 0 else rng.integers(n)])
        centres = np.array(centres)
        labels = np.zeros(n, dtype=np.int64)
        for step in range(iterations):
            d2 = ((features[:, None, :] - centres[None]) ** 2).sum(-1)
            new = d2.argmin(axis=1)
            if step and np.array_equal(new, labels):
                break
            labels = new
            for c in range(k):
                if np.any(labels == c):
                    centres[c] = features[labels == c].mean(axis=0)
        inertia = float(((features - centres[labels]) ** 2).sum())
        if inertia < best_inertia:
            best_labels, best_inertia = labels, inertia
    return best_labels


def identity(texts: list[str], truth: list[str], embedder) -> dict:
    """Two "weeks" (even and odd rows) grouped apart; week two's groups matched to week one's by
    ``match_previous``. right: continues the group of its own majority topic; wrong: another topic's;
    missed: new although week one had its topic; new: new and week one had not."""
    weeks = [list(range(0, len(texts), 2)), list(range(1, len(texts), 2))]
    grouped = [group_texts([texts[i] for i in week], embedder) for week in weeks]

    def majority(group, week):
        return Counter(truth[week[m]] for m in group.members).most_common(1)[0][0]

    first = [majority(g, weeks[0]) for g in grouped[0]]
    previous = [(str(k), g.centroid) for k, g in enumerate(grouped[0]) if not g.other]
    counts = Counter()
    for group, match in zip(grouped[1], match_previous(grouped[1], previous), strict=True):
        if group.other:
            continue
        topic = majority(group, weeks[1])
        if match is not None:
            counts["right" if first[int(match)] == topic else "wrong"] += 1
        else:
            counts["missed" if topic in first else "new"] += 1
    return {k: counts[k] for k in ("right", "wrong", "missed", "new")}


# -- The run ------------------------------------------------------------------------------------

def _labels_of(groups, n: int) -> list[int]:
    labels = [-1] * n
    for g, group in enumerate(groups):
        for i in group.members:
            if labels[i] != -1:
                raise SystemExit(f"message {i} is in two groups")
            labels[i] = g
    if -1 in labels:
        raise SystemExit(f"message {labels.index(-1)} is in no group")
    return labels


def _scores(truth, predicted) -> dict:
    return {"topics": len(set(predicted)), "ari": round(adjusted_rand(truth, predicted), 3),
            "nmi": round(normalized_mutual_info(truth, predicted), 3)}


def run(path: str, *, embedder_spec: str = "", baseline: str = "both", repeat: int = 5,
        errors: bool = False, out=sys.stdout) -> dict:
    texts, truth = read_messages(path)
    embedder = load_embedder(embedder_spec)
    embedder.embed(["warm up"])  # the model's load is not a grouping's cost
    per_message_ms, groups = [], []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        groups = group_texts(texts, embedder)
        per_message_ms.append((time.perf_counter() - start) * 1000 / len(texts))
    predicted = _labels_of(groups, len(texts))
    result = {"n": len(texts), "true_topics": len(set(truth)), **_scores(truth, predicted),
              "p50_ms": round(statistics.median(per_message_ms), 3),
              "other": sum(len(g.members) for g in groups if g.other)}
    print(f"{len(texts)} messages, {len(set(truth))} true topics → {len(groups)} groups", file=out)
    for group in groups:
        labels = Counter(truth[i] for i in group.members)
        top = ", ".join(f"{t} {c}" for t, c in labels.most_common(4 if errors else 2))
        print(f"  {len(group.members):4d}  {group.name!r:40.40}  [{top}]", file=out)
    if errors:
        for group in groups:
            majority = Counter(truth[i] for i in group.members).most_common(1)[0][0]
            for i in group.members:
                if truth[i] != majority or group.other:
                    print(f"  in {group.name!r} ({majority}): [{truth[i]}] {texts[i]}", file=out)
    result["identity"] = identity(texts, truth, embedder)
    if baseline in ("both", "agglomerative", "kmeans"):
        plain = np.asarray(embedder.embed(texts), dtype=np.float32)
        if baseline in ("both", "agglomerative"):
            labels = average_linkage(plain, BASELINE_THRESHOLD).tolist()
            result["agglomerative"] = _scores(truth, labels)
        if baseline in ("both", "kmeans"):
            labels = kmeans(plain, len(set(truth))).tolist()
            result["kmeans"] = _scores(truth, labels)
    print(f"grouping: ARI {result['ari']}, NMI {result['nmi']}, {result['topics']} topics", file=out)
    for name in ("agglomerative", "kmeans"):
        if name in result:
            print(f"{name}: ARI {result[name]['ari']}, NMI {result[name]['nmi']}, "
                  f"{result[name]['topics']} topics", file=out)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", required=True, help="CSV with columns text,topic")
    parser.add_argument("--embedder", default="", help="embedder spec (default: the bundled MiniLM)")
    parser.add_argument("--baseline", default="both", choices=["both", "agglomerative", "kmeans", "none"])
    parser.add_argument("--repeat", type=int, default=5, help="groupings timed (p50 over them)")
    parser.add_argument("--errors", action="store_true", help="print the messages not in their majority topic")
    args = parser.parse_args(argv)
    if not Path(args.messages).is_file():
        raise SystemExit(f"{args.messages}: no such file")
    result = run(args.messages, embedder_spec=args.embedder, baseline=args.baseline, repeat=args.repeat,
                 errors=args.errors)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
