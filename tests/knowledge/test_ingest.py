"""Ingest: a docs folder or one file into real LanceDB; incremental; bad files skipped, not fatal."""

from __future__ import annotations

import threading
import time

import pytest

from knowledge import DocsNotFound, IndexBusy, KnowledgeBase
from knowledge.embeddings import HashEmbedder
from knowledge.lock import writer_lock


def chunk_texts(kb: KnowledgeBase, slug: str) -> list[str]:
    rows = kb._open().search().where(f"slug = '{slug}'").limit(None).to_arrow().to_pylist()
    return [r["text"] for r in sorted(rows, key=lambda r: r["position"])]


def test_a_docs_folder_is_ingested_recursively_with_a_summary(kb, docs_dir):
    """Every Markdown, HTML and text file, in subfolders too, becomes searchable; the report adds up."""
    report = kb.ingest(str(docs_dir))
    assert (report.files, report.added, report.updated, report.removed, report.unchanged) == (5, 5, 0, 0, 0)
    assert report.docs == 5 and report.chunks == kb.stats()["chunks"] >= 5
    assert report.skipped == []
    assert "5 files → 5 docs" in report.summary()
    assert {h.slug for h in kb.search("paid every Friday to PayPal", k=1)} == {"getting-paid"}
    assert not kb.is_empty()


def test_reingesting_unchanged_docs_touches_nothing(kb, docs_dir):
    """A second ingest of the same folder skips every file by its content hash."""
    kb.ingest(str(docs_dir))
    version = kb._open().version
    report = kb.ingest(str(docs_dir))
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 5)
    assert kb._open().version == version  # not even a new table version


def test_a_changed_doc_replaces_its_chunks_and_only_its_chunks(kb, docs_dir):
    """Editing one file re-indexes that file: old text is gone, new text is found, others untouched."""
    kb.ingest(str(docs_dir))
    before = chunk_texts(kb, "license-keys")
    (docs_dir / "refunds.md").write_text("---\ntitle: Refunds\n---\n\nRefunds are possible within 60 days of purchase.\n")
    report = kb.ingest(str(docs_dir))
    assert (report.added, report.updated, report.unchanged) == (0, 1, 4)
    assert chunk_texts(kb, "refunds") == ["Refunds are possible within 60 days of purchase."]
    assert chunk_texts(kb, "license-keys") == before
    assert kb.search("refund within 60 days", k=1)[0].text.startswith("Refunds are possible within 60 days")


def test_a_deleted_doc_disappears_from_the_index(kb, docs_dir):
    """A file removed from the folder is removed from the index on the next ingest."""
    kb.ingest(str(docs_dir))
    (docs_dir / "gift-cards.txt").unlink()
    report = kb.ingest(str(docs_dir))
    assert (report.removed, report.unchanged, report.docs) == (1, 4, 4)
    assert chunk_texts(kb, "gift-cards") == []
    assert all(h.slug != "gift-cards" for h in kb.search("gift cards never expire", k=10))


def test_a_single_file_can_be_ingested_on_its_own(kb, docs_dir):
    """Ingesting one file adds that document and removes nothing else."""
    kb.ingest(str(docs_dir / "license-keys.md"))
    kb.ingest(str(docs_dir / "gift-cards.txt"))
    assert kb.stats()["docs"] == 2
    hit = kb.search("license key rejected", k=1)[0]
    assert (hit.title, hit.section) == ("License keys", "Troubleshooting")


