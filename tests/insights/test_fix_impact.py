"""Fix impact: a doc added during the week, and the handoff rate of the topic it answers before and after."""

from __future__ import annotations

import pytest

from bench import history as h
from conversations import ConversationStore
from insights.digest import build_digest
from insights.impact import DocChange
from insights.topic_ids import TopicRegistry
from knowledge import KnowledgeBase
from knowledge.embeddings import load_embedder
from tests.insights.conftest import END, WEEK
from tests.insights.stories import two_topics

DOWNLOAD_DOC = ("Download limit reached\nEach purchase can be downloaded five times. When the download limit is reached, "
                "open Account > Orders and ask us to reset the download limit.")


@pytest.fixture(scope="module")
def embedder():
    return load_embedder("")


def test_a_new_doc_shows_its_topics_handoff_rate_before_and_after(redis_client, embedder, hours):
    """A download-limit doc added on Monday: its topic went from 6 handoffs in 12 conversations in the 14 days
    before (50 per 100) to 6 in 24 after (25 per 100), and the digest says how many days each side covers."""
    two_topics(redis_client, week_start=END - 2 * WEEK)
    two_topics(redis_client, week_start=END - WEEK)
    for i in range(12):  # this week, twelve more conversations the AI answered
        t = END - WEEK + 3 * 86400 + i * 600
        h.write(redis_client, created_at=t, entries=[h.msg("customer", "Which formats do you include?", t), h.msg("ai", "OTF and WOFF2.", t + 2), h.close(t + 60)])
    change = DocChange("download-limit.md", "Download limit reached", "https://docs.example/download-limit", END - WEEK, True, DOWNLOAD_DOC)
    digest = build_digest(ConversationStore(redis_client), end=END, period=WEEK, hours=hours, embedder=embedder,
                          registry=TopicRegistry(redis_client), doc_changes=[change])
    [impact] = digest.impacts
    download = next(t for t in digest.topics if any("download" in k for k in t.keywords))
    assert impact.topics == [download.name]
    assert impact.before == pytest.approx(50.0) and impact.after == pytest.approx(25.0)
    assert impact.before_days == pytest.approx(14) and impact.after_days == pytest.approx(7)


def test_ingest_records_when_each_doc_changed(tmp_path):
    """Adding a doc records its change time; re-indexing it unchanged keeps that time; editing it records a new one."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "limits.md").write_text("# Download limits\n\nFive downloads per purchase.\n")
    kb = KnowledgeBase(str(tmp_path / "index"), load_embedder("hash"))
    kb.ingest(str(docs))
    [first] = kb.doc_changes()
    assert first["key"] == "limits.md" and first["added"] and first["title"] == "Download limits"
    kb.ingest(str(docs))
    assert kb.doc_changes() == [first]
    (docs / "limits.md").write_text("# Download limits\n\nTen downloads per purchase.\n")
    kb.ingest(str(docs))
    [second] = kb.doc_changes()
    assert second["at"] >= first["at"] and second["hash"] != first["hash"] and not second["added"]
    assert kb.doc_changes(since=second["at"] + 1) == []
