"""A suggested reply for the team: what a team member could send the shopper, in one click.

Not the AI's turn (the conversation is with the team and the AI stays silent): a draft a person
reads, may edit, and sends under their own name. Offline it is the best passage from the docs for
what the shopper asked; with Claude it is an answer drafted from the docs and the conversation, and
if the API fails the offline passage stands in. Uses only public entry points of knowledge/
(``KnowledgeBase.search``), so it does not depend on the agent's internals.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

MAX_CHARS = 2900  # Slack's plain_text_input holds 3,000 characters: a draft must fit the edit modal
PASSAGES = 3  # docs passages given to Claude
QUESTION_MESSAGES = 3  # the shopper's last messages that make the search query
TRANSCRIPT_CHARS = 6000  # the conversation's tail given to Claude


@dataclass
class Draft:
    text: str
    kind: str  # "docs" (the best passage) or "claude"
    sources: list[dict] = field(default_factory=list)  # [{title, url}]


def _question(entries) -> str:
    """What the shopper asked that nobody answered: their messages since the last AI or team reply
    (at most the last few), else their last message."""
    said: list[str] = []
    for e in entries:
        if e.type != "message" or not e.text:
            continue
        if e.role == "customer":
            said.append(e.text)
        elif e.role in ("ai", "agent"):
            said = []
    if not said:
        said = [e.text for e in entries if e.type == "message" and e.role == "customer" and e.text][-1:]
    return "\n".join(said[-QUESTION_MESSAGES:])


def _source(hit) -> dict:
    return {"title": hit.citation_title, "url": hit.url}


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1].rstrip() + "…"


def from_docs(hits) -> Draft | None:
    """The best passage, as a reply that names its guide; None when the docs have nothing."""
    if not hits:
        return None
    best = hits[0]
    link = f"[{best.citation_title}]({best.url})" if best.url else best.citation_title
    text = f"{best.text.strip()}\n\nMore in our guide: {link}"
    return Draft(_clip(text), "docs", [_source(best)])


SYSTEM = (
    "You draft a reply that a support team member of {store} will read, may edit, and send to a "
    "shopper under their own name. Write only the reply itself, in the shopper's language, in a "
    "{tone} tone: no preamble, no notes to the team, no sign-off with a name. Use only facts from the "
    "docs passages given; if they do not answer the question, write a short reply that says what "
    "the team will check and asks for what is missing (an order number, an e-mail). Never promise a "
    "refund, a discount or anything the passages do not state. At most 120 words, Markdown links allowed."
)


def _transcript(entries) -> str:
    lines = []
    for e in entries:
        if e.type != "message" or not e.text:
            continue
        who = {"customer": "Shopper", "ai": "AI assistant", "agent": "Team"}.get(e.role, e.role)
        lines.append(f"{who}: {e.text}")
    text = "\n".join(lines)
    return text[-TRANSCRIPT_CHARS:]


def with_claude(settings, entries, hits, *, client=None) -> Draft:
    """Claude's draft from the conversation and the passages. Raises ``anthropic.APIError`` (and
    its subclasses) on failure; the caller falls back to ``from_docs``."""
    import anthropic

    own = client is None
    client = client or anthropic.Anthropic(
        api_key=settings.anthropic_api_key,
        base_url=settings.anthropic_base_url or None,
        timeout=settings.anthropic_timeout,
        max_retries=settings.anthropic_max_retries,
    )
    passages = "\n\n".join(
        f"<passage title=\"{h.citation_title}\" url=\"{h.url}\">\n{h.text.strip()}\n</passage>" for h in hits[:PASSAGES]
    ) or "(no passage matched)"
    prompt = f"<conversation>\n{_transcript(entries)}\n</conversation>\n\n<docs>\n{passages}\n</docs>\n\nDraft the team's reply to the shopper."
    try:
        message = client.messages.create(
            model=settings.anthropic_model,
            max_tokens=600,
            system=SYSTEM.format(store=settings.store_name, tone=settings.store_tone),
            messages=[{"role": "user", "content": prompt}],
        )
    finally:
        if own:
            client.close()
    text = "".join(getattr(b, "text", "") for b in message.content if getattr(b, "type", "") == "text").strip()
    if not text:
        raise ValueError("Claude returned no text for the draft")
    return Draft(_clip(text), "claude", [_source(h) for h in hits[:PASSAGES]])


def suggest(settings, kb, entries) -> Draft | None:
    """The draft for a conversation's entries (oldest first); None when there is nothing to suggest."""
    question = _question(entries)
    if not question:
        return None
    hits = sorted(kb.search(question, k=PASSAGES), key=lambda h: h.relevance, reverse=True)
    if getattr(settings, "anthropic_enabled", False):
        import anthropic

        try:
            return with_claude(settings, entries, hits)
        except (anthropic.APIError, ValueError) as err:
            log.warning("Claude could not draft a reply (%s); suggesting the docs passage instead", type(err).__name__)
    return from_docs(hits)
