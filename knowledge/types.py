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
