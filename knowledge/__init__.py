"""Knowledge: a store's docs → chunks → embeddings → LanceDB, and hybrid search over them.

Owns ingest (Markdown, HTML, text; incremental by content hash), heading-aware chunking,
embeddings (offline ONNX MiniLM by default, pluggable), hybrid full-text + vector search with a
calibrated relevance, and the CLI-facing functions. May import: lancedb, onnxruntime, tokenizers,
PyYAML, BeautifulSoup/markdownify, numpy, tqdm. Never Flask, Slack, Redis or the agent.

    from knowledge import KnowledgeBase
    kb = KnowledgeBase(settings.index_dir)
    kb.ingest("demo/docs")
    hits = kb.search("my license key does not work", k=5, audience="customer")
"""

from knowledge.errors import DocsNotFound, EmbedderError, IndexBusy, IndexMismatch, KnowledgeError
from knowledge.index import KnowledgeBase
from knowledge.types import Hit, IngestReport

__all__ = ["KnowledgeBase", "Hit", "IngestReport", "KnowledgeError", "DocsNotFound", "IndexBusy",
           "IndexMismatch", "EmbedderError"]
