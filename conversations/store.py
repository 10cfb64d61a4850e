"""The Redis store: one hash and one Stream per conversation, plus a few indexes.

Keys (hash-tagged per conversation so a cluster keeps them together):
    baton:{<id>}:conv      hash: state, number, customer, token hash, Slack thread, escalation …
    baton:{<id>}:log       Stream: the append-only log (entry id = stream id)
    baton:{<id>}:clients   hash: client message id → entry id (idempotent posts; a Slack reply's
                           ``slack:<channel>:<ts>`` is also how its later edit or delete finds it)
    baton:numbers          hash: conversation number → id
    baton:threads          hash: "<channel>:<thread ts>" → id
    baton:recent           sorted set: id by last update (listing, digests)
    baton:open             sorted set: ids not closed, by last update (inbox lists, idle close)
    baton:seq              counter for conversation numbers (first is 1001)
    baton:first_replies    sorted set: how long conversations waited for a person, by pick-up time
    baton:customer:<hash>  sorted set: a customer's conversation ids by creation time (key: sha256 of
                           the verified identity, else of the e-mail), for "earlier conversations"
    baton:{<id>}:tokens    set: hashes of further tokens (issued when a resume code is exchanged)
    baton:{<id>}:watchers  sorted set: open widget streams → when their lease ends (Unix time)
    baton:resume:<hash>    string with a TTL: a one-time resume code → conversation id
Live fan-out: every append publishes ``<id> <entry id>`` on the ``baton:live`` channel.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Iterable

import redis

from conversations import notices
from conversations.errors import Empty, InvalidTransition, NotFound, TooLong
from conversations.machine import TRANSITIONS, Event, State
from conversations.models import DELETE, EDIT, EVENT, INTERNAL, MESSAGE, NOTE, PUBLIC, Conversation, Entry, latest_revisions

LIVE_CHANNEL = "baton:live"
FIRST_REPLIES = "baton:first_replies"  # sorted set: "<id>:<time>:<seconds waited>" by pick-up time
FIRST_NUMBER = 1001
MAX_LOG_ENTRIES = 5000  # a conversation longer than this is refused further entries
# ...except deletions, so a reply sent by mistake can always be withdrawn (one per message at most).
MAX_LOG_ENTRIES_FOR_DELETES = 2 * MAX_LOG_ENTRIES

# KEYS: conv hash, log, clients. ARGV: client_id, now, max entries, required state ('' = any),
# then stream field/value pairs. Appends once per client_id; returns {entry id, created}, or
# {'', 0} when the conversation is not in the required state.
_APPEND = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return redis.error_reply('NOTFOUND') end
if ARGV[1] ~= '' then
  local seen = redis.call('HGET', KEYS[3], ARGV[1])
  if seen then return {seen, 0} end
end
if ARGV[4] ~= '' and ARGV[4] ~= state then return {'', 0} end
if redis.call('XLEN', KEYS[2]) >= tonumber(ARGV[3]) then return redis.error_reply('FULL') end
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
local id = redis.call('XADD', KEYS[2], '*', unpack(fields))
if ARGV[1] ~= '' then redis.call('HSET', KEYS[3], ARGV[1], id) end
redis.call('HSET', KEYS[1], 'updated_at', ARGV[2])
return {id, 1}
"""

# KEYS: conv hash, log. ARGV: to state, now, set assignee ('1' or ''), assignee, n allowed states,
# allowed…, then field/value pairs. Moves the state (and the assignee with it) and logs the event
# atomically; entering ``waiting`` records when (``waiting_since``). Returns {1, entry id, previous state}
# or {0, current state}.
_TRANSITION = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return redis.error_reply('NOTFOUND') end
local n = tonumber(ARGV[5])
local ok = false
for i = 6, 5 + n do if ARGV[i] == state then ok = true end end
if not ok then return {0, state} end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'updated_at', ARGV[2])
if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'assignee', ARGV[4]) end
if ARGV[1] == 'waiting' then redis.call('HSET', KEYS[1], 'waiting_since', ARGV[2]) end
local fields = {}
for i = 6 + n, #ARGV do fields[#fields + 1] = ARGV[i] end
local id = redis.call('XADD', KEYS[2], '*', unpack(fields))
return {1, id, state}
"""

# KEYS: conv hash. ARGV: user, required state. Makes ``user`` the assignee if nobody holds the
# conversation and it is in the required state; returns {1, user} or {0, current holder or ''}.
_CLAIM = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return redis.error_reply('NOTFOUND') end
local holder = redis.call('HGET', KEYS[1], 'assignee') or ''
if holder == ARGV[1] then return {1, holder} end
if holder ~= '' or state ~= ARGV[2] then return {0, holder} end
redis.call('HSET', KEYS[1], 'assignee', ARGV[1])
return {1, ARGV[1]}
"""

