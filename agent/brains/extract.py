"""Choosing the doc that answers and the one to three sentences (or the steps) to quote from it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from agent.brains.units import LIST_ITEM, Unit, question_terms, terms, units

MAX_SENTENCES = 3
MAX_ITEMS = 8
MAX_CHARS = 700
CHOOSE_K = 8  # passages considered when choosing which doc answers
HEADING_MATCH = 0.6  # a heading stating the question at least this well (0..1) can win over the ranking ...
HEADING_MARGIN = 0.1  # ... when it states it this much better than the top passage's headings
OTHER_DOC_WEIGHT = 0.8  # another doc's quote counts at most this much against the chosen doc's ...
OTHER_DOC_GAP = 4.0  # ... and less the further its ranking score is below the chosen passage's
OTHER_DOC_MIN = 0.5  # ... and only when it covers at least this share of the question's (weighted) words


# ---- choosing what to quote --------------------------------------------------------------------


@dataclass
class Extract:
    text: str
    score: float
    hit: object


def heading_match(question_terms: frozenset, hit) -> float:
    """How well a heading or bold question of ``hit`` (or its section path, or title) states the question, 0..1.

    Coverage of the question's words, damped by how much else the heading says: "Can I apply discount
    codes to my embed pages?" as a heading matches that question at 1.0, "Discount codes" at ~0.4.
    """
    if not question_terms:
        return 0.0
    headings = [u.text for u in units(hit.text) if u.kind in ("heading", "question")]
    headings += [part.strip() for part in (hit.section or "").split("›") if part.strip()]
    headings.append(hit.title)
    best = 0.0
    for heading in headings:
        ht = terms(heading)
        if not ht:
            continue
        shared = len(question_terms & ht)
        best = max(best, shared / len(question_terms) * math.sqrt(shared / len(ht)))
    return best


def choose(question: str, hits: list, threshold: float):
    """The passage to answer from: the search's best, unless another one's heading states the question.

    Help centers are full of FAQ headings; when a shopper's question is one of them almost word for
    word, that section is the answer even if the fused ranking put a broader article first.
    """
    if not hits:
        return None
    q = question_terms(question)
    best = hits[0]
    floor = heading_match(q, best) + HEADING_MARGIN
    for hit in hits[1:CHOOSE_K]:
        if hit.relevance < threshold or hit.slug == best.slug:
            continue
        match = heading_match(q, hit)
        if match >= HEADING_MATCH and match > floor:
            best, floor = hit, match
    return best


def extract(question: str, hits: list, *, threshold: float = 0.0) -> Extract | None:
    """The best short quote answering ``question``: from the first hit's doc, or from another doc
    among the hits whose passage covers the question clearly better.

    The first hit is the chosen one (see ``choose``) and keeps the lead: another doc's quote has to
    beat it after a discount that grows with how far below it that doc was ranked, so "I bought the
    wrong license, can I swap it?" is answered by the refund policy's "Bought the wrong license?"
    even when the search put the fonts guide first, but a near tie never moves the answer.
    """
    if not hits:
        return None
    q = question_terms(question)
    docs = _passages([h for h in hits if h.slug == hits[0].slug or h.relevance >= threshold])
    all_units = [u for _, _, us in docs for u in us]
    if not all_units:
        return None
    weight = _weights(q, all_units)
    total = sum(weight.values()) or 1.0

    def score(u: Unit) -> float:
        if not u.terms:
            return 0.0
        covered = sum(weight[t] for t in q & u.terms) / total
        return covered / (1 + 0.15 * math.log1p(max(0, len(u.terms) - 12)))

    reference = hits[0].score
    quantity = _MONEY if _PRICE.search(question) else _NUMBER if _QUANTITY.search(question) else None
    # What the chosen doc says about the question, its title and headings included.
    in_first_doc = q & frozenset().union(*(u.terms | terms(f"{u.hit.title} {u.hit.section}") for d, _, us in docs if d == 0 for u in us))
    best: Extract | None = None
    for doc_rank, rank, us in docs:
        if doc_rank == 0:
            doc_weight = 1.0
        else:  # another doc: discounted by its distance below the chosen passage in the ranking
            top = max(u.hit.score for u in us)
            doc_weight = min(OTHER_DOC_WEIGHT, 1.0 - OTHER_DOC_GAP * max(0.0, reference - top))
            if best is None or best.score <= 0 or doc_weight <= 0 or best.score >= doc_weight * 1.3:
                # (A chosen doc sharing no word with the question was found by meaning, a paraphrase:
                # another doc's shared words are no evidence against it.)
                continue
        rank_bonus = (1.0 - 0.12 * rank) * doc_weight
        body_start = next((i for i, u in enumerate(us) if u.kind not in ("heading", "question")), None)
        for i, u in enumerate(us):
            s = score(u)
            if u.kind in ("heading", "question"):
                span = _body_after(us, i)
                if not span:
                    continue
                # The text under a matching heading/question answers it; its own words count a bit too.
                cand = (s * 1.05 + 0.25 * max(score(x) for x in span)) * rank_bonus
                if u.kind == "question" and (sum(len(x.text) for x in span) < 60 or span[0].block == u.block):
                    # "Can I …? No." reads better than "No.", and an FAQ's "**Bought the wrong license?**
                    # Within 14 days we can swap it…" says what "it" is.
                    span = [Unit("lead", u.text, -2, hit=u.hit), *span]
            else:
                span = _span_from(us, i)
                cand = s * rank_bonus
                if i == body_start:
                    cand *= 1.05  # a section's first sentence usually states its point
                if span[-1].kind == "intro":
                    cand *= 0.3  # "Here are the most common reasons:" with nothing after it answers nothing
            if quantity and not any(quantity.search(LIST_ITEM.sub("", x.text)) for x in span):
                cand *= 0.75  # "how many computers?" is answered by "2 computers", not by the steps to activate
            if best is None or cand > best.score:
                if doc_rank and (cand < OTHER_DOC_MIN * doc_weight or not (q & frozenset().union(u.terms, *(x.terms for x in span))) - in_first_doc):
                    continue  # another doc only wins by stating much of the question, with words the chosen doc lacks
                best = Extract(_render(_with_lead(us, span)), cand, span[-1].hit or u.hit or hits[0])
    if best is None or not best.text:
        us = docs[0][2] if docs else []
        first = next((i for i, u in enumerate(us) if u.kind not in ("heading", "question")), None)
        if first is None:
            return None
        best = Extract(_render(_with_lead(us, _span_from(us, first))), 0.0, us[first].hit or hits[0])
    return best


_QUANTITY = re.compile(r"\bhow (?:many|much|long|often|soon)\b|\bwie (?:viele?|oft|lange)\b|\bcombien\b|\bcu[aá]nt[oa]s?\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|twice|unlimited)\b", re.IGNORECASE)
_PRICE = re.compile(r"\bhow much\b|\b(?:cost|costs|price|prices|pricing|expensive|cheap)\b|\bwie viel\b|\bcombien\b|\bcu[aá]nto cuesta\b|\bprecio\b|\bprix\b|\bpreis\b|\bkostet\b", re.IGNORECASE)
_MONEY = re.compile(r"[€$£]\s?\d|\d\s?(?:€|eur|usd|gbp)\b|\bfree\b|\bno charge\b", re.IGNORECASE)


def _position(hit) -> int | None:
    """The chunk's place in its doc, from ids like ``refund-policy#3`` (None when unknown)."""
    tail = str(getattr(hit, "chunk_id", "")).rpartition("#")[2]
    return int(tail) if tail.isdigit() else None


