"""A doc's text as units (sentences, list items, headings) and a question's search terms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.brains import smalltalk

# ---- text → units -----------------------------------------------------------------------------


@dataclass
class Unit:
    kind: str  # heading | question | sentence | item | intro (a sentence ending with ":")
    text: str
    block: int  # paragraph / list index inside the passage
    terms: frozenset = frozenset()
    hit: object = None  # the search hit (chunk) this unit comes from


LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_TOC_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[^\]]+\]\(#[^)]*\)\s*$")
_BOLD_ONLY = re.compile(r"^\*\*(.+?)\*\*:?$|^__(.+?)__:?$")
# Split after . ! ? (and their closing quotes/brackets) before an upper-case or digit start; keep
# "e.g." "i.e." "etc." "Mr." and decimals together.
_SENTENCE = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)(?<!\bMr)(?<!\bDr)(?<=[.!?])[\"')\]*]*\s+(?=[\"'(\[*]*[A-Z0-9¿¡])")


def units(text: str) -> list[Unit]:
    """A passage as headings, questions, sentences and list items (wrapped lines joined)."""
    text = _IMAGE.sub("", text)
    result: list[Unit] = []
    block = 0
    paragraph: list[str] = []
    item: list[str] | None = None
    in_list = in_code = False

    def flush():
        nonlocal paragraph, item, block, in_list
        if item:
            joined = " ".join(s.strip() for s in item).strip()
            if joined:
                result.append(Unit("item", joined, block))
        item = None
        if paragraph:
            joined = " ".join(s.strip() for s in paragraph).strip()
            if joined and not joined.lower().startswith("in this article"):
                result.extend(_sentences(joined, block))
            block += 1
            paragraph = []

    def end_list():
        nonlocal in_list, block
        flush()
        if in_list:
            in_list = False
            block += 1

    for raw in text.splitlines():
        line = raw.rstrip()
        if line.strip().startswith(("```", "~~~")):
            end_list()
            if not in_code:
                _drop_example_intro(result)
            in_code = not in_code
            continue
        if in_code or line.lstrip().startswith("|"):
            if not in_code:
                flush()
                _drop_example_intro(result)
            continue  # code and tables do not read well as a chat answer
        if not line.strip():
            flush()
            continue
        if _HEADING.match(line):
            end_list()
            heading = _HEADING.sub("", line).strip().strip("#").strip()
            if heading:
                result.append(Unit("question" if heading.endswith("?") else "heading", heading, block))
            block += 1
            continue
        if _TOC_ITEM.match(line):
            continue
        if LIST_ITEM.match(line):
            if paragraph:
                flush()
            flush()
            in_list = True
            item = [line.strip()]
            continue
        if item is not None and raw.startswith((" ", "\t")):
            item.append(line)  # a wrapped list item
            continue
        if in_list and item is not None and not paragraph:
            item.append(line)  # a lazily wrapped list item (no indent)
            continue
        if in_list:
            end_list()
        paragraph.append(line)
    end_list()
    return result


_EXAMPLE_TAIL = re.compile(r"[,;]?\s*(?:for example|for instance|e\.g\.|as follows|like this|such as|below)?\s*:\s*$", re.IGNORECASE)


def _drop_example_intro(result: list[Unit]) -> None:
    """An intro whose code or table is not quoted ("…load them with `@font-face`, for example:") ends
    as a plain sentence instead of pointing at nothing."""
    if result and result[-1].kind == "intro":
        result[-1].text = _EXAMPLE_TAIL.sub(".", result[-1].text)
        result[-1].kind = "sentence"


def _sentences(paragraph: str, block: int) -> list[Unit]:
    bold = _BOLD_ONLY.match(paragraph)
    if bold:
        inner = (bold.group(1) or bold.group(2) or "").strip()
        return [Unit("question" if inner.endswith("?") else "heading", inner, block)]
    out = []
    for sentence in _SENTENCE.split(paragraph):
        sentence = sentence.strip()
        if not sentence:
            continue
        if sentence.endswith("?") or (sentence.startswith("**") and sentence.rstrip("*").endswith("?")):
            kind = "question"
            if sentence.count("**") % 2:  # "**Bought the wrong license?** Within…" split after the "?"
                sentence = sentence.replace("**", "")
        elif sentence.endswith(":"):
            kind = "intro"
        else:
            kind = "sentence"
        out.append(Unit(kind, sentence, block))
    return out


# ---- terms ------------------------------------------------------------------------------------

_STOP = frozenset(
    """a about above after again all also am an and any are as at be because been before being below between both but by
    can could did do does doing done down during each few for from further get gets got had has have having he her here hers
    him his how i if in into is it its itself just let me more most my no nor not now of off on once only or other our ours
    out over own please same she should so some such than that the their theirs them then there these they this those
    through to too under until up very was we were what when where which while who whom why will with would you your
    yours yourself i'm i've it's don't can't want need like know tell help thanks hi hello hey long take""".split()
)
_TERM = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


_SUFFIXES = (("ations", ""), ("ation", ""), ("ating", ""), ("ated", ""), ("ates", ""), ("ate", ""), ("ies", "y"),
             ("ing", ""), ("ied", "y"), ("ed", ""), ("es", ""), ("s", ""), ("ly", ""))


def stem(word: str) -> str:
    """A light English stemmer: "refunds"/"refund", "licenses"/"license", "activation"/"activate"/"active".

    A final "e" goes too, so "license" and "licenses" (or "code" and "codes") meet at "licens".
    """
    for suffix, keep in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= (4 if suffix.startswith("at") else 3):
            word = word[: -len(suffix)] + keep
            break
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


# Shopper words → the words help articles use for the same thing (added to a question's terms, never
# to a passage's): "how much is it?" is answered under "Prices", "M1 Mac" under "Apple silicon".
_SHOPPER_WORDS = {
    "much": "price", "cost": "price", "costs": "price", "expensive": "price", "cheap": "price",
    "m1": "apple silicon", "m2": "apple silicon", "m3": "apple silicon", "m4": "apple silicon",
    "mac": "macos", "macs": "macos", "macbook": "mac macos", "pc": "windows",
    "crypto": "cryptocurrency", "bitcoin": "cryptocurrency",
    "money": "refund", "exchange": "swap", "cancel": "cancellation",
}


def terms(text: str) -> frozenset:
    lowered = smalltalk.fold(re.sub(r"\]\([^)]*\)", "]", text))  # link targets are not content
    return frozenset(stem(w) for w in _TERM.findall(lowered) if w not in _STOP and len(w) > 1)


def question_terms(text: str) -> frozenset:
    """A question's terms plus the help-center words for its shopper words (see ``_SHOPPER_WORDS``)."""
    words = _TERM.findall(smalltalk.fold(text))
    extra = " ".join(_SHOPPER_WORDS[w] for w in words if w in _SHOPPER_WORDS)
    return terms(text) | terms(extra)
