"""Escalated shoppers' messages → recurring topics, offline (the embedder plus a topic vocabulary).

How a batch is grouped (docs/insights.md, "Topics", has the figures):

1. **Translate cue words.** Each message is normalised (lower case, accents folded) and the words of
   ``insights/data/topics.toml`` are replaced by their concept's English name ("Lizenzschlüssel
   ungültig" → "license key invalid", "ダウンロード上限" → "download limit"), German/Dutch compounds
   split into known parts. MiniLM is English-centric; after this a message in any of the rules'
   languages lands with its topic, not in a language bucket.
2. **Features.** The translated text goes through the embedder (the bundled MiniLM by default); the
   concepts found form a second, IDF-weighted bag-of-concepts block. The two blocks are concatenated
   with weights, so cosine similarity is ``(1 - w) · cos(embeddings) + w · cos(concepts)``.
3. **Average-linkage clustering** on that cosine, merging while the average similarity between two
   clusters is at least ``threshold``. Identical texts are clustered once, with their count as weight.
   Beyond ``max_cluster`` distinct texts, a sample is clustered, the rest are assigned to the nearest
   cluster centroid, and what fits none is clustered again (a few rounds): cost grows linearly with
   the number of messages (embedding + assignment), the quadratic part is capped.
4. **Other.** Clusters smaller than ``min_size`` join the catch-all "Other" group (it counts as a topic).
5. **Names** come from the group's own words: the 1–3-word phrase that covers most of its members
   and few of the others' (c-TF-IDF), taken from a member's own text.

``match_previous`` keeps a topic's identity from one digest to the next by the cosine of the groups'
centroids (unit vectors in the embedder's space) against the previous topics' centroids.
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

VOCABULARY_FILE = Path(__file__).resolve().parent / "data" / "topics.toml"

#: Average cosine similarity (of the combined features) at which two clusters still merge.
THRESHOLD = 0.45
#: Weight of the bag-of-concepts block in the combined cosine (the embedding has ``1 - w``).
CONCEPT_WEIGHT = 0.3
#: Clusters with fewer messages than this go to the "Other" group (at least 2).
MIN_SIZE = 3
#: A message of a too-small cluster joins the nearest topic when its cosine to the topic's centre is at
#: least this (1.0 = never: every small cluster goes to "Other").
ATTACH = 0.25
#: Distinct texts clustered pairwise at most (memory and time are quadratic in this, ~16 MB at 2000).
MAX_CLUSTER = 2000
#: Distinct texts embedded at most; past this, the others join a topic by their concepts alone.
MAX_EMBED = 2000
#: Cosine similarity of centroids at which a group continues a previous topic.
MATCH_THRESHOLD = 0.7
OTHER_NAME = "Other"
#: A topic's name grows by a word while the longer phrase covers at least this share of the members
#: the shorter one covers.
EXTEND_SHARE = 0.5
#: A group is named from at most this many of its (most frequent) distinct messages.
NAME_SAMPLE = 50


@dataclass(frozen=True)
class Group:
    members: list[int]  # indices into the input texts; every text is in exactly one group
    name: str  # offline name from its own words, e.g. "download limit reached"
    keywords: list[str]
    centroid: np.ndarray  # unit vector in the embedder's space: keeps a topic's identity across digests
    other: bool = False  # True for the catch-all "Other" group (it counts as a topic)


# -- Normalisation and the topic vocabulary ---------------------------------------------------

# English negative contractions, with or without the apostrophe: can't/cant, won't, don't/dont, ...
_NEGATIVE = re.compile(r"\b(ca|wo|do|does|did|is|are|was|were|has|have|had|could|would|should|must)n[’'`´]?t\b")
_NEGATIVE_STEM = {"ca": "can", "wo": "will"}
_CLITIC = re.compile(r"[’'`´](s|re|ve|m|ll|d)\b")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_NON_LATIN = re.compile(r"[^\x00-\u024f]")


def _latin_fold_table() -> dict[int, str]:
    table = {}
    for code in range(0x250):
        ch = chr(code)
        stripped = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if stripped != ch:
            table[code] = stripped
    table[ord("ß")] = "ss"
    # Arabic: one alef, one yeh, no short-vowel marks (shoppers write them either way).
    table.update({ord(c): "ا" for c in "أإآٱ"})
    table[ord("ى")] = "ي"
    table.update({code: None for code in range(0x064B, 0x0653)})
    table[0x0640] = None  # tatweel
    return table


_LATIN_FOLD = _latin_fold_table()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def fold(text: str) -> str:
    """Lower case, accents removed from Latin letters (other scripts kept), English contractions
    expanded, other apostrophes and punctuation → spaces ("l'activation" → "l activation")."""
    text = unicodedata.normalize("NFKC", text) if _NON_ASCII.search(text) else text
    folded = _NEGATIVE.sub(_expand_negative, text.lower().translate(_LATIN_FOLD))
    return " ".join(_PUNCTUATION.sub(" ", _CLITIC.sub("", folded)).split())


def _expand_negative(match: re.Match) -> str:
    stem = match.group(1)
    return f"{_NEGATIVE_STEM.get(stem, stem)} not"


_PUNCTUATION = re.compile(r"[^\w]+")


def _pattern_tokens(phrase: str) -> tuple[str, ...]:
    """A phrase's words, folded like the text, keeping "word*" (prefix) and "*word" (suffix) marks."""
    tokens: list[str] = []
    for raw in phrase.split():
        parts = fold(raw.strip("*")).split()
        if not parts:
            continue
        if raw.startswith("*"):
            parts[0] = "*" + parts[0]
        if raw.endswith("*"):
            parts[-1] += "*"
        tokens.extend(parts)
    return tuple(tokens)


