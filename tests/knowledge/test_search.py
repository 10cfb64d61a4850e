"""Search: hybrid ranking, audience filter, citations, a relevance the agent can trust, threads."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from knowledge import IndexMismatch, KnowledgeBase
from knowledge.defaults import RELEVANCE_THRESHOLD
from knowledge.embeddings import HashEmbedder, MiniLMEmbedder, default_embedder


def test_a_shopper_only_sees_passages_meant_for_shoppers(kb, docs_dir):
    """With audience='customer', creator-only docs never come back; docs for everyone still do."""
    kb.ingest(str(docs_dir))
    everyone = {h.slug for h in kb.search("when are creators paid, every Friday?", k=10)}
    assert "getting-paid" in everyone
    shopper = kb.search("when are creators paid, every Friday?", k=10, audience="customer")
    assert shopper and {h.slug for h in shopper} <= {"refunds", "downloads", "license-keys", "gift-cards"}
    assert {h.audience for h in shopper} <= {"customer", ""}
    creator = {h.slug for h in kb.search("paid every Friday", k=10, audience="creator")}
    assert "getting-paid" in creator and "refunds" not in creator


def test_hits_cite_title_and_section_and_come_best_first(kb, docs_dir):
    """A hit says where it comes from ("Refunds › Fonts") and the list is ordered by score."""
    kb.ingest(str(docs_dir))
    hits = kb.search("can I get a refund for a font license after installing it?", k=5)
    assert hits[0].citation_title == "Refunds › Fonts"
    assert hits[0].url == "https://help.pixelpress.test/refunds"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.chunk_id for h in hits}) == len(hits)


@pytest.mark.parametrize("mode", ["hybrid", "rrf", "bm25", "vector"])
def test_every_search_mode_finds_an_exact_question(kb, docs_dir, mode):
    """Keyword, vector, RRF and the default fusion all find a passage worded like the question."""
    kb.ingest(str(docs_dir))
    assert kb.search("license key rejected spaces case sensitive", k=3, mode=mode)[0].slug == "license-keys"


def test_at_most_two_chunks_of_one_doc_make_room_for_other_docs(tmp_path, docs_dir):
    """Five hits are not five paragraphs of one article when other articles also match."""
    (docs_dir / "long.md").write_text("# Long\n\n" + "\n\n".join(
        f"## Part {n}\n\nRefunds for part {n} are handled by the team." for n in range(8)))
    kb = KnowledgeBase(str(tmp_path / "index"), HashEmbedder(), chunk_chars=60)
    kb.ingest(str(docs_dir))
    slugs = [h.slug for h in kb.search("refunds", k=5)]
    assert slugs.count("long") == 2 and len(slugs) == 5


def test_an_empty_or_missing_index_answers_nothing(kb):
    """Before any ingest, search returns no hits and the knowledge base says it is empty."""
    assert kb.is_empty()
    assert kb.search("refund") == []
    assert kb.search("   ") == []
    assert kb.stats()["chunks"] == 0


def test_an_index_built_with_another_embedder_is_refused_with_the_fix(tmp_path, docs_dir):
    """Searching vectors made by another model raises IndexMismatch telling to re-ingest."""
    KnowledgeBase(str(tmp_path / "index"), HashEmbedder(dim=64)).ingest(str(docs_dir))
    with pytest.raises(IndexMismatch, match="re-ingest the docs"):
        KnowledgeBase(str(tmp_path / "index"), HashEmbedder(dim=128)).search("refund")


def test_search_is_safe_from_many_threads_at_once(kb, docs_dir):
    """Forty concurrent searches from eight threads all return the same answers as one at a time."""
    kb.ingest(str(docs_dir))
    questions = ["refund a font", "license key rejected", "large downloads on mobile", "gift cards expire",
                 "paid every Friday"]
    expected = {q: [h.chunk_id for h in kb.search(q)] for q in questions}
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda q: (q, [h.chunk_id for h in kb.search(q)]), questions * 8))
    assert all(ids == expected[q] for q, ids in results)


def test_a_second_process_view_sees_a_new_ingest(tmp_path, docs_dir):
    """A knowledge base opened before an ingest (the worker) finds the new docs after it (the CLI)."""
    index = str(tmp_path / "index")
    reader = KnowledgeBase(index, HashEmbedder())
    KnowledgeBase(index, HashEmbedder()).ingest(str(docs_dir / "refunds.md"))
    assert reader.search("refund templates", k=1)[0].slug == "refunds"
    KnowledgeBase(index, HashEmbedder()).ingest(str(docs_dir / "gift-cards.txt"))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and reader.search("gift cards expire", k=1)[0].slug != "gift-cards":
        time.sleep(0.2)
    assert reader.search("gift cards expire", k=1)[0].slug == "gift-cards"


# -- the real model ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minilm_kb(tmp_path_factory):
    """The demo-like docs indexed once with the real offline MiniLM model."""
    from tests.knowledge.conftest import DOCS, write_docs

    root = tmp_path_factory.mktemp("minilm")
    kb = KnowledgeBase(str(root / "index"))
    kb.ingest(str(write_docs(root / "docs", DOCS)))
    return kb


def test_relevance_tells_answerable_questions_from_off_topic_ones(minilm_kb):
    """Questions the docs answer score above the threshold on their best hit; off-topic ones below."""
    answerable = ["can I get my money back for a template?", "my activation code is not accepted",
                  "the download stops on my phone", "do gift vouchers run out?"]
    off_topic = ["what's the weather in Lisbon tomorrow?", "give me a recipe for banana bread",
                 "who won the world cup in 2014?"]
    for question in answerable:
        best = minilm_kb.search(question, k=1)[0]
        assert best.relevance >= RELEVANCE_THRESHOLD, (question, best)
    for question in off_topic:
        best = minilm_kb.search(question, k=1)[0]
        assert best.relevance < RELEVANCE_THRESHOLD, (question, best)


def test_paraphrased_questions_find_the_right_doc_with_the_real_model(minilm_kb):
    """Words the docs never use ('money back', 'activation code') still find the answering doc."""
    assert minilm_kb.search("can I get my money back for a template?", k=1)[0].citation_title == "Refunds › Templates"
    assert minilm_kb.search("my activation code is not accepted", k=1)[0].slug == "license-keys"


def test_the_default_embedder_is_loaded_once_and_normalised():
    """default_embedder() is cached per process; vectors are unit length and deterministic."""
    assert default_embedder() is default_embedder()
    vectors = MiniLMEmbedder().embed(["refund", "refund", "a much longer sentence about license keys"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[0], vectors[1])
    assert MiniLMEmbedder().embed([]).shape == (0, 384)
