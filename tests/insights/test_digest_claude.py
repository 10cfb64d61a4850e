"""With ANTHROPIC_API_KEY set, Claude names the week's new topics and writes the gap's draft; when the API
fails, the offline names and the team-reply draft stand. Claude is the local Anthropic API server."""

from __future__ import annotations

import json

import pytest

import config
from conversations import ConversationStore
from insights.digest import build_digest
from insights.topic_ids import TopicRegistry
from insights.writer import ClaudeWriter
from knowledge.embeddings import load_embedder
from tests.agent.fake_anthropic import FakeAnthropic, api_error, text_message
from tests.insights.conftest import END, WEEK
from tests.insights.stories import two_topics

ARTICLE = "# Download limit reached\n\nEach purchase can be downloaded five times.\n\n1. Open **Account > Orders**.\n2. Ask us to reset the limit."


@pytest.fixture
def claude():
    fake = FakeAnthropic()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def embedder():
    return load_embedder("")


@pytest.fixture
def writer(claude):
    settings = config.load(environ={}, dotenv=False, anthropic_api_key="sk-ant-test", anthropic_base_url=claude.base_url, anthropic_max_retries=0)
    writer = ClaudeWriter(settings)
    yield writer
    writer.close()


def names_for(body: dict):
    """Name each topic in the request after its own keywords, as a JSON array (what the prompt asks for)."""
    listing = body["messages"][0]["content"]
    lines = [line for line in listing.splitlines() if line[:1].isdigit()]
    names = ["License key rejected" if "license" in line.lower() else "Download limit reached" for line in lines]
    return text_message(json.dumps(names))


def test_claude_names_topics_and_writes_the_draft(redis_client, embedder, hours, claude, writer):
    """Two calls: the topics get Claude's names, and the gap's draft is Claude's article with the front matter
    naming the source conversations; only keywords, questions and cleaned replies are sent."""
    ids = two_topics(redis_client)
    claude.reply(names_for, text_message(ARTICLE))
    digest = build_digest(ConversationStore(redis_client), end=END, period=WEEK, hours=hours, embedder=embedder,
                          registry=TopicRegistry(redis_client), writer=writer)
    assert {t.name for t in digest.topics if not t.other} == {"License key rejected", "Download limit reached"}
    [draft] = digest.drafts
    assert draft.written_by == "Claude" and ARTICLE in draft.markdown
    assert all(conv_id in draft.markdown for conv_id in ids["download"])
    sent = json.dumps(claude.requests)
    assert "@example.com" not in sent and "20417" not in sent and "Thanks, Alice" not in sent
    assert len(claude.requests) == 2


def test_when_claude_fails_the_offline_words_stand(redis_client, embedder, hours, claude, writer):
    """The API answers 500 (no retries): the digest still has the grouping's names and the team-reply draft."""
    two_topics(redis_client)
    claude.reply(api_error(500), api_error(500))
    digest = build_digest(ConversationStore(redis_client), end=END, period=WEEK, hours=hours, embedder=embedder,
                          registry=TopicRegistry(redis_client), writer=writer)
    assert all(t.name for t in digest.topics)
    [draft] = digest.drafts
    assert draft.written_by == "team replies" and "Account > Orders" in draft.markdown
