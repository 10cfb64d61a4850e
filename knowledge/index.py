"""KnowledgeBase: the LanceDB index of a store's docs, its incremental ingest and hybrid search.

One table, ``chunks``: a row per chunk with its document key, content hash, title, heading path,
URL, audience, text, the text the full-text index sees and the embedding. A second, one-row table
``meta`` records which embedder and chunking built the index and the last ingest's summary.

Search runs LanceDB's native full-text (BM25) index and its vector search and fuses the two
candidate lists by score (cosine plus a saturated BM25 bonus; measured ahead of reciprocal-rank
fusion, which stays available as ``mode="rrf"`` through LanceDB's hybrid query and
``RRFReranker``). At most ``max_chunks_per_doc`` chunks of one document are returned, so the
list is not five paragraphs of one article. Each hit gets a calibrated relevance
(knowledge.relevance).

Processes: the object is cheap to create and connects lazily, so it can be built in the web
process, an RQ SimpleWorker or a CLI command; ``search`` may be called from many threads at once.
Writers (``ingest``) are serialised by a lock file (knowledge.lock).
"""

from __future__ import annotations

import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lancedb
import numpy as np
import pyarrow as pa
from lancedb.index import FTS
from lancedb.query import MatchQuery
from lancedb.rerankers import RRFReranker

from knowledge import defaults
from knowledge.chunking import SEPARATOR, chunk_markdown
from knowledge.documents import Document, Unreadable, find_files, load, read_bytes
from knowledge.documents import file_hash as _file_hash
from knowledge.embeddings import default_embedder
from knowledge.errors import DocsNotFound, IndexMismatch, KnowledgeError
from knowledge.lock import writer_lock
from knowledge.relevance import Calibration, content_terms, coverage
from knowledge.types import Hit, IngestReport

#: Bumped when parsing or chunking changes what a document becomes: the next ingest rebuilds.
PIPELINE_VERSION = 2
MODES = ("hybrid", "rrf", "bm25", "vector")

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def _searchable(text: str) -> str:
    """Chunk text as the models see it: links reduced to their words, no Markdown marks."""
    return re.sub(r"[*_`#>|]+", " ", _LINK.sub(r"\1", text))


def _phrase(text: str) -> str:
    """Lower-case words joined by single spaces, for word-for-word matching ("" when under 3 words)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return " ".join(words) if len(words) >= 3 else ""


def _sql(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """Threads for the full-text leg of searches (LanceDB releases the GIL while it searches)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="knowledge-search")
        return _POOL


def _exists(db, name: str) -> bool:
    return name in db.list_tables().tables


def audience_filter(audience: str | None) -> str | None:
    """SQL filter: chunks for this audience, plus chunks for everyone (no audience given)."""
    if not audience:
        return None
    a = audience.strip().lower()
    like = a.replace("%", "").replace("_", "")
    return (f"(audience = '' OR audience = {_sql(a)} OR audience LIKE {_sql(like + ',%')} "
            f"OR audience LIKE {_sql('%,' + like)} OR audience LIKE {_sql('%,' + like + ',%')})")


