"""The domain core: conversations as append-only logs in Redis, and the handoff state machine.

Owns: Conversation, Entry, State, the Redis store (log, hash, indexes), transitions, live fan-out.
May import: redis and the standard library only. Nothing here knows Flask, Slack or Claude.
"""

from conversations.errors import (
    ConversationError,
    Empty,
    InvalidTransition,
    NotFound,
    TooLong,
)
from conversations.machine import Event, State
from conversations.models import Conversation, Entry
from conversations.store import ConversationStore

__all__ = [
    "Conversation",
    "ConversationError",
    "ConversationStore",
    "Empty",
    "Entry",
    "Event",
    "InvalidTransition",
    "NotFound",
    "State",
    "TooLong",
]
