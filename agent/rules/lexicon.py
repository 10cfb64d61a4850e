"""The built-in intents' cue words (agent/rules/data/lexicon.toml), matched with typo tolerance."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from agent.rules.text import normalize

DATA = Path(__file__).resolve().parent / "data"

BUILTIN_INTENTS = (
    "human_request",
    "refund_request",
    "billing_dispute",
    "license_problem",
    "account_security",
    "complaint",
)


# ---------------------------------------------------------------------------------------------
# Fuzzy phrase matching


def max_edits(word: str) -> int:
    """Typos tolerated in a word of this length: none for short words, where one edit is another word."""
    n = len(word)
    if n <= 4:
        return 0
    if n <= 8:  # two edits from an 8-letter word reach real words: "gefunden" ~ "refunded", "vorlagen" ~ "verklagen"
        return 1
    return 2


@dataclass(frozen=True)
class _Word:
    text: str
    kind: str  # exact | fuzzy | prefix | suffix


def parse_phrase(phrase: str) -> tuple[_Word, ...]:
    """A phrase as words; "=" / "*" markers apply to the word they touch ("*word" = ends with)."""
    words: list[_Word] = []
    for raw in phrase.split():
        marker_exact = raw.startswith("=")
        marker_prefix = raw.endswith("*")
        if raw.startswith("*") and len(raw) > 1 and not marker_prefix:
            words.append(_Word(normalize(raw[1:]), "suffix"))
            continue
        core = normalize(raw.strip("=*"))
        for i, part in enumerate(core.split()):
            if marker_exact:
                words.append(_Word(part, "exact"))
            elif marker_prefix and i == len(core.split()) - 1:
                words.append(_Word(part, "prefix"))
            else:
                words.append(_Word(part, "fuzzy" if max_edits(part) else "exact"))
    return tuple(words)


class Lexicon:
    """Named lists of phrases, matched in token lists on word boundaries with typo tolerance.

    ``find(tokens)`` returns {concept: [(start, end), ...]} (token positions, end exclusive).
    Each distinct token is compared once against every pattern word (rapidfuzz, in C) and cached.
    """

    def __init__(self, concepts: dict[str, Iterable[str]], exact: Iterable[str] = ()):
        self.concepts: dict[str, list[tuple[_Word, ...]]] = {}
        words: dict[_Word, int] = {}
        exact = set(exact)
        for name, phrases in concepts.items():
            parsed = [p for p in (parse_phrase(ph) for ph in phrases) if p]
            if name in exact:
                parsed = [tuple(_Word(w.text, "exact") if w.kind == "fuzzy" else w for w in p) for p in parsed]
            self.concepts[name] = parsed
            for phrase in parsed:
                for w in phrase:
                    words.setdefault(w, len(words))
        self._words = words
        self._exact: dict[str, list[int]] = {}
        self._fuzzy_texts: list[str] = []
        self._fuzzy_ids: list[int] = []
        self._prefixes: list[tuple[str, int]] = []
        self._suffixes: list[tuple[str, int]] = []
        for w, wid in words.items():
            if w.kind == "prefix":
                self._prefixes.append((w.text, wid))
            elif w.kind == "suffix":
                self._suffixes.append((w.text, wid))
            else:
                self._exact.setdefault(w.text, []).append(wid)
                if w.kind == "fuzzy":
                    self._fuzzy_texts.append(w.text)
                    self._fuzzy_ids.append(wid)
        # first word id -> [(concept, phrase)]
        self._by_first: dict[int, list[tuple[str, tuple[_Word, ...]]]] = {}
        for name, parsed in self.concepts.items():
            for phrase in parsed:
                self._by_first.setdefault(words[phrase[0]], []).append((name, phrase))
        self._cache: dict[str, frozenset[int]] = {}

    def word_ids(self, token: str) -> frozenset[int]:
        """Ids of the pattern words this token matches (exactly, as a prefix, or within the typo budget)."""
        hit = self._cache.get(token)
        if hit is not None:
            return hit
        ids = set(self._exact.get(token, ()))
        for prefix, wid in self._prefixes:
            if token.startswith(prefix):
                ids.add(wid)
            elif max_edits(prefix) and len(token) >= len(prefix) - 1 and token[0] == prefix[0]:
                budget = max_edits(prefix)
                if min(OSA.distance(token[:n], prefix) for n in (len(prefix) - 1, len(prefix), len(prefix) + 1)) <= budget:
                    ids.add(wid)
        for suffix, wid in self._suffixes:
            if token.endswith(suffix):
                ids.add(wid)
        if len(token) >= 4 and self._fuzzy_texts:
            for text, dist, index in process.extract(
                token, self._fuzzy_texts, scorer=OSA.distance, score_cutoff=2, limit=None
            ):
                # Typos rarely hit the first letter; allowing it reads "gefunden" as "refunded".
                if dist <= min(max_edits(text), max_edits(token)) and text[0] == token[0]:
                    ids.add(self._fuzzy_ids[index])
        result = frozenset(ids)
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[token] = result
        return result

    def find(self, tokens: Sequence[str], only: Iterable[str] | None = None) -> dict[str, list[tuple[int, int]]]:
        wanted = set(only) if only is not None else None
        token_ids = [self.word_ids(t) for t in tokens]
        hits: dict[str, list[tuple[int, int]]] = {}
        for start, ids in enumerate(token_ids):
            for wid in ids:
                for name, phrase in self._by_first.get(wid, ()):
                    if wanted is not None and name not in wanted:
                        continue
                    end = start + len(phrase)
                    if end > len(tokens):
                        continue
                    if all(self._words[phrase[k]] in token_ids[start + k] for k in range(1, len(phrase))):
                        spans = hits.setdefault(name, [])
                        if (start, end) not in spans:
                            spans.append((start, end))
        for spans in hits.values():
            spans.sort()
        return hits



def _load_lexicon() -> tuple[dict[str, list[str]], list[str]]:
    with open(DATA / "lexicon.toml", "rb") as fh:
        data = tomllib.load(fh)
    return data["concepts"], data.get("exact_concepts", [])