def _is_latin(phrase: str) -> bool:
    return not _NON_LATIN.search(phrase)


class Vocabulary:
    """The concept words of ``topics.toml``: translates a message's cue words to English concepts."""

    def __init__(self, path: Path | str = VOCABULARY_FILE):
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        self.minor = frozenset(data.get("minor", []))
        self.objects = frozenset(data.get("objects", []))
        self.object_weight = float(data.get("object_weight", 1.0))
        self.concepts = list(data["concepts"])
        self.stop_words = frozenset(data.get("stop_words", [])) | _STOP_WORDS
        self._exact: dict[str, list] = {}  # first word → [(pattern tokens, concept)]
        self._prefix: dict[str, list] = {}  # first word's stem → [...]
        self._suffix: list = []  # (ending, pattern tokens, concept)
        self._scripts: list[tuple[str, str]] = []  # (phrase in a non-Latin script, concept)
        for concept, phrases in data["concepts"].items():
            for phrase in phrases:
                if not _is_latin(phrase):
                    self._scripts.append((fold(phrase), concept))
                    continue
                tokens = _pattern_tokens(phrase)
                if not tokens:
                    continue
                first = tokens[0]
                if first.endswith("*"):
                    self._prefix.setdefault(first[:-1], []).append((tokens, concept))
                elif first.startswith("*"):
                    self._suffix.append((first[1:], tokens, concept))
                else:
                    self._exact.setdefault(first, []).append((tokens, concept))
        self._scripts.sort(key=lambda pc: -len(pc[0]))

    @staticmethod
    def _token_matches(pattern: str, word: str) -> bool:
        if pattern.endswith("*"):
            return word.startswith(pattern[:-1])
        if pattern.startswith("*"):
            return word.endswith(pattern[1:])
        return word == pattern

    @lru_cache(maxsize=65536)  # noqa: B019 - one Vocabulary per process (see vocabulary()), words repeat
    def _candidates(self, word: str) -> tuple:
        """Every (pattern tokens, concept) whose first pattern word matches ``word``."""
        found = list(self._exact.get(word, ()))
        for end in range(len(word), 1, -1):
            found.extend(self._prefix.get(word[:end], ()))
        found.extend((tokens, concept) for ending, tokens, concept in self._suffix if word.endswith(ending))
        return tuple(found)

    @lru_cache(maxsize=65536)  # noqa: B019 - one Vocabulary per process (see vocabulary()), words repeat
    def word_concept(self, word: str) -> str | None:
        """The concept of a single word (one-word phrases only), or None."""
        for tokens, concept in self._candidates(word):
            if len(tokens) == 1:
                return concept
        return None

    @lru_cache(maxsize=65536)  # noqa: B019
    def _compound(self, word: str) -> tuple[str, ...] | None:
        """A German/Dutch compound made of two known words ("lizenzschlussel" → license, key)."""
        if len(word) < 8 or not word.isalpha():
            return None
        for split in range(3, len(word) - 3):
            left, right = word[:split], word[split:]
            right_concept = self.word_concept(right)
            if right_concept is None and right.startswith("s"):  # German linking s: aktivierungs|limit
                right_concept = self.word_concept(right[1:])
            left_concept = self.word_concept(left) if right_concept else None
            if left_concept and right_concept and left_concept != right_concept:
                return left_concept, right_concept
        return None

    def translate(self, text: str) -> tuple[str, list[str]]:
        """(the folded text with cue words replaced by their concepts, the concepts found in order)."""
        folded = fold(text)
        concepts: list[str] = []
        rest = folded
        for phrase, concept in self._scripts if _NON_LATIN.search(folded) else ():
            if phrase in rest:
                concepts.append(concept)
                rest = rest.replace(phrase, " ")
        words = _LATIN_WORD.findall(rest)
        out: list[str] = []
        i = 0
        while i < len(words):
            best: tuple[int, str] | None = None
            for tokens, concept in self._candidates(words[i]):
                n = len(tokens)
                if (best is None or n > best[0]) and i + n <= len(words) and all(
                        self._token_matches(p, w) for p, w in zip(tokens[1:], words[i + 1:i + n], strict=False)):
                    best = (n, concept)
            parts = self._compound(words[i]) if best is None or best[0] == 1 else None
            if parts:
                out.extend(parts)
                concepts.extend(parts)
                i += 1
            elif best:
                out.append(best[1])
                concepts.append(best[1])
                i += best[0]
            else:
                out.append(words[i])
                i += 1
        # Words of other scripts stay (MiniLM knows a little of them); their concepts go up front.
        scripts = " ".join(_NON_LATIN_RUN.findall(rest))
        translated = " ".join([c for c in dict.fromkeys(concepts) if c not in out] + out + ([scripts] if scripts else []))
        return translated, concepts