# Events after which nobody holds the conversation any more.
_RELEASES = frozenset({Event.HAND_BACK, Event.CLOSE, Event.REOPEN})


def connect(url: str) -> redis.Redis:
    """A Redis client that rides out a Redis restart by itself.

    Connection and timeout errors are retried four times with a short jittered back-off (under a
    second in all), so a restart of a few hundred milliseconds is invisible and a real outage
    surfaces quickly as a ``redis.ConnectionError`` (the web answers 503, Slack gets a 503 and
    redelivers, RQ retries the job). Connections idle for 30 s are pinged before reuse, so one
    broken by a restart is replaced instead of failing the first command.
    """
    from redis.backoff import ExponentialWithJitterBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        url,
        retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), 4),
        health_check_interval=30,
        socket_keepalive=True,
        socket_connect_timeout=5,
    )


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def customer_key(customer: dict) -> str:
    """The index key of a customer's conversations: by verified identity, else by e-mail ("" if neither).
    Hashed, so the key names carry no personal data."""
    if customer.get("verified") is True and customer.get("user_id"):
        ident = "user:" + str(customer["user_id"])
    elif customer.get("email"):
        ident = "email:" + str(customer["email"]).strip().lower()
    else:
        return ""
    return "baton:customer:" + hashlib.sha256(ident.encode()).hexdigest()[:32]


