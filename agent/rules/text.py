"""A message's words for the rules: folded, tokenised, and the likeliest language (for canned replies)."""

from __future__ import annotations

import re
import unicodedata

# ---------------------------------------------------------------------------------------------
# Normalisation

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_CONTRACTIONS = [
    (re.compile(r"\bcan'?t\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\bain'?t\b"), "is not"),
    (re.compile(r"\b(do|does|did|is|are|was|were|have|has|had|could|would|should|must|need)n'?t\b"), r"\1 not"),
    (re.compile(r"\b(\w+)n't\b"), r"\1 not"),
]
_NON_WORD = re.compile(r"[\W_]+")


# Letters that NFKD does not split into a base letter and an accent (Turkish dotless i, Polish ł, ...).
_UNDECOMPOSED = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d"})


def fold(text: str) -> str:
    """Lower case without accents: "Rückerstattung" -> "ruckerstattung", "ß" -> "ss", "hesabım" -> "hesabim"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_UNDECOMPOSED))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize(text: str) -> str:
    """Folded text with English contractions expanded and punctuation turned into single spaces."""
    folded = fold(text.translate(_APOSTROPHES))
    for pattern, repl in _CONTRACTIONS:
        folded = pattern.sub(repl, folded)
    return _NON_WORD.sub(" ", folded).strip()


def tokenize(text: str) -> list[str]:
    return normalize(text).split()


# ---------------------------------------------------------------------------------------------
# Language (for canned replies): common words and a few telltale characters per language.

_LANGUAGE_WORDS = {
    "en": "the a an i you my me is are was do does did not to for with and of it this that can please want need "
    "how what why where when have has refund help hi hello thanks thank talk speak human agent someone money",
    "es": "el la los las un una yo mi me es son no por para con y de que como donde cuando quiero necesito puedo "
    "hola gracias hablar persona dinero cuenta tengo mis esta este su sus favor",
    "de": "der die das ein eine einen ich mein meine mir mich ist sind nicht nein zu fur mit und von wie was warum "
    "wo wann ich mochte kann bitte hallo danke sprechen mensch geld konto habe sie es",
    "fr": "le la les un une je mon ma mes moi est sont pas ne pour avec et de que comment pourquoi ou quand veux "
    "voudrais peux bonjour merci parler personne argent compte j ai c vous il",
    "pt": "o a os as um uma eu meu minha me e sao nao por para com de que como onde quando quero preciso posso ola "
    "obrigado obrigada falar pessoa dinheiro conta tenho voces voce foi",
    "it": "il lo la gli le un una io mio mia mi e sono non per con di che come dove quando voglio vorrei posso ciao "
    "grazie parlare persona soldi conto ho",
}
_LANGUAGE_SETS = {lang: set(words.split()) for lang, words in _LANGUAGE_WORDS.items()}
_LANGUAGE_CHARS = {"es": "ñ¿¡", "de": "äöüß", "fr": "çèêàùœ", "pt": "ãõç", "it": ""}


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the likeliest of en/es/de/fr/pt/it, or None when there is too little to tell."""
    tokens = tokenize(text)
    if not tokens:
        return None
    scores = {lang: sum(1 for t in tokens if t in words) for lang, words in _LANGUAGE_SETS.items()}
    lowered = text.lower()
    for lang, chars in _LANGUAGE_CHARS.items():
        scores[lang] += 2 * sum(1 for c in lowered if c in chars)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if ranked[0][1] == 0 or ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]