_NON_LATIN_RUN = re.compile(r"[^\x00-\u024f\s]+")
_CLAUSE_BREAK = re.compile(r"[.!?;:,()\[\]\"“”«»¿¡。、！？،]+(?:\s|$)|[!?;()\[\]\"“”«»¿¡。、！？،]")

# Words never used alone as a topic's name (their concepts still count). Short, multilingual.
_STOP_WORDS_EN = """
a an the and or but if of to in on at for from by with without about into over after before again still
i me my mine we us our you your yours he she it its they them their this that these those there here
is am are was were be been being have has had do does did will would can could should may might must
not no yes so too very just only also even any some all more most much many other such own same than
then now please thanks thank hi hello hey dear regards hope help need want get got tried try trying
what which who whom why how when where anyone someone something anything one two three ok okay
"""
_STOP_WORDS = frozenset(_STOP_WORDS_EN.split()) | frozenset("""
der die das den dem des ein eine einen einem einer und oder aber mit von zu im am ist bin sind war
ich mich mir mein meine meinen wir uns unser sie es er ihr nicht kein keine bitte danke hallo noch
schon habe hat haben kann konnen wie was warum wo auf fur aus bei nach seit
el la los las un una unos unas y o pero con de del en al es soy son fue yo me mi mis nos su sus
que por para como cuando donde hola gracias favor ya aun todavia he ha
le les une et ou mais avec du au aux est suis sont je moi mon ma mes nous vous votre vos il elle
ne pas que qui pour par sur dans comme quand bonjour merci deja encore ai
o os um uma e ou mas com do da dos das no na nos nas eu meu minha voce seu sua obrigado ola
il lo gli uno ed con di da nel nella io mio mia sono ho ciao grazie ancora gia
de het een en of maar met van te in op is ben zijn ik mij mijn wij ons u uw hallo bedankt nog al
i w z na do nie jest sa mam moj moja dzien dobry dziekuje juz
sich auch nur wird wurde dass wenn mehr se lo nos muy porque sin sobre este esta eso esto tengo puedo
nao ao aos pelo pela isso estou tenho posso che si ad alla alle della per ti ci questo questa voglio vorrei
ce cette ces ca leur tres peux veux niet dat deze dit wil kan graag geen mnie czy jak dla ale moge chce
prosze ve bir bu icin ile ben benim degil
""".split())


