"""bench.topics: its scores and its output contract."""

from __future__ import annotations

import csv
import json

import pytest

from bench.topics import adjusted_rand, main, normalized_mutual_info


def test_scores_match_their_textbook_values():
    """ARI and NMI give the published values: 1 for the same partition under other names, 0.571/0.8 for a split."""
    assert adjusted_rand([0, 0, 1, 1], ["b", "b", "a", "a"]) == pytest.approx(1.0)
    assert normalized_mutual_info([0, 0, 1, 1], ["b", "b", "a", "a"]) == pytest.approx(1.0)
    assert adjusted_rand([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(0.5714285714)
    assert normalized_mutual_info([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(0.8)
    assert adjusted_rand([0, 0, 0, 0], [0, 1, 2, 3]) == pytest.approx(0.0)


def test_the_bench_prints_one_json_object_as_its_last_line(tmp_path, capsys):
    """A labelled CSV in, the figures out: n, topics, ari, nmi, p50_ms and both baselines."""
    path = tmp_path / "messages.csv"
    rows = [("Download limit reached for my font", "limit"), ("I reached the download limit", "limit"),
            ("Download-Limit erreicht", "limit"), ("I want a refund", "refund"),
            ("Please refund my order", "refund"), ("Quiero un reembolso", "refund")]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "topic"])
        writer.writerows(rows)
    main(["--messages", str(path), "--embedder", "hash", "--repeat", "1"])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["n"] == 6 and result["true_topics"] == 2
    assert {"topics", "ari", "nmi", "p50_ms", "identity", "agglomerative", "kmeans"} <= set(result)
    assert result["kmeans"]["topics"] == 2


def test_a_csv_without_the_columns_stops_with_a_clear_message(tmp_path):
    """A file lacking text,topic is refused naming what it needs, not with a traceback."""
    path = tmp_path / "bad.csv"
    path.write_text("message,label\nhello,x\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="needs the columns text,topic"):
        main(["--messages", str(path), "--embedder", "hash"])
