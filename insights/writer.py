"""Words for the digest: topic names, suggested doc titles and draft articles.

Offline (no API key) the digest uses the grouping's own names and the team's cleaned replies; that
result stands alone. With ``ANTHROPIC_API_KEY`` set, :class:`ClaudeWriter` asks Claude for shorter
names, titles and a written article. A failed or malformed answer falls back to the offline words:
the digest is never blocked on the API. Only topic keywords, a few shopper questions and the team's
cleaned replies are sent.
"""

from __future__ import annotations

import json
import logging
import re

log = logging.getLogger(__name__)

MAX_SAMPLES = 5  # shopper questions per topic sent for naming
MAX_NAME_CHARS = 60


def offline_title(name: str, keywords: list[str] | None = None) -> str:
    """A doc title from a topic's offline name: "download limit reached" -> "Download limit reached".
    A one-word name is widened with the topic's next keywords ("download" -> "Download limit reached")."""
    name = re.sub(r"\s+", " ", name).strip(" .?!")
    if len(name.split()) < 2 and keywords:
        words = [name] if name else []
        for keyword in keywords:
            for word in keyword.split():
                if word.isascii() and word.isalpha() and word.lower() not in {w.lower() for w in words}:
                    words.append(word)
            if len(words) >= 3:
                break
        name = " ".join(words[:3])
    return (name[:1].upper() + name[1:]) if name else "Untitled topic"


class OfflineWriter:
    """No model: the grouping's names stand, drafts are the team's replies."""

    name = "offline"

    def name_topics(self, topics: list[dict]) -> list[str | None]:
        return [None] * len(topics)

    def draft(self, title: str, keywords: list[str], replies: list[str]) -> str | None:
        return None

    def close(self) -> None:
        pass


class ClaudeWriter:
    """Claude names topics and writes drafts; any API trouble gives the offline result instead."""

    name = "claude"

    def __init__(self, settings, client=None):
        import anthropic

        self.model = settings.anthropic_model
        self.client = client or anthropic.Anthropic(api_key=settings.anthropic_api_key, base_url=settings.anthropic_base_url or None,
                                                    timeout=settings.anthropic_timeout, max_retries=settings.anthropic_max_retries)
        self.store_name = settings.store_name

    def close(self) -> None:
        """Close the HTTP connections (the digest job builds a writer per digest)."""
        self.client.close()

    def _ask(self, system: str, prompt: str, max_tokens: int) -> str | None:
        import anthropic

        try:
            message = self.client.messages.create(model=self.model, max_tokens=max_tokens, system=system,
                                                  messages=[{"role": "user", "content": prompt}])
        except anthropic.APIError as err:
            log.warning("Claude could not write for the digest (%s); using the offline words", type(err).__name__)
            return None
        return "".join(block.text for block in message.content if getattr(block, "type", "") == "text").strip() or None

    def name_topics(self, topics: list[dict]) -> list[str | None]:
        """``topics``: [{name, keywords, samples}] -> a short name for each (None keeps the offline one)."""
        if not topics:
            return []
        listing = "\n".join(
            f"{i + 1}. offline name: {t['name']}; keywords: {', '.join(t['keywords'][:6])}; questions: "
            + " | ".join(s[:160] for s in t["samples"][:MAX_SAMPLES])
            for i, t in enumerate(topics)
        )
        text = self._ask(
            f"You name recurring support topics for the team of {self.store_name}, an online store of digital goods. "
            "Answer with a JSON array of strings only, one name per topic in order: 2-5 words, English, sentence case, "
            "describing the shopper's problem (e.g. \"Download limit reached\").",
            listing, 400)
        if not text:
            return [None] * len(topics)
        match = re.search(r"\[.*\]", text, re.S)
        try:
            names = json.loads(match.group(0)) if match else None
        except json.JSONDecodeError:
            names = None
        if not isinstance(names, list) or len(names) != len(topics):
            log.warning("Claude's topic names were not a list of %d names; using the offline names", len(topics))
            return [None] * len(topics)
        return [str(n).strip()[:MAX_NAME_CHARS] or None if isinstance(n, str) else None for n in names]

    def draft(self, title: str, keywords: list[str], replies: list[str]) -> str | None:
        """A Markdown help article written from the team's replies (None: use the offline draft)."""
        prompt = (f"Title: {title}\nKeywords: {', '.join(keywords[:8])}\n\nWhat our team replied to shoppers, "
                  "most common first:\n" + "\n".join(f"- {r}" for r in replies))
        text = self._ask(
            f"You write help-center articles for {self.store_name}, an online store of digital goods. Write a short "
            "Markdown article that starts with '# ' and the given title, using only facts found in the team's replies; "
            "no names, e-mail addresses or order numbers. Steps as a numbered list where there are steps.",
            prompt, 1200)
        if not text or not text.lstrip().startswith("#"):
            return None
        return text


def build_writer(settings):
    return ClaudeWriter(settings) if settings.anthropic_enabled else OfflineWriter()