_ENGLISH_FUNCTION_WORDS = frozenset(_STOP_WORDS_EN.split())
_OTHER_FUNCTION_WORDS = frozenset(w for w in _STOP_WORDS if w not in _ENGLISH_FUNCTION_WORDS)


def is_english(text: str) -> bool:
    """A rough guess: Latin script and more English function words than other languages' (or none)."""
    if _NON_LATIN_RUN.search(text):
        return False
    words = _LATIN_WORD.findall(fold(text))
    english = sum(w in _ENGLISH_FUNCTION_WORDS for w in words)
    other = sum(w in _OTHER_FUNCTION_WORDS for w in words)
    return english > other or english == other == 0


@lru_cache(maxsize=4)
def vocabulary(path: str = str(VOCABULARY_FILE)) -> Vocabulary:
    """The topic vocabulary, parsed once per process."""
    return Vocabulary(path)


# -- Features -----------------------------------------------------------------------------------

def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.clip(norms, 1e-12, None)).astype(np.float32, copy=False)


def _concept_block(concept_lists: list[list[str]], vocab: Vocabulary, weights: np.ndarray) -> np.ndarray:
    """Rows of IDF-weighted concept indicators (minor concepts left out), unit length (or zero)."""
    index = {c: i for i, c in enumerate(vocab.concepts) if c not in vocab.minor}
    block = np.zeros((len(concept_lists), len(vocab.concepts)), dtype=np.float32)
    for row, concepts in enumerate(concept_lists):
        for c in concepts:
            if c in index:
                block[row, index[c]] = 1.0
    df = (block * weights[:, None]).sum(axis=0)
    idf = np.log((1.0 + weights.sum()) / (1.0 + df)) + 1.0
    prior = np.array([vocab.object_weight if c in vocab.objects else 1.0 for c in vocab.concepts], dtype=np.float32)
    block *= (idf * prior)[None, :]
    norms = np.linalg.norm(block, axis=1, keepdims=True)
    return np.divide(block, norms, out=np.zeros_like(block), where=norms > 0)


# -- Average linkage ------------------------------------------------------------------------------