def test_bad_files_are_skipped_with_one_clear_reason_each_and_the_rest_ingested(kb, docs_dir):
    """Binary, empty, non-UTF-8, broken front matter and unsupported files are skipped, not fatal."""
    (docs_dir / "logo.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (docs_dir / "empty.md").write_text("  \n")
    (docs_dir / "latin1.md").write_bytes("Café prices in € are shown at checkout.".encode("cp1252"))
    (docs_dir / "broken.md").write_text("---\ntitle: [unclosed\n---\n\nBody.\n")
    (docs_dir / "unclosed.md").write_text("---\ntitle: Never closed\n\nBody.\n")
    (docs_dir / "brochure.pdf").write_bytes(b"%PDF-1.7 ...")
    report = kb.ingest(str(docs_dir))
    reasons = {path.rsplit("/", 1)[-1]: reason for path, reason in report.skipped}
    assert reasons == {
        "logo.md": "binary file, not text: only Markdown, HTML and plain text are ingested",
        "empty.md": "empty file",
        "latin1.md": "not UTF-8 (line 1): save it as UTF-8",
        "broken.md": reasons["broken.md"],
        "unclosed.md": "broken front matter: the opening --- has no closing ---",
        "brochure.pdf": reasons["brochure.pdf"],
    }
    assert reasons["broken.md"].startswith("broken front matter at line 3: expected ',' or ']'")
    assert reasons["brochure.pdf"].startswith("not a docs file (.pdf)")
    assert report.added == 5 and report.docs == 5


def test_a_doc_that_breaks_keeps_its_previous_version(kb, docs_dir):
    """A file that was fine and now has broken front matter stays searchable as it was, and says so."""
    kb.ingest(str(docs_dir))
    (docs_dir / "refunds.md").write_text("---\ntitle: : :\n  bad: [\n---\nNew text.\n")
    report = kb.ingest(str(docs_dir))
    assert report.skipped[0][1].endswith("(its previously indexed version stays)")
    assert report.removed == 0
    assert chunk_texts(kb, "refunds")


def test_a_missing_path_is_a_clear_error(kb, tmp_path):
    """Ingesting a path that does not exist raises DocsNotFound naming the path and the fix."""
    with pytest.raises(DocsNotFound, match="No docs at .*nowhere.*BATON_DOCS_DIR"):
        kb.ingest(str(tmp_path / "nowhere"))


def test_urls_come_from_front_matter_or_the_base_url(kb, docs_dir):
    """A doc's link is its front matter url, else base URL + path; HTML heading ids become anchors."""
    kb.ingest(str(docs_dir), base_url="https://docs.pixelpress.test/")
    urls = {h.slug: h.url for h in kb.search("refund fonts license keys paid downloads large files gift", k=20)}
    assert urls["refunds"] == "https://help.pixelpress.test/refunds"
    assert urls["getting-paid"] == "https://docs.pixelpress.test/payouts/getting-paid"
    large = kb.search("files over 2 GB on mobile", k=1)[0]
    assert (large.citation_title, large.url) == ("Downloads › Large files", "https://docs.pixelpress.test/downloads#large-files")
    assert "Home | Shop" not in large.text and "©" not in large.text  # navigation and footer are not content


def test_changing_the_base_url_reindexes_the_links(kb, docs_dir):
    """The base URL is part of a doc's identity: a new one rewrites the links of docs without a url."""
    kb.ingest(str(docs_dir), base_url="https://old.test")
    report = kb.ingest(str(docs_dir), base_url="https://new.test")
    assert report.updated == 5
    assert kb.search("gift cards never expire", k=1)[0].url == "https://new.test/gift-cards"


def test_switching_embedder_rebuilds_the_whole_index(tmp_path, docs_dir):
    """An index built with one embedder is rebuilt, not mixed, when ingested with another."""
    KnowledgeBase(str(tmp_path / "index"), HashEmbedder(dim=64)).ingest(str(docs_dir))
    other = KnowledgeBase(str(tmp_path / "index"), HashEmbedder(dim=128))
    report = other.ingest(str(docs_dir))
    assert report.rebuilt and report.added == 5
    assert other.stats()["embedder"] == "hash-128"
    assert other.search("license key", k=1)


def test_only_one_ingest_writes_at_a_time(tmp_path, docs_dir):
    """While another process holds the writer lock, an ingest waits, then gives up with IndexBusy."""
    index = str(tmp_path / "index")
    kb = KnowledgeBase(index, HashEmbedder(), lock_timeout=0.3)
    with writer_lock(index, timeout=1):
        started = time.monotonic()
        with pytest.raises(IndexBusy, match="Another ingest is writing the index"):
            kb.ingest(str(docs_dir))
        assert time.monotonic() - started >= 0.3
    assert kb.ingest(str(docs_dir)).added == 5  # free again once the holder is done


def test_concurrent_ingests_run_one_after_the_other(tmp_path, docs_dir):
    """Two ingests started together both succeed; the second finds everything unchanged."""
    index = str(tmp_path / "index")
    reports = []
    threads = [threading.Thread(target=lambda: reports.append(KnowledgeBase(index, HashEmbedder()).ingest(str(docs_dir))))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted((r.added, r.unchanged) for r in reports) == [(0, 5), (5, 0)]
