"""The knowledge package's exceptions. Messages are meant for people: they say what to do.

::

    KnowledgeError
    ├── DocsNotFound        the path given to ingest does not exist
    ├── IndexBusy           another ingest holds the writer lock
    ├── IndexMismatch       the index was built with another embedder
    └── EmbedderError       the embedding model cannot be loaded or run

Files that cannot be ingested (binary, empty, broken front matter, not UTF-8) are not
errors: ingest skips them and lists them in ``IngestReport.skipped`` with a reason.
"""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base class for every error raised by ``knowledge``."""


class DocsNotFound(KnowledgeError):
    """The docs path given to ingest does not exist."""

    def __init__(self, path: str):
        self.path = path
        super().__init__(
            f"No docs at {path!r}: give a folder of Markdown/HTML/text files or a single file "
            "(BATON_DOCS_DIR sets the default folder)."
        )


class IndexBusy(KnowledgeError):
    """Another process is writing the index (one writer at a time)."""

    def __init__(self, index_dir: str, waited: float):
        super().__init__(
            f"Another ingest is writing the index in {index_dir!r} (waited {waited:.0f} s). "
            "Wait for it to finish, then run the ingest again."
        )


class IndexMismatch(KnowledgeError):
    """The index was built with a different embedder than the one searching it."""

    def __init__(self, built_with: str, searching_with: str):
        super().__init__(
            f"The index was built with the embedder {built_with!r} but is searched with "
            f"{searching_with!r}: re-ingest the docs (`flask --app webhook kb ingest PATH`)."
        )


class EmbedderError(KnowledgeError):
    """The embedding model cannot be loaded or run."""
