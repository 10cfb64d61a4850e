"""Topics, doc gaps and drafts of a week's handoffs, with the bundled embedding model and a real Redis."""

from __future__ import annotations

import pytest

from bot.links import permalinks
from conversations import ConversationStore
from insights.digest import build_digest
from insights.topic_ids import TopicRegistry
from knowledge.embeddings import load_embedder
from tests.insights.conftest import END, WEEK
from tests.insights.stories import two_topics


@pytest.fixture(scope="module")
def embedder():
    return load_embedder("")


def topic_of(digest, conv_ids: list[str]) -> set[str]:
    """The topics whose example threads or members include these conversations (by gap/topic lists)."""
    return {t.id for t in digest.topics if any(e.conv_id in conv_ids for e in t.examples)}


def test_license_and_download_messages_in_two_languages_land_in_two_topics(redis_client, embedder, hours):
    """Six license-activation and six download-limit messages (English, German, Spanish) make two topics,
    each counted 6, not a topic per language."""
    ids = two_topics(redis_client)
    digest = build_digest(ConversationStore(redis_client), end=END, period=WEEK, hours=hours, embedder=embedder,
                          registry=TopicRegistry(redis_client), links=lambda conv_ids: permalinks(redis_client, conv_ids))
    named = [t for t in digest.topics if not t.other]
    assert sorted(t.count for t in named) == [6, 6], [(t.name, t.count) for t in digest.topics]
    license_topic = topic_of(digest, ids["license"])
    download_topic = topic_of(digest, ids["download"])
    assert len(license_topic) == 1 and len(download_topic) == 1 and license_topic != download_topic
    assert all(t.new for t in named)
    assert all(len(t.examples) == 2 and all(e.link.startswith("https://") for e in t.examples) for t in named)


def test_a_recurring_topic_keeps_its_id_and_name_next_week(redis_client, embedder, hours):
    """The sent digest registers its topics; next week the same problems are the same topics, not new."""
    two_topics(redis_client)
    store = ConversationStore(redis_client)
    registry = TopicRegistry(redis_client)
    first = build_digest(store, end=END, period=WEEK, hours=hours, embedder=embedder, registry=registry, commit=True)
    two_topics(redis_client, week_start=END)
    second = build_digest(store, end=END + WEEK, period=WEEK, hours=hours, embedder=embedder, registry=registry, commit=True)
    before = {t.id: t.name for t in first.topics if not t.other}
    after = {t.id: t.name for t in second.topics if not t.other}
    assert after == before
    assert not any(t.new for t in second.topics)
    assert all(t.previous == 6 for t in second.topics if not t.other)


def test_doc_gaps_get_a_title_and_a_draft_from_the_team_replies(redis_client, embedder, hours):
    """Download-limit questions had nothing relevant in the docs: one gap, with a suggested title and a
    draft made of the team's cleaned replies (no greeting, sign-off or order number), naming its sources."""
    ids = two_topics(redis_client)
    digest = build_digest(ConversationStore(redis_client), end=END, period=WEEK, hours=hours, embedder=embedder,
                          registry=TopicRegistry(redis_client))
    assert len(digest.gaps) == 1
    gap = digest.gaps[0]
    assert gap.count == 6 and gap.title and gap.draft_id
    draft = digest.drafts[0]
    assert draft.id == gap.draft_id and len(draft.sources) == 6
    assert {s.conv_id for s in draft.sources} == set(ids["download"])
    text = draft.markdown
    assert text.startswith("---\ntitle: ")
    assert "Account > Orders" in text and "reset" in text
    assert "Hi there" not in text and "Thanks, Alice" not in text and "20417" not in text
    assert [(c.title, c.count) for c in digest.cited] == [("Downloads", 6)]