def _passages(hits: list) -> list[tuple[int, int, list[Unit]]]:
    """The hits as passages of units, ``(doc_rank, rank, units)``, best doc first.

    Chunks of one doc that follow each other in it are joined into one passage, so a heading or a
    question at the end of one chunk finds its answer at the start of the next, and a section's
    heading is not repeated over its second chunk (where the text under it is not the start).
    """
    by_doc: dict[str, list] = {}
    for rank, hit in enumerate(hits):
        by_doc.setdefault(hit.slug, []).append((rank, hit))
    out = []
    for doc_rank, ranked in enumerate(by_doc.values()):
        ranked = ranked[:3]
        ordered = sorted(ranked, key=lambda rh: (_position(rh[1]) is None, _position(rh[1]) or 0, rh[0]))
        groups: list[list] = []
        for rank, hit in ordered:
            pos = _position(hit)
            last = groups[-1][-1][1] if groups else None
            if last is not None and pos is not None and _position(last) == pos - 1:
                groups[-1].append((rank, hit))
            else:
                groups.append([(rank, hit)])
        for group in groups:
            us: list[Unit] = []
            previous_section = None
            for _, hit in group:
                chunk = units(hit.text)
                if hit.section != previous_section:
                    section = (hit.section or "").split("›")[-1].strip()
                    if section and not (chunk and chunk[0].kind in ("heading", "question") and chunk[0].text == section):
                        chunk.insert(0, Unit("question" if section.endswith("?") else "heading", section, -1))
                previous_section = hit.section
                offset = max((u.block for u in us), default=-1) + 2
                for u in chunk:
                    u.terms = terms(u.text)
                    u.hit = hit
                    if us:
                        u.block += offset
                us.extend(chunk)
            if us:  # a chunk that is only a table or code has nothing to quote
                out.append((doc_rank, min(rank for rank, _ in group), us))
    out.sort(key=lambda p: (p[0], p[1]))
    # Passages are ranked within their doc (the doc itself is weighed by ``extract``).
    ranks: dict[int, int] = {}
    ranked_out = []
    for doc_rank, _, us in out:
        ranked_out.append((doc_rank, ranks.get(doc_rank, 0), us))
        ranks[doc_rank] = ranks.get(doc_rank, 0) + 1
    return ranked_out


