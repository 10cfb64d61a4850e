"""Plain data passed between knowledge/ and its callers (agent/, insights/, the CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hit:
    """One retrieved passage.

    ``score`` is the fused ranking score (only comparable within one query).
    ``relevance`` is calibrated to 0..1 across queries: at or above
    ``knowledge.defaults.RELEVANCE_THRESHOLD`` the docs very likely answer the
    question; the agent uses it for handoff decisions.
    """

    chunk_id: str
    slug: str  # the doc file's name without extension
    title: str  # the doc's title
    section: str  # heading path inside the doc, "Setup › Windows" ("" for the intro)
    url: str  # link to the doc section ("" when unknown)
    text: str  # the chunk's text (Markdown-ish plain text)
    score: float
    relevance: float
    audience: str = ""
    cosine: float = 0.0  # the embedder's similarity of question and chunk (a relevance input)
    coverage: float = 0.0  # share of the question's content words found in the chunk (the other)

    @property
    def citation_title(self) -> str:
        """"Doc title › Section", as shown next to an answer."""
        return f"{self.title} › {self.section}" if self.section else self.title


@dataclass
class IngestReport:
    files: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    seconds: float = 0.0
    docs: int = 0  # documents in the index after the ingest
    rebuilt: bool = False  # the embedder or chunking changed, so everything was re-indexed

    def summary(self) -> str:
        """One line for people: "122 files → 122 docs, 927 chunks: 3 added, … in 21.4 s"."""
        line = (f"{self.files} files → {self.docs} docs, {self.chunks} chunks: {self.added} added, "
                f"{self.updated} updated, {self.removed} removed, {self.unchanged} unchanged, "
                f"{len(self.skipped)} skipped, in {self.seconds:.1f} s")
        return line + (" (index rebuilt: embedder or chunking changed)" if self.rebuilt else "")
