"""What a job needs, built once per worker process from the environment.

Job functions call ``get()``; the result is cached per settings so a long-lived SimpleWorker
opens LanceDB, the embedding model and the rules file once, not per job.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property

import config
from conversations import ConversationStore
from conversations.store import connect

log = logging.getLogger(__name__)
_lock = threading.Lock()
_cache: dict[config.Settings, Context] = {}


class Context:
    def __init__(self, settings: config.Settings):
        self.settings = settings
        self.redis = connect(settings.redis_url)
        self.store = ConversationStore(self.redis, max_chars=max(settings.max_message_chars, 20000))

    @cached_property
    def kb(self):
        from knowledge import KnowledgeBase
        from knowledge.embeddings import load_embedder

        return KnowledgeBase(self.settings.index_dir, load_embedder(self.settings.embedder))

    @cached_property
    def rules(self):
        from agent.rules import RuleEngine

        return RuleEngine(self.settings.rules_path, settings=self.settings)

    @cached_property
    def hours(self):
        """The store's business hours from the rules file's [store] (``agent.rules.BusinessHours``), or None."""
        from agent.rules import load_rules

        return load_rules(self.settings.rules_path, self.settings).hours

    @cached_property
    def agent(self):
        from agent import build_agent

        return build_agent(self.settings, self.kb, self.rules)

    @cached_property
    def slack(self):
        """A Slack WebClient, or None when Slack is not configured."""
        if not self.settings.slack_bot_token:
            return None
        from bot.app import web_client

        return web_client(self.settings)


def get(settings: config.Settings | None = None) -> Context:
    settings = settings or config.load()
    with _lock:
        ctx = _cache.get(settings)
        if ctx is None:
            ctx = _cache[settings] = Context(settings)
        return ctx