def _with_lead(us: list[Unit], span: list[Unit]) -> list[Unit]:
    """A list shown without its introduction (the chunk starts mid-list) whose first item is a lower-case
    fragment ("deliver finished work to clients…") gets its section heading in front, so it reads as
    an answer. Items that start with a bold or code label read well alone."""
    if not span or span[0].kind != "item" or not LIST_ITEM.sub("", span[0].text)[:1].islower():
        return span
    i = next((n for n, u in enumerate(us) if u is span[0]), None)
    heading = next((u for u in reversed(us[:i]) if u.kind in ("heading", "question")), None) if i is not None else None
    if heading is None:
        return span
    return [Unit("lead", heading.text.rstrip(":?.") + ":", -2, hit=heading.hit), *span]


def _weights(q: frozenset, pool: list[Unit]) -> dict:
    n = len(pool)
    return {t: 1.0 + math.log((n + 1) / (1 + sum(t in u.terms for u in pool))) for t in q}


def _body_after(us: list[Unit], i: int) -> list[Unit]:
    """The answer under heading/question ``i``: its first sentences, or its intro and list."""
    body = []
    for u in us[i + 1 :]:
        if u.kind in ("heading", "question"):
            break
        body.append(u)
    if not body:
        return []
    span = _span_from(body, 0)
    # One short sentence ("Upload the WOFF2 files to your site.") brings the next paragraph along.
    rest = body[len(span):]
    if all(x.kind == "sentence" for x in span) and sum(len(x.text) for x in span) < 120 and rest and rest[0].kind in ("sentence", "intro"):
        span += _span_from(rest, 0)
    return span


def _span_from(us: list[Unit], i: int) -> list[Unit]:
    """Unit ``i`` and what must come with it to read well (an intro's list, a list's neighbours)."""
    span = _span_core(us, i)
    # An intro that leans on the sentence before it ("It includes everything in Standard, plus:").
    first = span[0]
    j = next((n for n, x in enumerate(us) if x is first), 0)
    if first.kind == "intro" and j > 0 and us[j - 1].kind == "sentence" and us[j - 1].block == first.block and _ANAPHORA.match(first.text):
        span = [us[j - 1], *span]
    return span


_NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s")


