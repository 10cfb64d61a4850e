"""Re-index the docs from the web process: ``queue("ingest").enqueue(jobs.ingest.reindex, path)``.

Runs on the ``ingest`` queue. Idempotent: a re-run finds the files unchanged and changes nothing.
Two ingests never write at once (knowledge's writer lock makes a second one wait).
"""

from __future__ import annotations

import logging
from dataclasses import asdict

import config
from knowledge import KnowledgeBase
from knowledge.embeddings import load_embedder

log = logging.getLogger(__name__)


def reindex(path: str = "") -> dict:
    """Ingest ``path`` (default: BATON_DOCS_DIR) into the index; returns the ingest report as a dict."""
    settings = config.load()
    kb = KnowledgeBase(settings.index_dir, load_embedder(settings.embedder))
    report = kb.ingest(path or settings.docs_dir, base_url=settings.docs_base_url)
    log.info("reindex %s: %s", path or settings.docs_dir, report.summary())
    for skipped, reason in report.skipped:
        log.warning("reindex skipped %s: %s", skipped, reason)
    return asdict(report)
