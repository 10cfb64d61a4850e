"""Markdown → chunks that keep their heading path and never end mid-sentence.

The body is read as blocks (headings, paragraphs, list items, table rows, fenced code). Each
section (the text under one heading path) is packed greedily into chunks of about
``chunk_chars`` characters; a chunk only ever closes between sentences, list items, rows or
blocks. A single sentence longer than the target stays whole. Optionally the last sentences of
a chunk are repeated at the start of the next one in the same section (``overlap_chars``).

The document's own title heading (the first ``#`` heading, or one equal to the title) is not
part of the section path: the citation already starts with the title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge import defaults

SEPARATOR = " › "


@dataclass(frozen=True)
class Chunk:
    section: str  # heading path, "Setup › Windows" ("" for text before the first heading)
    text: str
    anchor: str = ""  # HTML id of the section's heading, when the document has one


@dataclass
class _Unit:
    text: str
    glue: str  # what joins it to the unit before it in a chunk: " ", "\n" or "\n\n"
    sentence: bool = False  # prose that may be repeated as overlap
    sticky: bool = False  # introduces what follows ("**Question?**", "Steps:"): never ends a chunk
    intro: _Unit | None = None  # a list item's intro line or a table row's header row
    intro_text: str = ""  # what a chunk starting at this unit repeats first (the intro's paragraph)
    follow: str = ""  # a repeated intro: the glue to the unit after it ("\n\n" before a list, "\n" in a table)


_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ID_ATTR = re.compile(r"\s*\{#([\w-]+)\}\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_SETEXT = re.compile(r"^\s*(=+|-+)\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

# Where a sentence may end: . ! ? (or a colon before a line break is not needed: blocks do that),
# possibly followed by closing quotes/brackets/emphasis, then whitespace and a likely sentence start.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]*_]*\s+(?=[\"'“‘(\[*_`]?[A-Z0-9])")
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "st", "no", "approx", "incl", "fig", "u.s", "inc", "ltd", "jr", "sr"}


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph, conservatively: a false split is worse than a missed one."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start:match.start()].rstrip()
        last_word = re.split(r"[\s(]", candidate)[-1].rstrip(".!?\"'”’)]*_").lower()
        if last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last_word):
            continue  # "e.g. Stripe", "J. Smith": not a sentence end
        pieces.append(text[start:match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        pieces.append(tail)
    return pieces


def _blocks(body: str):
    """Yield ("heading", level, text, anchor) and ("text", kind, text, indent) blocks of a Markdown body."""
    lines = _COMMENT.sub("", body).replace("\r\n", "\n").split("\n")
    paragraph: list[str] = []
    item: list[str] = []
    indent = [0]  # the current list item's indentation (nested lists are indented deeper)
    i = 0

    def flush():
        out = []
        if paragraph:
            out.append(("text", "paragraph", " ".join(s.strip() for s in paragraph), ""))
            paragraph.clear()
        if item:
            out.append(("text", "item", " ".join(s.strip() for s in item), indent[0]))
            item.clear()
        return out

    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            yield from flush()
            fence = _FENCE.match(line).group(1)
            code = [line]
            i += 1
            while i < len(lines):
                code.append(lines[i])
                if lines[i].strip().startswith(fence):
                    break
                i += 1
            yield ("text", "code", "\n".join(code), "")
            i += 1
            continue
        heading = _ATX.match(line)
        if heading:
            yield from flush()
            text, anchor = heading.group(2), ""
            attr = _ID_ATTR.search(text)
            if attr:
                anchor, text = attr.group(1), text[:attr.start()]
            yield ("heading", len(heading.group(1)), _plain(text), anchor)
            i += 1
            continue
        if (_SETEXT.match(line) and len(paragraph) == 1 and not item
                and (line.strip().startswith("=") or len(line.strip()) >= 2)):
            title = paragraph.pop()
            yield ("heading", 1 if line.strip().startswith("=") else 2, _plain(title), "")
            i += 1
            continue
        stripped = line.strip()
        if not stripped:
            yield from flush()
        elif stripped.startswith("|"):
            yield from flush()
            if not re.fullmatch(r"\|?[\s:|-]+\|?", stripped):  # drop the |---|---| separator row
                yield ("text", "row", stripped, "")
        elif _LIST_ITEM.match(line):
            yield from flush()
            indent[0] = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
            item.append(stripped)
        elif item and (line.startswith("  ") or line.startswith("\t")):
            item.append(stripped)  # continuation of a list item
        elif re.fullmatch(r"(\*\s*){3,}|(-\s*){3,}|(_\s*){3,}", stripped):
            yield from flush()  # horizontal rule
        else:
            if item:
                yield from flush()
            paragraph.append(stripped.lstrip("> ").strip() if stripped.startswith(">") else stripped)
        i += 1
    yield from flush()


def _plain(heading: str) -> str:
    """Heading text without Markdown emphasis, links or code marks."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return re.sub(r"[*_`]+", "", text).strip()


_BOLD_LINE = re.compile(r"^(\*\*|__)[^*_].*(\*\*|__)$")
#: A sentence that asks: "Can I …?", "**Can I …?**", "“Can I …?”". It introduces its answer.
_QUESTION = re.compile(r"\?[\"'”’)\]*_]*$")
#: An intro repeated at the top of a chunk that starts inside its list: the whole paragraph when
#: it is short, else only its last sentence ("It allows you to:").
MAX_INTRO_CHARS = 240


def _introduces(text: str) -> bool:
    """Text that never ends a chunk: a question, a bold line, or a line leading into a list (':')."""
    return bool(_BOLD_LINE.match(text) or text.endswith(":") or _QUESTION.search(text))


def _units(kind: str, text: str, previous_kind: str | None) -> list[_Unit]:
    if kind == "paragraph":
        if _BOLD_LINE.match(text):
            return [_Unit(text, "\n\n", False, sticky=True)]
        sentences = split_sentences(text)
        units = [_Unit(s, " " if n else "\n\n", True, sticky=_introduces(s)) for n, s in enumerate(sentences)]
        return units
    glue = "\n" if previous_kind == kind and kind in ("item", "row") else "\n\n"
    return [_Unit(text, glue, kind == "item", sticky=_introduces(text))]


def chunk_markdown(body: str, title: str = "", *, chunk_chars: int = defaults.CHUNK_CHARS,
                   overlap_chars: int = defaults.CHUNK_OVERLAP_CHARS,
                   anchors: dict[str, str] | None = None) -> list[Chunk]:
    """Split a Markdown body into heading-aware chunks (see the module docstring)."""
    anchors = anchors or {}
    chunks: list[Chunk] = []
    path: list[tuple[int, str, str]] = []  # (level, heading, anchor)
    units: list[_Unit] = []
    previous_kind: str | None = None
    # What introduces the current list or table: (unit, text to repeat). Lists nest: an item ending
    # in ':' introduces the items indented below it, ``(indent of the item, intro)`` on a stack.
    intro: tuple[_Unit, str] | None = None
    list_intros: list[tuple[int, tuple[_Unit, str]]] = []
    seen_text = False
    title_key = title.strip().lower()

    def emit_section():
        if not units:
            return
        section = SEPARATOR.join(h for _, h, _ in path)
        anchor = next((a for _, _, a in reversed(path) if a), "")
        chunks.extend(Chunk(section, text, anchor) for text in _pack(units, chunk_chars, overlap_chars))
        units.clear()

    for block in _blocks(body):
        if block[0] == "heading":
            _, level, heading, anchor = block
            emit_section()
            previous_kind = None
            intro = None
            list_intros.clear()
            is_title = level == 1 and (heading.strip().lower() == title_key or (not seen_text and not path and not chunks))
            if is_title:
                path.clear()
                continue
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, heading, anchor or anchors.get(heading, "")))
            continue
        _, kind, text, indent = block
        if not text.strip():
            continue
        seen_text = True
        new = _units(kind, text, previous_kind)
        if kind == "item":
            if previous_kind != "item":
                list_intros[:] = [(-1, intro)] if previous_kind == "paragraph" and intro is not None else []
            while list_intros and list_intros[-1][0] >= indent:
                list_intros.pop()
            if list_intros:
                for unit in new:
                    unit.intro, unit.intro_text = list_intros[-1][1]
            if text.endswith(":"):
                list_intros.append((indent, (new[-1], text if len(text) <= MAX_INTRO_CHARS else new[-1].text)))
        elif kind == "row" and previous_kind == "row" and intro is not None:
            for unit in new:
                unit.intro, unit.intro_text = intro
        if kind == "paragraph" and new[-1].text.endswith(":"):
            intro = (new[-1], text if len(text) <= MAX_INTRO_CHARS else new[-1].text)
        elif kind == "row" and previous_kind != "row":
            new[0].sticky = True  # a table's header row: its rows follow it
            intro = (new[0], text)
        elif kind not in ("item", "row"):
            intro = None
        units.extend(new)
        previous_kind = kind
    emit_section()
    return chunks


def _join(units: list[_Unit]) -> str:
    return "".join(((units[n - 1].follow or u.glue) if n else "") + u.text for n, u in enumerate(units)).strip()


def _pack(units: list[_Unit], chunk_chars: int, overlap_chars: int) -> list[str]:
    """Pack units into chunks of about ``chunk_chars``, balanced, with optional sentence overlap.

    The target is evened out over the section (1,100 characters at a 700 target become two
    chunks of ~550, not 700 + a 400-character tail). A sticky unit (a question, a list intro)
    never ends a chunk: the chunk grows past the target to keep the next unit, and when that
    would make it more than twice the target, the sticky units move to the next chunk instead.
    A chunk that starts inside a list or table repeats its intro line or header row first.
    """
    total = sum(len(u.text) + len(u.glue) for u in units)
    pieces = max(1, -(-total // chunk_chars))
    target = min(chunk_chars, -(-total // pieces) + 40)
    out: list[str] = []
    current: list[_Unit] = []
    size = 0
    fresh = 0  # units in `current` that are not overlap from the previous chunk or a repeated intro

    for unit in units:
        added = len(unit.text) + len(unit.glue)
        held = current and current[-1].sticky and size + added <= 2 * chunk_chars
        # Sticky units at the end move on with what they introduce; when every fresh unit is
        # sticky, the chunk keeps the next unit whatever its size (like an over-long sentence).
        cut = len(current)
        while cut > len(current) - fresh and current[cut - 1].sticky:
            cut -= 1
        if current and fresh and size + added > target and not held and cut > len(current) - fresh:
            carried, closing = current[cut:], current[:cut]
            out.append(_join(closing))
            overlap: list[_Unit] = []
            kept = 0
            for prior in reversed(closing if not carried else []):
                if not prior.sentence or kept + len(prior.text) > overlap_chars:
                    break
                overlap.insert(0, prior)
                kept += len(prior.text) + 1
            current, fresh = overlap + carried, len(carried)
            size = sum(len(u.text) + len(u.glue) for u in current)
        if out and (fresh == 0 or len(current) == fresh):  # a new chunk begins
            first = current[0] if current else unit
            if first.intro is not None and not any(u is first.intro for u in current):
                glue = "\n" if first.intro_text.startswith("|") else "\n\n"
                current.insert(0, _Unit(first.intro_text, "\n\n", follow=glue))
                size += len(first.intro_text) + 2
        current.append(unit)
        size += added
        fresh += 1
    if current and fresh:
        out.append(_join(current))
    return out
