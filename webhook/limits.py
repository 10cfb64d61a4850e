"""Who a widget request counts against: rate-limit keys and open-stream slots.

A request that carries a conversation's right token counts against that conversation (so one chatty
tab cannot starve others, and a new address does not reset it). A request with a missing or wrong
token counts only against its address, under its own small allowance: a stranger who knows a
conversation id can no longer use up the owner's allowance and lock them out.

Open live streams are counted in Redis (so every web process sees the same count) as sorted sets of
slot ids scored by expiry: a stream refreshes its slot at each keep-alive and releases it when it
ends, and the slot of a process that died expires by itself after ``SLOT_TTL_SECONDS``.
"""

from __future__ import annotations

import hashlib
import time
import uuid

import redis
from flask import g, request
from flask_limiter.util import get_remote_address

from conversations import Conversation, ConversationStore, NotFound

# Take a slot if fewer than ARGV[3] are live: KEYS[1] slots; ARGV now, expiry, max, slot id.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIREAT', KEYS[1], math.floor(tonumber(ARGV[2]) * 1000))
return 1
"""


def bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def token_conversation(store: ConversationStore) -> Conversation | None:
    """The conversation of this request if its bearer token is right, else None (checked once per request)."""
    if "baton_conv" not in g:
        conv_id = (request.view_args or {}).get("conv_id", "")
        token = bearer_token()
        conv = None
        if conv_id and token:
            try:
                conv = store.authenticate(conv_id, token)
            except NotFound:
                conv = None
        g.baton_conv = conv
    return g.baton_conv


def conversation_key() -> str:
    return "conv:" + (request.view_args or {}).get("conv_id", "")


def address_key() -> str:
    return "addr:" + get_remote_address()


def _address_id(address: str) -> str:
    """Addresses are personal data: Redis keys carry a digest, not the address."""
    return hashlib.sha256(address.encode()).hexdigest()[:24]


class StreamSlots:
    """At most ``per_conversation`` open streams per conversation and ``per_address`` per address."""

    SLOT_TTL_SECONDS = 45  # three keep-alives: a live stream refreshes long before

    def __init__(self, client: redis.Redis, per_conversation: int, per_address: int):
        self.r = client
        self.per_conversation, self.per_address = per_conversation, per_address
        self._acquire = client.register_script(_ACQUIRE)

    @staticmethod
    def _keys(conv_id: str, address: str) -> tuple[str, str]:
        return f"baton:{{{conv_id}}}:streams", f"baton:streams:{_address_id(address)}"

    def acquire(self, conv_id: str, address: str) -> str | None:
        """A slot id, or None when the conversation or the address has its maximum open."""
        slot = uuid.uuid4().hex
        conv_key, addr_key = self._keys(conv_id, address)
        now = time.time()
        expiry = now + self.SLOT_TTL_SECONDS
        # Two scripts, not one: the keys live in different cluster slots.
        if not self._acquire(keys=[conv_key], args=[now, expiry, self.per_conversation, slot]):
            return None
        if not self._acquire(keys=[addr_key], args=[now, expiry, self.per_address, slot]):
            self.r.zrem(conv_key, slot)
            return None
        return slot

    def refresh(self, conv_id: str, address: str, slot: str) -> None:
        expiry = time.time() + self.SLOT_TTL_SECONDS
        pipe = self.r.pipeline(transaction=False)
        for key in self._keys(conv_id, address):
            pipe.zadd(key, {slot: expiry}, xx=True)
            pipe.expireat(key, int(expiry) + 1)
        pipe.execute()

    def release(self, conv_id: str, address: str, slot: str) -> None:
        for key in self._keys(conv_id, address):
            self.r.zrem(key, slot)