class KnowledgeBase:
    """A store's docs, chunked and indexed in ``index_dir`` (a folder or an object-store URI)."""

    def __init__(self, index_dir: str, embedder=None, *, chunk_chars: int = defaults.CHUNK_CHARS,
                 overlap_chars: int = defaults.CHUNK_OVERLAP_CHARS, candidates: int = defaults.CANDIDATES,
                 rrf_k: int = defaults.RRF_K, max_chunks_per_doc: int = defaults.MAX_CHUNKS_PER_DOC,
                 lock_timeout: float = defaults.LOCK_TIMEOUT):
        self.index_dir = str(index_dir)
        self.embedder = embedder if embedder is not None else default_embedder()
        self.chunk_chars = chunk_chars
        self.overlap_chars = overlap_chars
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.max_chunks_per_doc = max_chunks_per_doc
        self.lock_timeout = lock_timeout
        self.calibration: Calibration = getattr(self.embedder, "calibration", None) or Calibration(
            **defaults.MINILM_CALIBRATION)
        self._lock = threading.Lock()
        self._db = None
        self._table = None
        self._meta: dict | None = None

    def __repr__(self) -> str:
        return f"KnowledgeBase({self.index_dir!r}, embedder={self.embedder.name!r})"

    # -- storage -------------------------------------------------------------------------------

    def _connect(self):
        with self._lock:
            if self._db is None:
                if "://" not in self.index_dir:
                    Path(self.index_dir).mkdir(parents=True, exist_ok=True)
                # Another process (the ingest worker) may write the index: look for a newer
                # version at most this often.
                self._db = lancedb.connect(self.index_dir, read_consistency_interval=timedelta(seconds=1))
            return self._db

    def _open(self):
        """The chunks table, or None when nothing was ever ingested."""
        if self._table is not None:
            return self._table
        db = self._connect()
        with self._lock:
            if self._table is None and _exists(db, defaults.TABLE):
                self._table = db.open_table(defaults.TABLE)
            return self._table

    def _schema(self) -> pa.Schema:
        return pa.schema([
            ("chunk_id", pa.string()),
            ("doc_key", pa.string()),
            ("doc_hash", pa.string()),
            ("slug", pa.string()),
            ("title", pa.string()),
            ("section", pa.string()),
            ("url", pa.string()),
            ("audience", pa.string()),
            ("position", pa.int32()),
            ("text", pa.string()),
            ("search_text", pa.string()),
            ("vector", pa.list_(pa.float32(), self.embedder.dim)),
        ])

    def _signature(self) -> dict:
        return {"embedder": self.embedder.name, "dim": self.embedder.dim, "pipeline": PIPELINE_VERSION,
                "chunk_chars": self.chunk_chars, "overlap_chars": self.overlap_chars}

    def _read_meta(self) -> dict:
        db = self._connect()
        if not _exists(db, "meta"):
            return {}
        rows = db.open_table("meta").to_arrow().to_pylist()
        return json.loads(rows[0]["json"]) if rows else {}

    def _write_meta(self, meta: dict) -> None:
        data = pa.table({"json": [json.dumps(meta)]})
        self._connect().create_table("meta", data=data, mode="overwrite")
        self._meta = meta

    def _meta_cached(self) -> dict:
        if self._meta is None:
            self._meta = self._read_meta()
        return self._meta

    # -- ingest --------------------------------------------------------------------------------

    def ingest(self, path: str, *, base_url: str = "", progress: bool = False) -> IngestReport:
        """Bring the index in line with ``path`` (a folder, recursively, or one file).

        Unchanged files (same content hash) are skipped, changed ones replace their chunks,
        and, for a folder, documents whose file is gone are removed. Unreadable files are
        skipped with a reason in ``report.skipped`` (an unreadable file that was indexed before
        keeps its previous version). One writer at a time: a second ingest waits for the first.
        """
        started = time.perf_counter()
        root = Path(path).expanduser()
        if not root.exists():
            raise DocsNotFound(str(path))
        report = IngestReport()
        with writer_lock(self.index_dir, self.lock_timeout):
            table = self._open()
            meta = self._read_meta() if table is not None else {}
            signature = self._signature()
            existing: dict[str, str] = {}
            if table is not None and meta.get("signature") != signature:
                # Built by another embedder or chunking: vectors are not comparable, start over.
                self._connect().drop_table(defaults.TABLE)
                with self._lock:
                    self._table = table = None
                report.rebuilt = True
            if table is not None:
                keys = table.search().select(["doc_key", "doc_hash"]).limit(None).to_arrow()
                existing = dict(zip(keys["doc_key"].to_pylist(), keys["doc_hash"].to_pylist(), strict=True))

            files = find_files(root)
            report.files = len(files)
            seen: set[str] = set()
            changed: list[Document] = []
            for file_path, key in files:
                seen.add(key)
                kind = None if root.is_dir() else defaults.SUFFIXES.get(file_path.suffix.lower(), "text")
                try:
                    raw = read_bytes(file_path)
                    if existing.get(key) == _file_hash(raw, base_url):
                        report.unchanged += 1
                        continue
                    doc = load(file_path, key, base_url=base_url, kind=kind, raw=raw)
                except Unreadable as exc:
                    reason = str(exc)
                    if key in existing:
                        reason += " (its previously indexed version stays)"
                    report.skipped.append((str(file_path), reason))
                    continue
                changed.append(doc)
                if key in existing:
                    report.updated += 1
                else:
                    report.added += 1

            removed = sorted(set(existing) - seen) if root.is_dir() else []
            report.removed = len(removed)
            rows = self._rows(changed, progress=progress)
            table = self._write(table, rows, [d.key for d in changed if d.key in existing], removed)

            report.chunks = table.count_rows() if table is not None else 0
            report.docs = len((set(existing) - set(removed)) | {d.key for d in changed})
            report.seconds = round(time.perf_counter() - started, 2)
            now = datetime.now(UTC).timestamp()
            history = dict(meta.get("changes") or {})
            for key in removed:
                history.pop(key, None)
            for doc in changed:
                before = history.get(doc.key) or {}
                if before.get("hash") == doc.content_hash:
                    continue  # same content re-indexed (a rebuild for a new embedder): not a change
                history[doc.key] = {"hash": doc.content_hash, "at": now, "title": doc.title, "url": doc.url,
                                    "added": doc.key not in existing and not before}
            self._write_meta({
                "signature": signature,
                "changes": history,
                "last_ingest": {"at": datetime.now(UTC).isoformat(timespec="seconds"), "path": str(root),
                                "files": report.files, "added": report.added, "updated": report.updated,
                                "removed": report.removed, "unchanged": report.unchanged,
                                "skipped": len(report.skipped), "seconds": report.seconds},
            })
        return report

    def _rows(self, docs: list[Document], *, progress: bool) -> list[dict]:
        pending = []
        for doc in docs:
            for position, chunk in enumerate(chunk_markdown(doc.body, doc.title, chunk_chars=self.chunk_chars,
                                                            overlap_chars=self.overlap_chars, anchors=doc.anchors)):
                url = doc.url + ("#" + chunk.anchor if chunk.anchor and doc.url and "#" not in doc.url else "")
                heading = f"{doc.title}{SEPARATOR}{chunk.section}" if chunk.section else doc.title
                body = _searchable(chunk.text)
                pending.append(({
                    "chunk_id": f"{doc.key.rsplit('.', 1)[0]}#{position}",
                    "doc_key": doc.key, "doc_hash": doc.content_hash, "slug": doc.slug, "title": doc.title,
                    "section": chunk.section, "url": url, "audience": doc.audience, "position": position,
                    "text": chunk.text, "search_text": f"{heading}\n{body}",
                }, f"{heading}\n{body}"))
        if not pending:
            return []
        vectors = self._embed([text for _, text in pending], progress=progress)
        rows = []
        for (row, _), vector in zip(pending, vectors, strict=True):
            row["vector"] = vector
            rows.append(row)
        return rows

    def _embed(self, texts: list[str], *, progress: bool) -> np.ndarray:
        step = 64
        bar = None
        if progress and len(texts) > step:
            from tqdm import tqdm

            bar = tqdm(total=len(texts), unit="chunk", desc="Embedding", leave=False)
        parts = []
        for start in range(0, len(texts), step):
            parts.append(self.embedder.embed(texts[start:start + step]))
            if bar is not None:
                bar.update(min(step, len(texts) - start))
        if bar is not None:
            bar.close()
        vectors = np.vstack(parts).astype(np.float32, copy=False)
        if vectors.shape != (len(texts), self.embedder.dim):
            raise KnowledgeError(f"The embedder {self.embedder.name!r} returned vectors of shape {vectors.shape}, "
                                 f"expected ({len(texts)}, {self.embedder.dim}).")
        return vectors

    def _write(self, table, rows: list[dict], replaced: list[str], removed: list[str]):
        db = self._connect()
        data = pa.Table.from_pylist(rows, schema=self._schema()) if rows else None
        if table is None:
            table = db.create_table(defaults.TABLE, data=data, schema=self._schema(), mode="overwrite")
        elif data is not None:
            merge = (table.merge_insert("chunk_id").when_matched_update_all().when_not_matched_insert_all())
            if replaced:  # a changed document that lost chunks: drop the ones it no longer has
                merge = merge.when_not_matched_by_source_delete(
                    "doc_key IN (" + ", ".join(_sql(k) for k in replaced) + ")")
            merge.execute(data)
        if removed:
            table.delete("doc_key IN (" + ", ".join(_sql(k) for k in removed) + ")")
        if rows or removed or not self._has_fts(table):
            if table.count_rows() and not self._has_fts(table):
                table.create_index("search_text", config=FTS(with_position=False), replace=True)
            elif rows or removed:
                # Index the new rows into the full-text index and compact; old versions that a
                # reader in another process may still hold are kept for a while.
                table.optimize(cleanup_older_than=timedelta(hours=1))
        with self._lock:
            self._table = table
        return table

    @staticmethod
    def _has_fts(table) -> bool:
        return any(i.index_type == "FTS" for i in table.list_indices())

    # -- search --------------------------------------------------------------------------------

    def search(self, query: str, k: int = 5, audience: str | None = None, *, mode: str = "hybrid") -> list[Hit]:
        """The ``k`` passages that best answer ``query``, best first, each with a calibrated relevance.

        ``audience`` keeps chunks for that audience plus chunks for everyone. ``mode`` picks the
        retrieval: ``hybrid`` (default: full-text + vector, fused by score), ``rrf`` (the same two
        lists fused by LanceDB's hybrid query with reciprocal-rank fusion), ``bm25`` or ``vector``.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        query = (query or "").strip()
        table = self._open()
        if not query or table is None or k <= 0:
            return []
        built_with = self._meta_cached().get("signature", {}).get("embedder")
        if built_with and built_with != self.embedder.name:
            raise IndexMismatch(built_with, self.embedder.name)
        if not self._has_fts_cached(table):
            return []
        where = audience_filter(audience)
        limit = max(self.candidates, k * 3)
        text_query = MatchQuery(query, "search_text")
        qv = None

        def run(builder):
            if where:
                builder = builder.where(where, prefilter=True)
            return builder.limit(limit).to_arrow()

        def rows_of(found) -> list[dict]:
            if not found.num_rows:
                return []
            # Cosine of every candidate at once; the vectors never become Python lists.
            vectors = found["vector"].combine_chunks().flatten().to_numpy(zero_copy_only=False)
            cosines = vectors.reshape(found.num_rows, -1) @ qv
            rows = found.drop_columns(["vector"]).to_pylist()
            for row, cosine in zip(rows, cosines, strict=True):
                row["_cosine"] = float(cosine)
            return rows

        def vector_leg():
            return rows_of(run(table.search(qv, query_type="vector", vector_column_name="vector").distance_type("cosine")))

        # The full-text leg needs no vector: it runs while the question is embedded.
        text_future = _pool().submit(run, table.search(text_query, query_type="fts")) if mode in ("hybrid", "bm25") else None
        embed_query = getattr(self.embedder, "embed_query", self.embedder.embed)
        qv = np.asarray(embed_query([query])[0], dtype=np.float32)

        def text_leg():
            return rows_of(text_future.result())

        if mode == "rrf":
            rows = rows_of(run(table.search(query_type="hybrid", vector_column_name="vector", fts_columns="search_text")
                               .vector(qv).text(text_query).distance_type("cosine").rerank(RRFReranker(K=self.rrf_k))))
            scored = [(float(row["_relevance_score"]), row) for row in rows]
        elif mode == "bm25":
            scored = [(float(row["_score"]), row) for row in text_leg()]
        elif mode == "vector":
            scored = [(row["_cosine"], row) for row in vector_leg()]
        else:
            scored = self._fuse(qv, query, vector_leg(), text_leg())
        return self._hits(scored, qv, query, k)

    def _fuse(self, qv: np.ndarray, query: str, vector_rows: list[dict], text_rows: list[dict]) -> list[tuple[float, dict]]:
        """Score fusion: cosine + weight × bm25 / (bm25 + saturation), over the union of both lists.

        Measured ahead of reciprocal-rank fusion on the Gumroad help center (docs/knowledge.md): RRF
        gives the keyword list as much say as the vector list, and on questions in a shopper's own
        words the keyword list is much weaker. The saturation keeps one rare word from dominating.
        """
        phrase = _phrase(query)
        candidates: dict[str, dict] = {}
        bm25: dict[str, float] = {}
        for row in text_rows:
            candidates[row["chunk_id"]] = row
            bm25[row["chunk_id"]] = float(row["_score"] or 0.0)
        for row in vector_rows:
            candidates.setdefault(row["chunk_id"], row)
        scored = []
        for chunk_id, row in candidates.items():
            b = bm25.get(chunk_id, 0.0)
            fused = row["_cosine"] + defaults.BM25_WEIGHT * b / (b + defaults.BM25_SATURATION)
            if phrase and phrase in _phrase(row["search_text"]):
                fused += defaults.PHRASE_BONUS  # the question is asked word for word in the docs (an FAQ)
            scored.append((fused, row))
        scored.sort(key=lambda pair: pair[0], reverse=True)
        return scored

    def _has_fts_cached(self, table) -> bool:
        if getattr(self, "_fts_ready", False):
            return True
        self._fts_ready = self._has_fts(table)
        return self._fts_ready

    def _hits(self, scored: list[tuple[float, dict]], qv: np.ndarray, query: str, k: int) -> list[Hit]:
        query_terms = content_terms(query)
        per_doc: dict[str, int] = {}
        hits = []
        for score, row in scored:
            if self.max_chunks_per_doc and per_doc.get(row["doc_key"], 0) >= self.max_chunks_per_doc:
                continue
            per_doc[row["doc_key"]] = per_doc.get(row["doc_key"], 0) + 1
            cosine = row["_cosine"]
            lexical = coverage(query_terms, content_terms(row["search_text"]))
            hits.append(Hit(chunk_id=row["chunk_id"], slug=row["slug"], title=row["title"], section=row["section"],
                            url=row["url"], text=row["text"], score=round(score, 6),
                            relevance=round(self.calibration.relevance(cosine, lexical), 4),
                            audience=row["audience"], cosine=round(cosine, 4), coverage=round(lexical, 4)))
            if len(hits) == k:
                break
        return hits

    # -- state ---------------------------------------------------------------------------------

    def doc_changes(self, since: float = 0.0) -> list[dict]:
        """Docs whose content changed (or that were added) at an ingest since ``since`` (Unix time),
        oldest first: [{key, title, url, at, added, hash}]. Insights measures the fix impact from these."""
        history = (self._read_meta() if self._open() is not None else {}).get("changes") or {}
        out = [{"key": key, **record} for key, record in history.items() if float(record.get("at") or 0) >= since]
        return sorted(out, key=lambda c: (c["at"], c["key"]))

    def is_empty(self) -> bool:
        table = self._open()
        return table is None or table.count_rows() == 0

    def stats(self) -> dict:
        """What is in the index: documents, chunks, embedder, chunking and the last ingest."""
        table = self._open()
        meta = self._read_meta() if table is not None else {}
        self._meta = meta or self._meta
        docs = chunks = 0
        if table is not None:
            chunks = table.count_rows()
            keys = table.search().select(["doc_key"]).limit(None).to_arrow()["doc_key"]
            docs = len(set(keys.to_pylist()))
        signature = meta.get("signature", {})
        return {
            "index_dir": self.index_dir,
            "docs": docs,
            "chunks": chunks,
            "embedder": signature.get("embedder", self.embedder.name),
            "dim": signature.get("dim", self.embedder.dim),
            "chunk_chars": signature.get("chunk_chars", self.chunk_chars),
            "overlap_chars": signature.get("overlap_chars", self.overlap_chars),
            "last_ingest": meta.get("last_ingest"),
        }