def average_linkage(features: np.ndarray, threshold: float, weights: np.ndarray | None = None) -> np.ndarray:
    """Cluster labels (0..k-1) by average-linkage agglomeration on cosine similarity of unit rows,
    merging while the (weighted) average similarity of two clusters is at least ``threshold``.

    O(n²) memory and about O(n²) time (each row keeps its best partner; a merge only lowers averages,
    so only rows whose best partner merged are searched again)."""
    n = len(features)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    sizes = np.ones(n, dtype=np.float64) if weights is None else weights.astype(np.float64).copy()
    sim = (features @ features.T).astype(np.float64)
    np.fill_diagonal(sim, -np.inf)
    best = sim.argmax(axis=1)
    best_sim = sim[np.arange(n), best]
    parent = np.arange(n)
    active = np.ones(n, dtype=bool)
    while True:
        i = int(np.argmax(best_sim))
        if best_sim[i] < threshold:
            break
        j = int(best[i])
        wi, wj = sizes[i], sizes[j]
        merged = (wi * sim[i] + wj * sim[j]) / (wi + wj)
        sim[i], sim[:, i] = merged, merged
        sim[i, i] = -np.inf
        sim[j], sim[:, j] = -np.inf, -np.inf
        sizes[i] += wj
        active[j] = False
        best_sim[j] = -np.inf
        parent[parent == j] = i
        stale = np.flatnonzero(active & ((best == i) | (best == j)))
        stale = np.union1d(stale, [i])
        for k in stale:
            best[k] = int(np.argmax(sim[k]))
            best_sim[k] = sim[k, best[k]]
    _, labels = np.unique(parent, return_inverse=True)
    return labels