def _span_core(us: list[Unit], i: int) -> list[Unit]:
    u = us[i]
    span = [u]
    if u.kind == "sentence" and i > 0 and us[i - 1].kind == "intro":
        span = [us[i - 1], u]  # "Go to your receipt and click Manage:" + "Click Cancel on the next screen."
    elif u.kind == "intro" and (i + 1 >= len(us) or us[i + 1].kind != "item"):
        for x in us[i + 1 : i + 3]:  # an intro whose list or example is not in the passage: what follows it
            if x.kind not in ("sentence", "intro"):
                break
            span.append(x)
    elif u.kind == "intro" or (u.kind == "sentence" and i + 1 < len(us) and us[i + 1].kind == "item" and us[i + 1].block != u.block):
        items = []
        for x in us[i + 1 :]:
            if x.kind != "item" or len(items) >= MAX_ITEMS:
                break
            items.append(x)
        if u.kind == "intro" or items:
            span += items
    elif u.kind == "item":
        start = i
        while start > 0 and us[start - 1].kind == "item":
            start -= 1
        intro = [us[start - 1]] if start > 0 and us[start - 1].kind == "intro" else []
        items = []
        for x in us[start:]:
            if x.kind != "item":
                break
            items.append(x)
        if _NUMBERED.match(items[0].text):
            # Steps: the whole (short) list, so step 2 is not read alone.
            span = intro + (items if len(items) <= MAX_ITEMS else items[max(0, i - start - 2) : i - start + 3])
        else:
            # Facts or tips: the matching item and the two after it ("Customers outside the EU…" is
            # the answer about US VAT; the four other countries' rules are not).
            span = intro + items[i - start : i - start + 3]
    else:
        # A sentence that leans on the one before ("Then disable those features…") brings it along.
        if i > 0 and us[i - 1].block == u.block and us[i - 1].kind == "sentence" and _ANAPHORA.match(u.text):
            span = [us[i - 1], u]
        # Add the next sentences of the same paragraph while they are short.
        for x in us[i + 1 :]:
            if x.block != u.block or x.kind not in ("sentence", "intro") or len(span) >= MAX_SENTENCES:
                break
            if sum(len(s.text) for s in span) + len(x.text) > 320:
                break
            span.append(x)
            if x.kind == "intro":
                span += [y for y in us[us.index(x) + 1 :][:MAX_ITEMS] if y.kind == "item"]
                break
    return span


_ANAPHORA = re.compile(r"^(?:(?:it|this|that|these|those|they|them|also|however|but|so|then|otherwise)\b|(?:\S+\s+){0,5}(?:those|these|them)\b)",
                      re.IGNORECASE)


def _render(span: list[Unit]) -> str:
    """Units back to readable Markdown: sentences of a paragraph together, one line per list item."""
    parts: list[list] = []  # [kind, texts, block]
    chars = 0
    for u in span:
        if chars > MAX_CHARS:
            break
        if u.kind == "item":
            if parts and parts[-1][0] == "list":
                parts[-1][1].append(u.text)
            else:
                parts.append(["list", [u.text], u.block])
        elif parts and parts[-1][0] == "para" and parts[-1][2] == u.block:
            parts[-1][1].append(u.text)
        else:
            parts.append(["para", [u.text], u.block])
        chars += len(u.text)
    if len(parts) >= 1 and parts[-1][0] == "list" and len(parts[-1][1]) == 1:
        parts[-1][1] = [LIST_ITEM.sub("", parts[-1][1][0])]  # one bullet on its own reads as a sentence
        parts[-1][0] = "para"
    if len(parts) == 2 and parts[0][2] == -2 and parts[1][0] == "para":
        return f"**{parts[0][1][0]}** {' '.join(parts[1][1])}"
    return "\n\n".join(("\n" if kind == "list" else " ").join(texts) for kind, texts, _ in parts).strip()


_MARKUP = re.compile(r"\*\*|__|`|!?\[([^\]]*)\]\([^)]*\)")


def likely_sentence(question: str, hit, *, max_chars: int = 160) -> str:
    """The sentence (or list item) of ``hit`` sharing most of the question's words: why the guide looks
    likely, shown next to its link when the answer gate is unsure. "" when none shares a word."""
    q = question_terms(question)
    best, shared = "", 0
    for unit in units(hit.text):
        if unit.kind == "heading":
            continue
        n = len(q & terms(unit.text))
        if n > shared:
            best, shared = unit.text, n
    text = " ".join(_MARKUP.sub(lambda m: m.group(1) or "", LIST_ITEM.sub("", best)).split())
    return text if len(text) <= max_chars else text[: max_chars - 1].rsplit(" ", 1)[0] + "…"