class ConversationStore:
    """All reads and writes of conversations go through here."""

    def __init__(self, client: redis.Redis, *, max_chars: int = 4000):
        self.r = client
        self.max_chars = max_chars
        self._append = client.register_script(_APPEND)
        self._transition = client.register_script(_TRANSITION)
        self._claim = client.register_script(_CLAIM)

    @classmethod
    def from_url(cls, url: str, **kwargs) -> ConversationStore:
        return cls(connect(url), **kwargs)

    # keys
    @staticmethod
    def _k(conv_id: str, part: str) -> str:
        return f"baton:{{{conv_id}}}:{part}"

    # conversations
    def create(self, customer: dict | None = None, page_url: str = "", locale: str = "") -> tuple[Conversation, str]:
        """Start a conversation; returns it and its secret token (shown once, stored hashed).

        ``locale``: the shopper's language tag as the widget saw it; Baton's own notices use it."""
        conv_id = uuid.uuid4().hex
        token = secrets.token_urlsafe(32)
        number = FIRST_NUMBER - 1 + int(self.r.incr("baton:seq"))
        now = time.time()
        mapping = {
            "id": conv_id,
            "number": number,
            "state": State.AI.value,
            "token": _hash_token(token),
            "customer": json.dumps(customer or {}),
            "page_url": page_url or "",
            "locale": locale or "",
            "created_at": now,
            "updated_at": now,
        }
        pipe = self.r.pipeline()
        pipe.hset(self._k(conv_id, "conv"), mapping=mapping)
        pipe.hset("baton:numbers", str(number), conv_id)
        pipe.zadd("baton:recent", {conv_id: now})
        pipe.zadd("baton:open", {conv_id: now})
        key = customer_key(customer or {})
        if key:
            pipe.zadd(key, {conv_id: now})
        pipe.execute()
        return self.get(conv_id), token

    def get(self, conv_id: str) -> Conversation:
        data = self.r.hgetall(self._k(conv_id, "conv")) if conv_id else None
        if not data:
            raise NotFound("no such conversation")
        return Conversation.from_hash(data)

    def authenticate(self, conv_id: str, token: str | None) -> Conversation:
        """The conversation if ``token`` is its secret; NotFound otherwise (reveals nothing)."""
        stored = self.r.hget(self._k(conv_id, "conv"), "token") if conv_id else None
        if not stored or not token:
            raise NotFound("no such conversation")
        hashed = _hash_token(token)
        if not hmac.compare_digest(stored.decode(), hashed) and not self.r.sismember(self._k(conv_id, "tokens"), hashed):
            raise NotFound("no such conversation")
        return self.get(conv_id)

    # resuming on another device (the link in a follow-up e-mail)
    def issue_resume_code(self, conv_id: str, ttl: float) -> str:
        """A one-time code that ``redeem_resume_code`` exchanges for a token within ``ttl`` seconds.
        Stored hashed; the conversation's token itself is never handed out again."""
        code = secrets.token_urlsafe(24)
        self.r.set(f"baton:resume:{_hash_token(code)}", conv_id, ex=max(1, int(ttl)))
        return code

    def redeem_resume_code(self, code: str) -> tuple[Conversation, str]:
        """The conversation and a new token of its own for ``code``; the code is used up (even when
        two requests race, only one gets the token). NotFound when unknown, used or expired."""
        conv_id = self.r.getdel(f"baton:resume:{_hash_token(code)}") if code else None
        if not conv_id:
            raise NotFound("that link has expired or was already used")
        conv = self.get(conv_id.decode())
        token = secrets.token_urlsafe(32)
        self.r.sadd(self._k(conv.id, "tokens"), _hash_token(token))
        return conv, token

    # who is watching (open widget streams), for deciding whether a reply needs an e-mail
    def watch(self, conv_id: str, stream_id: str, lease: float) -> None:
        """Note (or renew) an open widget stream for ``lease`` seconds."""
        self.r.zadd(self._k(conv_id, "watchers"), {stream_id: time.time() + lease})

    def unwatch(self, conv_id: str, stream_id: str) -> None:
        self.r.zrem(self._k(conv_id, "watchers"), stream_id)

    def watched(self, conv_id: str) -> bool:
        """Whether a widget stream is open on the conversation now (expired leases do not count)."""
        key = self._k(conv_id, "watchers")
        now = time.time()
        pipe = self.r.pipeline()
        pipe.zremrangebyscore(key, "-inf", now)
        pipe.zcard(key)
        return bool(pipe.execute()[1])

    def by_number(self, number: int | str) -> Conversation:
        conv_id = self.r.hget("baton:numbers", str(number).lstrip("#"))
        if not conv_id:
            raise NotFound(f"there is no conversation #{number}")
        return self.get(conv_id.decode())

    def idle(self, before: float, limit: int = 1000) -> list[str]:
        """Ids of open conversations last updated before ``before`` (a Unix time), oldest first."""
        return [raw.decode() for raw in self.r.zrangebyscore("baton:open", "-inf", before, start=0, num=limit)]

    def open_between(self, after: float, before: float, limit: int = 1000) -> list[str]:
        """Ids of open conversations last updated between two Unix times, oldest first."""
        return [raw.decode() for raw in self.r.zrangebyscore("baton:open", after, before, start=0, num=limit)]

    def by_thread(self, channel: str, thread_ts: str) -> Conversation | None:
        conv_id = self.r.hget("baton:threads", f"{channel}:{thread_ts}")
        return self.get(conv_id.decode()) if conv_id else None

    def set_thread(self, conv_id: str, channel: str, ts: str) -> None:
        pipe = self.r.pipeline()
        pipe.hset(self._k(conv_id, "conv"), mapping={"slack_channel": channel, "slack_ts": ts})
        pipe.hset("baton:threads", f"{channel}:{ts}", conv_id)
        pipe.execute()

    def update(self, conv_id: str, **values) -> None:
        """Set plain attributes (escalation, tags, customer, ai_failures …); JSON for non-scalars."""
        mapping = {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in values.items()}
        self.r.hset(self._k(conv_id, "conv"), mapping=mapping)
        if isinstance(values.get("customer"), dict):
            key = customer_key(values["customer"])
            if key:
                created = self.r.hget(self._k(conv_id, "conv"), "created_at")
                self.r.zadd(key, {conv_id: float(created or time.time())})

    def _record_first_reply(self, conv_id: str) -> None:
        """How long the conversation waited for a person, for the expected-wait estimate (kept 30 days)."""
        since = self.r.hget(self._k(conv_id, "conv"), "waiting_since")
        if not since:
            return
        now = time.time()
        pipe = self.r.pipeline()
        pipe.zadd(FIRST_REPLIES, {f"{conv_id}:{now:.3f}:{max(now - float(since), 0):.1f}": now})
        pipe.zremrangebyscore(FIRST_REPLIES, "-inf", now - 30 * 86400)
        pipe.execute()

    def first_reply_times(self, since: float = 0) -> list[float]:
        """Seconds each conversation waited for a person, oldest first, for pick-ups after ``since``."""
        return [float(raw.decode().rsplit(":", 1)[1]) for raw in self.r.zrangebyscore(FIRST_REPLIES, since or "-inf", "+inf")]

    def earlier_conversations(self, conv: Conversation) -> int:
        """How many conversations the same customer (verified identity, else e-mail) started before this one."""
        key = customer_key(conv.customer)
        if not key:
            return 0
        return max(int(self.r.zcount(key, "-inf", f"({conv.created_at}")), 0)

    def claim(self, conv_id: str, user: str, state: State = State.HUMAN) -> tuple[bool, str]:
        """Make ``user`` (a Slack user id) the assignee if nobody holds the conversation and it is in
        ``state``. Returns (whether ``user`` holds it now, the holder: ``user``, someone else or "")."""
        try:
            ok, holder = self._claim(keys=[self._k(conv_id, "conv")], args=[user, state.value])
        except redis.ResponseError as err:
            if "NOTFOUND" in str(err):
                raise NotFound("no such conversation") from None
            raise
        return bool(ok), holder.decode() if isinstance(holder, bytes) else str(holder or "")

    def add_tags(self, conv_id: str, tags: Iterable[str]) -> None:
        conv = self.get(conv_id)
        merged = list(dict.fromkeys([*conv.tags, *tags]))
        self.update(conv_id, tags=merged)

    def recent(self, states: Iterable[State] | None = None, limit: int = 20, since: float = 0) -> list[Conversation]:
        """Most recently updated conversations first, optionally only in ``states``.

        Lists of open conversations (no ``closed`` in ``states``) read only the open index, so
        their cost does not grow with every conversation ever closed.
        """
        wanted = set(states) if states else None
        index = "baton:open" if wanted is not None and State.CLOSED not in wanted else "baton:recent"
        out = []
        for raw in self.r.zrevrangebyscore(index, "+inf", since or "-inf"):
            try:
                conv = self.get(raw.decode())
            except NotFound:
                continue
            if wanted is None or conv.state in wanted:
                out.append(conv)
            if len(out) >= limit:
                break
        return out

    # the log
    def append(
        self,
        conv_id: str,
        *,
        role: str,
        text: str,
        type: str = MESSAGE,
        author: dict | None = None,
        sources: list | None = None,
        meta: dict | None = None,
        client_id: str = "",
        visibility: str | None = None,
        require_state: State | None = None,
        target: str = "",
    ) -> tuple[str, bool]:
        """Append an entry; returns (entry id, created). The same ``client_id`` appends once.

        ``target``: for an EDIT or DELETE entry, the id of the message it revises (the log stays
        append-only; readers fold revisions in with ``models.current``).

        With ``require_state`` the entry is appended only while the conversation is in that state
        (checked atomically); otherwise nothing is written and ("", False) is returned. The AI uses
        this so it can never talk over a human who took the conversation mid-answer.
        """
        text = (text or "").strip()
        if type in (MESSAGE, NOTE, EDIT) and not text:
            raise Empty("the message is empty")
        if len(text) > self.max_chars:
            raise TooLong(f"the message is longer than {self.max_chars} characters")
        if visibility is None:
            visibility = INTERNAL if type == NOTE else PUBLIC
        fields = Entry.fields(type=type, role=role, text=text, author=author, sources=sources, meta=meta, visibility=visibility, target=target)
        limit = MAX_LOG_ENTRIES_FOR_DELETES if type == DELETE else MAX_LOG_ENTRIES
        args: list = [client_id or "", time.time(), limit, require_state.value if require_state else ""]
        for k, v in fields.items():
            args += [k, v]
        try:
            entry_id, created = self._append(keys=[self._k(conv_id, "conv"), self._k(conv_id, "log"), self._k(conv_id, "clients")], args=args)
        except redis.ResponseError as err:
            if "NOTFOUND" in str(err):
                raise NotFound("no such conversation") from None
            if "FULL" in str(err):
                raise TooLong("this conversation is too long; please start a new one") from None
            raise
        entry_id = entry_id.decode()
        if created:
            self._touch(conv_id, entry_id)
        return entry_id, bool(created)

    def transition(
        self, conv_id: str, event: Event, *, actor: str = "", meta: dict | None = None, text: str | None = None, assignee: str = ""
    ) -> str:
        """Apply ``event``; logs an announcement entry and returns its id. Raises InvalidTransition.

        ``assignee``: for TAKE_OVER, who holds the conversation from now on (a Slack user id), set in
        the same atomic step. Handing back, closing and reopening release it.
        """
        allowed, target = TRANSITIONS[event]
        if text is None:
            locale = self.r.hget(self._k(conv_id, "conv"), "locale")
            text = notices.line(event, locale.decode() if locale else "", actor=actor or "Someone")
        announcement = text
        fields = Entry.fields(
            type=EVENT,
            role="system",
            text=announcement,
            author={"name": actor} if actor else {},
            meta={"event": event.value, "from_to": target.value, **({"assignee": assignee} if assignee else {}), **(meta or {})},
        )
        sets_assignee = event in _RELEASES or (event == Event.TAKE_OVER and bool(assignee))
        args: list = [target.value, time.time(), "1" if sets_assignee else "", assignee if event == Event.TAKE_OVER else "",
                      len(allowed), *sorted(s.value for s in allowed)]
        for k, v in fields.items():
            args += [k, v]
        try:
            ok, value, *previous = self._transition(keys=[self._k(conv_id, "conv"), self._k(conv_id, "log")], args=args)
        except redis.ResponseError as err:
            if "NOTFOUND" in str(err):
                raise NotFound("no such conversation") from None
            raise
        if not ok:
            raise InvalidTransition(event.value, value.decode())
        entry_id = value.decode()
        if event == Event.TAKE_OVER and previous and previous[0] == State.WAITING.value.encode():
            self._record_first_reply(conv_id)
        if target == State.CLOSED:
            self.r.zrem("baton:open", conv_id)
        elif event == Event.REOPEN:
            self.r.zadd("baton:open", {conv_id: time.time()})
        self._touch(conv_id, entry_id)
        return entry_id

    def entries(self, conv_id: str, *, after: str | None = None, public_only: bool = False, count: int | None = None) -> list[Entry]:
        """Entries in order, strictly after ``after`` (an entry id) when given."""
        start = f"({after}" if after else "-"
        raw = self.r.xrange(self._k(conv_id, "log"), min=start, max="+", count=count)
        out = [Entry.from_stream(eid, data) for eid, data in raw]
        return [e for e in out if e.public] if public_only else out

    def last_entries(self, conv_id: str, count: int) -> list[Entry]:
        """The last ``count`` entries, in order."""
        raw = self.r.xrevrange(self._k(conv_id, "log"), max="+", min="-", count=count)
        return [Entry.from_stream(eid, data) for eid, data in reversed(raw)]

    def entry(self, conv_id: str, entry_id: str) -> Entry:
        raw = self.r.xrange(self._k(conv_id, "log"), min=entry_id, max=entry_id)
        if not raw:
            raise NotFound("no such entry")
        return Entry.from_stream(*raw[0])

    def by_client_id(self, conv_id: str, client_id: str) -> Entry | None:
        """The entry stored under ``client_id`` (e.g. ``slack:<channel>:<ts>``), or None."""
        entry_id = self.r.hget(self._k(conv_id, "clients"), client_id) if client_id else None
        if not entry_id:
            return None
        try:
            return self.entry(conv_id, entry_id.decode())
        except NotFound:
            return None

    def latest_revision(self, conv_id: str, entry_id: str) -> Entry | None:
        """The edit or delete that decides how message ``entry_id`` reads now (None: as first written)."""
        raw = self.r.xrange(self._k(conv_id, "log"), min=f"({entry_id}", max="+")
        return latest_revisions([Entry.from_stream(eid, data) for eid, data in raw]).get(entry_id)

    def signal(self, conv_id: str, kind: str) -> None:
        """Publish a transient signal (e.g. "typing") to live streams; nothing is logged."""
        self.r.publish(LIVE_CHANNEL, f"{conv_id} ~{kind}")

    def _touch(self, conv_id: str, entry_id: str) -> None:
        pipe = self.r.pipeline()
        now = time.time()
        pipe.zadd("baton:recent", {conv_id: now})
        pipe.zadd("baton:open", {conv_id: now}, xx=True)  # closed conversations stay out
        pipe.publish(LIVE_CHANNEL, f"{conv_id} {entry_id}")
        pipe.execute()

    # cursors and locks for consumers of the log (the Slack mirror, insights)
    def cursor(self, conv_id: str, name: str) -> str | None:
        value = self.r.hget(self._k(conv_id, "conv"), f"cursor:{name}")
        return value.decode() if value else None

    def set_cursor(self, conv_id: str, name: str, entry_id: str) -> None:
        self.r.hset(self._k(conv_id, "conv"), f"cursor:{name}", entry_id)

    def set_cursors(self, conv_id: str, values: dict[str, str]) -> None:
        """Several cursors in one write (so a crash cannot leave half of them moved)."""
        self.r.hset(self._k(conv_id, "conv"), mapping={f"cursor:{k}": v for k, v in values.items()})

    def lock(self, conv_id: str, name: str, timeout: float = 60, wait: float | None = None):
        """A Redis lock scoped to one conversation (e.g. one Slack mirror at a time).

        ``timeout``: seconds until the lock expires unless renewed (``reacquire()``); ``wait``:
        seconds to wait for it (default ``timeout``).
        """
        return self.r.lock(self._k(conv_id, f"lock:{name}"), timeout=timeout, blocking_timeout=timeout if wait is None else wait)


__all__ = ["ConversationStore", "LIVE_CHANNEL", "MESSAGE", "NOTE", "EVENT", "PUBLIC", "INTERNAL", "InvalidTransition"]
