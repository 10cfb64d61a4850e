"""Every default of the knowledge package, with its unit. Figures come from bench/retrieval.py
runs on the Gumroad help center (docs/knowledge.md has the tables), not from guesses."""

from __future__ import annotations

# -- Chunking ---------------------------------------------------------------------------------
#: Target chunk size, in characters of body text (a chunk closes before it would pass this,
#: always at a sentence, list item or block boundary). Measured: see docs/knowledge.md.
CHUNK_CHARS = 700
#: Characters of the previous chunk's last sentences repeated at the start of the next chunk
#: of the same section, so an answer split across a boundary is still found whole.
CHUNK_OVERLAP_CHARS = 0
#: A section shorter than this (characters) is merged into the next sibling chunk of the same
#: parent, so a heading with one line does not become a chunk that says almost nothing.
MIN_CHUNK_CHARS = 0

# -- Embeddings --------------------------------------------------------------------------------
#: Word pieces per text fed to the model (sentence-transformers' max_seq_length for MiniLM).
EMBED_MAX_TOKENS = 256
#: Texts per onnxruntime call while ingesting (measured: 16–32 is the fastest on 2 cores).
EMBED_BATCH_SIZE = 32
#: Up to this many texts per call run on a single thread (queries, intent checks); more use all cores.
EMBED_SMALL_BATCH = 4

# -- Search ------------------------------------------------------------------------------------
#: Candidates fetched from each of the full-text and vector legs before fusion.
CANDIDATES = 30
#: Score fusion: fused = cosine + BM25_WEIGHT * bm25 / (bm25 + BM25_SATURATION). Cosine is in
#: -1..1, the BM25 bonus in 0..BM25_WEIGHT; the saturation (a BM25 score) halves the bonus.
BM25_WEIGHT = 0.1
BM25_SATURATION = 5.0
#: Added to a chunk that contains the whole question word for word (three words or more): the
#: shopper asked an FAQ's own question.
PHRASE_BONUS = 0.1
#: Reciprocal-rank-fusion constant for ``mode="rrf"`` (Cormack et al. 2009 use 60).
RRF_K = 60
#: At most this many chunks of one document in a result list (0 = no cap), so five hits are not
#: five paragraphs of the same article when another article also answers.
MAX_CHUNKS_PER_DOC = 2

# -- Relevance ---------------------------------------------------------------------------------
#: ``Hit.relevance`` at or above this: the docs very likely answer the question. Below it on the
#: best hit: hand the conversation to a human rather than guess.
RELEVANCE_THRESHOLD = 0.5
#: Logistic calibration of relevance for each built-in embedder (knowledge.relevance.Calibration
#: fields), fitted by ``python -m bench.retrieval --calibrate``.
MINILM_CALIBRATION = {"bias": -9.076, "cosine_weight": 20.256, "coverage_weight": 5.504}
HASH_CALIBRATION = {"bias": -6.0, "cosine_weight": 8.0, "coverage_weight": 6.0}

# -- Ingest ------------------------------------------------------------------------------------
#: File suffixes ingested when walking a folder (a single file is tried whatever its suffix).
SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".mdx": "markdown", ".html": "html",
            ".htm": "html", ".txt": "text", ".text": "text", ".rst": "text"}
#: Files bigger than this (bytes) are skipped: a help article is never 5 MB.
MAX_FILE_BYTES = 5_000_000
#: Seconds an ingest waits for another ingest holding the writer lock before giving up.
LOCK_TIMEOUT = 600.0
#: Ingests of more files than this show a progress bar when ``progress=True``.
PROGRESS_MIN_FILES = 20
#: The LanceDB table holding the chunks.
TABLE = "chunks"

#: Small English stop-word list shared by relevance and the hash embedder (the full-text index
#: has its own, inside LanceDB).
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves im ive dont cant wont
    didnt doesnt isnt get got want need like please hi hello thanks thank""".split()
)