def _cluster_capped(features, weights, threshold, max_cluster, seed, rounds=4):
    """Labels for every row: exact average linkage up to ``max_cluster`` rows; beyond, cluster a
    sample, assign the rest to the nearest centroid when similar enough, and repeat on what is left."""
    n = len(features)
    labels = np.full(n, -1, dtype=np.int64)
    rng = np.random.default_rng(seed)
    next_label = 0
    todo = np.arange(n)
    for round_ in range(rounds):
        if len(todo) == 0:
            break
        if len(todo) <= max_cluster:
            sample = todo
        else:
            # The most frequent texts always, the rest at random.
            by_weight = todo[np.argsort(-weights[todo], kind="stable")]
            head = by_weight[:max_cluster // 2]
            tail = rng.choice(by_weight[max_cluster // 2:], size=max_cluster - len(head), replace=False)
            sample = np.concatenate([head, tail])
        sub = average_linkage(features[sample], threshold, weights[sample])
        labels[sample] = sub + next_label
        k = int(sub.max()) + 1
        rest = np.setdiff1d(todo, sample, assume_unique=True)
        if len(rest):
            centroids = np.zeros((k, features.shape[1]), dtype=np.float64)
            np.add.at(centroids, sub, features[sample] * weights[sample, None])
            centroids = _unit_rows(centroids)
            for start in range(0, len(rest), 4096):
                chunk = rest[start:start + 4096]
                sims = features[chunk] @ centroids.T
                nearest = sims.argmax(axis=1)
                # A row joins a cluster it is about as close to as the cluster's members are.
                fits = sims[np.arange(len(chunk)), nearest] >= threshold
                labels[chunk[fits]] = nearest[fits] + next_label
            if round_ == rounds - 1:
                leftover = rest[labels[rest] < 0]
                labels[leftover] = np.arange(len(leftover)) + next_label + k
                k += len(leftover)
        next_label += k
        todo = np.flatnonzero(labels < 0)
    _, labels = np.unique(labels, return_inverse=True)
    return labels


# -- Names ------------------------------------------------------------------------------------------

def _ngrams(words: list[str], stop_words: frozenset[str], longest: int = 3) -> set[str]:
    """1-3-word phrases that neither start nor end with a stop word and hold no number."""
    edge = [w not in stop_words and not w.isdigit() for w in words]
    digit = [w.isdigit() for w in words]
    grams = set()
    for i, word in enumerate(words):
        if not edge[i]:
            continue
        if len(word) >= 3:
            grams.add(word)
        for j in range(i + 1, min(i + longest, len(words))):
            if digit[j]:
                break
            if edge[j]:
                grams.add(" ".join(words[i:j + 1]))
    return grams


def _content_words(phrase: str, stop_words: frozenset[str]) -> int:
    return sum(w not in stop_words for w in phrase.split())


def _grow_name(name: str, pool: set[str], bags: list[tuple[float, set[str]]], verbatim: Counter,
               stop_words: frozenset[str], concept_of) -> str:
    """Grow a name into a longer phrase of the members' own words while that phrase still covers at
    least ``EXTEND_SHARE`` of the members the shorter one covers ("key" → "license key"). A phrase
    covers a member holding all its content words in any order, translated ("límite de descargas"
    holds "download limit")."""

    def covers(phrase: str) -> float:
        words = {concept_of(w) or w for w in phrase.split() if w not in stop_words}
        return sum(weight for weight, bag in bags if words <= bag)

    while True:
        base, size = covers(name), _content_words(name, stop_words)
        longer = []
        for g in pool:
            if _content_words(g, stop_words) > size and f" {name} " in f" {g} ":
                c = covers(g)
                if c >= EXTEND_SHARE * base:
                    longer.append((c * _content_words(g, stop_words), verbatim[g], -len(g.split()), g))
        if not longer:
            return name
        name = max(longer)[-1]


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _name_groups(clusters: list[list[int]], texts: list[str], translated: list[str], weights: np.ndarray,
                 stop_words: frozenset[str], concept_of, english_of: list[bool]) -> list[tuple[str, list[str]]]:
    """(name, keywords) per cluster: the phrase covering most of its members and few of the rest
    (c-TF-IDF over 1-3-word phrases), grown into a longer phrase while it still covers enough.

    A phrase counts for a member when the member's own words or their translation hold it; a name is
    only chosen among phrases of the members' own words, English ones when the group has any. Each
    group is named from its ``NAME_SAMPLE`` most frequent distinct messages (cost bounded by groups)."""
    clusters = [sorted(c, key=lambda i: -weights[i])[:NAME_SAMPLE] for c in clusters]
    sample = sorted({i for c in clusters for i in c})
    # Each message as its clauses' words: a name never spans a full stop or a comma.
    clauses = {i: [_LATIN_WORD.findall(fold(c)) for c in _CLAUSE_BREAK.split(texts[i])] for i in sample}
    words_of = {i: [w for c in clauses[i] for w in c] for i in sample}
    translated_words = {i: _LATIN_WORD.findall(translated[i]) for i in sample}
    own = {i: set().union(*(_ngrams(c, stop_words) for c in clauses[i])) for i in sample}
    both = {i: own[i] | _ngrams(translated_words[i], stop_words) for i in sample}
    total = float(weights[sample].sum())
    overall: Counter = Counter()
    for i in sample:
        for g in both[i]:
            overall[g] += weights[i]
    named = []
    for cluster in clusters:
        members = cluster
        size = float(weights[members].sum())
        cover: Counter = Counter()
        for i in members:
            for g in both[i]:
                cover[g] += weights[i]
        scored = []
        for g, c in cover.items():
            share = c / size
            idf = math.log(1.0 + total / overall[g])
            length = len(g.split())
            scored.append((share * idf * (1.0 + 0.3 * (length - 1)) * (1.0 if share >= 0.3 else 0.3), g))
        scored.sort(key=lambda sg: (-sg[0], sg[1]))
        keywords = [g for _, g in scored if " " not in g][:5]
        # Names in English where the group has English messages (the digest is read in English).
        # A group written only in other scripts (Japanese, Arabic, …) is named by its words' concepts.
        pool = (set().union(*(own[i] for i in members if english_of[i])) or set().union(*(own[i] for i in members))
                or set().union(*(both[i] for i in members)))
        name = next((g for _, g in scored if g in pool), None)
        if name is None:  # no cue word and no Latin word at all: the most frequent message, shortened
            named.append((_shorten(texts[members[0]]), keywords))
            continue
        bags = [(weights[i], set(words_of[i]) | set(translated_words[i])) for i in members]
        verbatim = Counter(g for i in members for g in own[i])
        named.append((_grow_name(name, pool, bags, verbatim, stop_words, concept_of), keywords))
    return named


# -- The public API -------------------------------------------------------------------------------

def _dedupe_key(text: str) -> str:
    """Messages equal but for case, accents, punctuation and numbers are grouped once."""
    return _DIGITS.sub("0", fold(text))


_DIGITS = re.compile(r"\d+")


def group_texts(texts: list[str], embedder, *, threshold: float = THRESHOLD, min_size: int = MIN_SIZE,
                concept_weight: float = CONCEPT_WEIGHT, max_cluster: int = MAX_CLUSTER,
                max_embed: int = MAX_EMBED, attach: float = ATTACH, vocab: Vocabulary | None = None,
                seed: int = 0) -> list[Group]:
    """Group ``texts`` into recurring topics: every text in exactly one group, largest group first,
    the catch-all "Other" group (small clusters) last. ``embedder`` is a knowledge embedder
    (``embed(texts) -> unit rows``)."""
    if not texts:
        return []
    vocab = vocab or vocabulary()
    # Messages that differ only in case, accents, punctuation or numbers are grouped once, weighted.
    unique: dict[str, int] = {}
    slot = np.empty(len(texts), dtype=np.int64)
    distinct: list[str] = []
    for i, text in enumerate(texts):
        key = _dedupe_key(text)
        if key not in unique:
            unique[key] = len(distinct)
            distinct.append(text)
        slot[i] = unique[key]
    weights = np.bincount(slot, minlength=len(distinct)).astype(np.float64)

    translations = [vocab.translate(t) for t in distinct]
    translated = [t for t, _ in translations]
    concepts = _concept_block([c for _, c in translations], vocab, weights)
    has_concepts = np.linalg.norm(concepts, axis=1) > 0
    english_of = [is_english(text) for text in distinct]

    # Past ``max_embed`` distinct texts, the most frequent half and a random rest are embedded and
    # clustered; the others join a topic by their concepts alone (embedding is the cost that grows).
    embedded_ids = np.arange(len(distinct))
    if len(distinct) > max_embed:
        order = np.argsort(-weights, kind="stable")
        head = order[:max_embed // 2]
        tail = np.random.default_rng(seed).choice(order[max_embed // 2:], size=max_embed - len(head), replace=False)
        embedded_ids = np.sort(np.concatenate([head, tail]))
    surplus = np.setdiff1d(np.arange(len(distinct)), embedded_ids, assume_unique=True)

    # A message in another language is embedded as its concepts alone: the words MiniLM does not know
    # would only pull it towards other messages of its language.
    embed_texts = []
    for d in embedded_ids:
        text, found = translations[d]
        embed_texts.append(text if (not found or english_of[d]) else " ".join(dict.fromkeys(found)))
    embedded = np.asarray(embedder.embed([t or "(empty)" for t in embed_texts]), dtype=np.float32)
    w = float(np.clip(concept_weight, 0.0, 1.0))
    sub_concepts, sub_has = concepts[embedded_ids], has_concepts[embedded_ids]
    features = np.hstack([math.sqrt(1.0 - w) * embedded, math.sqrt(w) * sub_concepts])
    features[~sub_has, :embedded.shape[1]] = embedded[~sub_has]  # no concepts: the embedding alone
    features = _unit_rows(features)
    sub_weights = weights[embedded_ids]

    labels = _cluster_capped(features, sub_weights, threshold, max(2, max_cluster), seed)
    clusters: dict[int, list[int]] = {}
    for row, label in enumerate(labels):
        clusters.setdefault(int(label), []).append(row)
    small = max(2, min_size)
    kept = [m for m in clusters.values() if sub_weights[m].sum() >= small]
    rest = [row for m in clusters.values() if sub_weights[m].sum() < small for row in m]
    if kept and rest and attach < 1.0:
        # A one-off message close to a topic's centre joins that topic rather than "Other".
        centres = _unit_rows(np.stack([(features[m] * sub_weights[m, None]).sum(axis=0) for m in kept]))
        sims = features[rest] @ centres.T
        nearest = sims.argmax(axis=1)
        fits = sims[np.arange(len(rest)), nearest] >= attach
        for row, k, ok in zip(rest, nearest, fits, strict=True):
            if ok:
                kept[int(k)].append(row)
        rest = [row for row, ok in zip(rest, fits, strict=True) if not ok]
    # From here on clusters hold indices into ``distinct``; ``rows`` keeps the embedded rows for centroids.
    rows = [list(m) for m in kept]
    kept = [[int(embedded_ids[r]) for r in m] for m in kept]
    rest = [int(embedded_ids[r]) for r in rest]
    if len(surplus):
        if kept:
            centres = _unit_rows(np.stack([(concepts[m] * weights[m, None]).sum(axis=0) for m in kept]))
            sims = concepts[surplus] @ centres.T
            nearest = sims.argmax(axis=1)
            fits = has_concepts[surplus] & (sims[np.arange(len(surplus)), nearest] >= threshold)
        else:
            nearest, fits = np.zeros(len(surplus), dtype=np.int64), np.zeros(len(surplus), dtype=bool)
        for d, k, ok in zip(surplus, nearest, fits, strict=True):
            (kept[int(k)] if ok else rest).append(int(d))
    order = sorted(range(len(kept)), key=lambda k: (-weights[kept[k]].sum(), min(kept[k])))
    kept, rows = [kept[k] for k in order], [rows[k] for k in order]
    all_clusters = kept + ([rest] if rest else [])

    names = _name_groups(all_clusters, distinct, translated, weights, vocab.stop_words, vocab.word_concept,
                         english_of)

    members_of: list[list[int]] = [[] for _ in distinct]
    for i, d in enumerate(slot):
        members_of[d].append(i)
    row_of = {int(d): r for r, d in enumerate(embedded_ids)}
    groups = []
    for n, (cluster, (name, keywords)) in enumerate(zip(all_clusters, names, strict=True)):
        other = bool(rest) and n == len(all_clusters) - 1
        member_rows = [row_of[d] for d in cluster if d in row_of]
        if member_rows:
            centroid = (embedded[member_rows] * sub_weights[member_rows, None]).sum(axis=0)
        else:  # an "Other" made only of unembedded messages: embed a few for its centroid
            centroid = np.asarray(embedder.embed([translated[d] or "(empty)" for d in cluster[:32]])).sum(axis=0)
        centroid = centroid / max(float(np.linalg.norm(centroid)), 1e-12)
        members = sorted(i for d in cluster for i in members_of[d])
        groups.append(Group(members=members, name=OTHER_NAME if other else name, keywords=keywords,
                            centroid=centroid.astype(np.float32), other=other))
    return groups


def match_previous(groups: list[Group], previous: list[tuple[str, np.ndarray]], *,
                   threshold: float = MATCH_THRESHOLD) -> list[str | None]:
    """For each group, the id of the previous topic it continues, or None (a new topic).

    Pairs are taken most similar first (cosine of centroids at least ``threshold``), each previous
    topic continued by at most one group. The "Other" group never continues a topic (None); previous
    centroids of another size (another embedder) match nothing."""
    result: list[str | None] = [None] * len(groups)
    rows = [gi for gi, g in enumerate(groups) if not g.other]
    if not rows or not previous:
        return result
    dim = groups[rows[0]].centroid.shape
    same = [(pid, np.asarray(c, dtype=np.float32)) for pid, c in previous if np.shape(c) == dim]
    if not same:
        return result
    ours = np.stack([groups[gi].centroid for gi in rows]).astype(np.float32)
    theirs = _unit_rows(np.stack([c for _, c in same]))
    sims = ours @ theirs.T
    taken: set[int] = set()
    # Most similar pairs first; each group and each previous topic used once.
    for flat in np.argsort(-sims, axis=None, kind="stable"):
        r, pi = divmod(int(flat), sims.shape[1])
        if sims[r, pi] < threshold:
            break
        gi = rows[r]
        if result[gi] is None and pi not in taken:
            result[gi] = same[pi][0]
            taken.add(pi)
    return result
