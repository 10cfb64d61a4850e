"""Identity verification: a store's server vouches for its logged-in user.

The store's server computes ``hash = hex(HMAC-SHA256(BATON_IDENTITY_SECRET, user.id))`` and hands
``user: {id, email, name, hash}`` to the widget (``window.BatonSettings.user``), which passes it
when it creates a conversation. Only the store's server knows the secret, so a shopper cannot
claim somebody else's id or e-mail: a wrong hash is refused and nothing is stored. A verified
customer carries ``verified: true`` and the store's ``user_id``; anything a shopper merely typed
stays unverified, and custom actions bound to the identity are not offered for it (docs/rules.md).
"""

from __future__ import annotations

import hashlib
import hmac
import re

MAX_USER_ID = 200
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


class IdentityInvalid(Exception):
    """The ``user`` object is malformed or its hash does not match; the message says which."""


def user_hash(secret: str, user_id: str) -> str:
    """The hash a store's server sends with ``user_id`` (what the README's snippets compute)."""
    return hmac.new(secret.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()


def verify_user(raw, secret: str) -> str:
    """The verified user id from a ``user`` object, or IdentityInvalid (nothing is trusted half-way)."""
    if not isinstance(raw, dict):
        raise IdentityInvalid("'user' must be an object {id, email, name, hash}.")
    user_id, given = raw.get("id"), raw.get("hash")
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        user_id = str(user_id)
    if not isinstance(user_id, str) or not user_id.strip() or len(user_id) > MAX_USER_ID:
        raise IdentityInvalid(f"'user.id' must be a non-empty string of at most {MAX_USER_ID} characters.")
    if not secret:
        raise IdentityInvalid("This Baton has no BATON_IDENTITY_SECRET set, so it cannot verify 'user'; set it, or leave 'user' out.")
    if not isinstance(given, str) or not _HEX64.match(given):
        raise IdentityInvalid("'user.hash' must be the hex HMAC-SHA256 of 'user.id' under BATON_IDENTITY_SECRET (64 hex digits).")
    if not hmac.compare_digest(user_hash(secret, user_id), given.lower()):
        raise IdentityInvalid("'user.hash' does not match 'user.id': sign the id with BATON_IDENTITY_SECRET on your server.")
    return user_id
