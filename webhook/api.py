"""The widget API (JSON) and its live stream (Server-Sent Events).

All but create and resume need ``Authorization: Bearer <conversation token>``; the token never travels in a
URL. A missing token is 401; a wrong token or unknown id is 404, and nothing is revealed.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import time
import uuid
from pathlib import Path

import redis
from flask import Flask, Response, jsonify, request, send_file, stream_with_context
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from bot.mirror import wanted as mirror_wanted
from conversations import Conversation, Empty, Event, InvalidTransition, NotFound, State, TooLong, notices
from conversations.attachments import Attachments
from conversations.models import FEEDBACK, INTERNAL, REVISIONS, current, latest_feedback, latest_revisions, revise
from webhook import history, limits
from webhook.errors import ApiError, clean_text, error_response, json_object, visible
from webhook.identity import IdentityInvalid, verify_user
from webhook.render import public_entry

log = logging.getLogger(__name__)

PREFIX = "/api/v1/conversations"
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}  # shown in the widget; anything else downloads
RESUME = "/api/v1/resume"  # not under PREFIX, where it would share a path with GET …/<conv_id>
KEEPALIVE_SECONDS = 15
OUTAGE_RETRY_SECONDS = 5  # Retry-After while Redis is unreachable
MAX_NAME = 80
MAX_EMAIL = 254
MAX_URL = 2000
MAX_CLIENT_ID = 100
MAX_LOCALE = 35  # a BCP 47 tag such as "pt-BR" or "zh-Hant-TW"
MAX_COMMENT = 1000  # characters of a closing rating's comment
MAX_RESUME_CODE = 100
WATCH_LEASE_SECONDS = 3 * KEEPALIVE_SECONDS  # an open stream renews its lease at every keep-alive
HUMAN_REQUEST_TEXT = "I'd like to talk to a person, please."  # when the widget sends no text of its own
EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _error(status: int, code: str, message: str):
    return error_response(status, code, message), status


def _breach(message: str):
    def on_breach(_limit):
        resp = jsonify(error={"code": "rate_limited", "message": message})
        resp.status_code = 429
        return resp

    return on_breach


_rate_limited = _breach("You're sending messages too quickly. Please wait a moment and try again.")
_reads_limited = _breach("Too many requests for this conversation. Please wait a moment and try again.")
_bad_tokens_limited = _breach("Too many requests without a valid conversation token from this address. Wait a minute.")


def register_api(app: Flask, baton) -> None:
    settings = baton.settings
    store = baton.store
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=settings.redis_url,
        strategy="moving-window",
        key_prefix="baton-limits",
        headers_enabled=True,
        on_breach=_rate_limited,
    )

    @app.errorhandler(redis.RedisError)
    def redis_unavailable(err: redis.RedisError):
        # Raised by the store, the queues or the rate limiter's storage: the widget keeps the
        # shopper's text and retries; the outage is logged here, once per request, without content.
        log.warning("Redis is unavailable (%s); answered 503", type(err).__name__, extra={"conversation": (request.view_args or {}).get("conv_id", "")})
        resp, status = _error(503, "unavailable", "Chat is briefly unavailable. Please try again in a moment.")
        resp.headers["Retry-After"] = str(OUTAGE_RETRY_SECONDS)
        return resp, status

    body = json_object

    def authed(conv_id: str) -> Conversation:
        conv = limits.token_conversation(store)
        if conv is not None:
            return conv
        if not limits.bearer_token():
            raise ApiError(401, "unauthorized", "Send the conversation's token as 'Authorization: Bearer <token>'.")
        raise ApiError(404, "not_found", "No such conversation.")

    # Only a request with the conversation's right token counts against that conversation; any
    # other counts against its address alone (webhook/limits.py), so it cannot lock the owner out.
    def without_token() -> bool:
        return limits.token_conversation(store) is None

    def with_token() -> bool:
        return not without_token()

    bad_token_limit = limiter.shared_limit(settings.rate_limit_bad_token, scope="bad-token", key_func=limits.address_key,
                                           exempt_when=with_token, on_breach=_bad_tokens_limited)
    reads_limit = limiter.shared_limit(settings.rate_limit_reads, scope="reads", key_func=limits.conversation_key,
                                       exempt_when=without_token, on_breach=_reads_limited)

    def optional_str(data: dict, key: str, limit: int, prefix: str = "", *, multiline: bool = False) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ApiError(422, "invalid", f"'{prefix}{key}' must be a string.")
        value = clean_text(value.strip(), prefix + key, multiline=multiline)
        if len(value) > limit:
            raise ApiError(422, "invalid", f"'{prefix}{key}' is longer than {limit} characters.")
        return value

    def customer_fields(raw: dict, prefix: str = "") -> dict:
        """``name`` and ``email`` as one line of plain text each (empty ones left out)."""
        # One line of plain text: a name with line breaks could forge fields on the team's Slack card.
        name = "".join(ch for ch in " ".join(optional_str(raw, "name", MAX_NAME, prefix, multiline=True).split()) if ch.isprintable())
        email = optional_str(raw, "email", MAX_EMAIL, prefix)
        if email and not EMAIL_RE.match(email):
            raise ApiError(422, "invalid", "That email address doesn't look right.")
        return {k: v for k, v in {"name": name, "email": email}.items() if v}

    @app.post(PREFIX)
    @limiter.limit(settings.rate_limit_create)
    def create_conversation():
        data = body()
        raw_customer = data.get("customer")
        raw_customer = {} if raw_customer is None else raw_customer
        if not isinstance(raw_customer, dict):
            raise ApiError(422, "invalid", "'customer' must be an object with optional 'name' and 'email'.")
        customer = customer_fields(raw_customer)
        if data.get("user") is not None:
            # Checked before anything is stored: a wrong hash creates nothing and uses no number.
            try:
                user_id = verify_user(data["user"], settings.identity_secret)
            except IdentityInvalid as err:
                raise ApiError(403, "identity_invalid", str(err)) from None
            user = customer_fields(data["user"], prefix="user.")
            # The store vouches for its user's name and e-mail; a typed e-mail is never mixed in.
            customer = {"name": user.get("name") or customer.get("name", ""), "email": user.get("email", ""), "verified": True, "user_id": user_id}
            customer = {k: v for k, v in customer.items() if v}
        page_url = optional_str(data, "page_url", MAX_URL)
        locale = optional_str(data, "locale", MAX_LOCALE)
        if locale and not notices.language(locale):
            raise ApiError(422, "invalid", "'locale' must be a language tag such as 'de' or 'pt-BR'.")
        conv, token = store.create(customer=customer, page_url=page_url, locale=locale)
        return jsonify(id=conv.id, token=token, number=conv.number), 201

    @app.post(RESUME)
    @limiter.limit(settings.rate_limit_create)
    def resume_conversation():
        """Exchange the one-time code from a follow-up e-mail's link for a token of this device's own."""
        code = optional_str(body(), "code", MAX_RESUME_CODE)
        if not code:
            raise ApiError(422, "invalid", "Send the 'code' from the link.")
        try:
            conv, token = store.redeem_resume_code(code)
        except NotFound:
            raise ApiError(404, "expired", "That link has expired or was already used. Open the chat to write to us again.") from None
        return jsonify(id=conv.id, token=token, number=conv.number), 200

    @app.post(f"{PREFIX}/<conv_id>/messages")
    @limiter.limit(settings.rate_limit_messages, key_func=limits.conversation_key, exempt_when=without_token)
    @limiter.limit(settings.rate_limit_address, exempt_when=without_token)  # one address cannot fan out over many conversations
    @bad_token_limit
    def post_message(conv_id: str):
        conv = authed(conv_id)
        data = body()
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(422, "empty", "Type a message first.")
        if not visible(text):
            raise ApiError(422, "empty", "The message has no visible characters (only spaces or invisible ones); type a message first.")
        if len(text.strip()) > settings.max_message_chars:
            raise ApiError(413, "too_long", f"Messages can be at most {settings.max_message_chars} characters.")
        clean_text(text, "text", multiline=True)
        client_id = data.get("client_id")
        client_id = "" if client_id is None else client_id
        if not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID:
            raise ApiError(422, "invalid", f"'client_id' must be a string of at most {MAX_CLIENT_ID} characters.")
        clean_text(client_id, "client_id", multiline=False)
        entry_id = shopper_message(conv, text, client_id=f"widget:{client_id}" if client_id else "")
        return jsonify(entry_id=entry_id), 202

    def shopper_message(conv: Conversation, text: str, *, client_id: str, meta: dict | None = None) -> str:
        """Store a shopper's message (reopening a closed conversation) and queue what follows: the AI's
        turn and the Slack mirror. A retry of a stored message queues its answer only if the attempt
        that stored it died before doing so (one answer, never two). Returns the entry id."""
        conv_id = conv.id
        if conv.state == State.CLOSED:
            try:
                store.transition(conv_id, Event.REOPEN)
            except InvalidTransition:
                pass
        try:
            entry_id, created = store.append(
                conv_id, role="customer", text=text, author={"name": conv.customer_name}, meta=meta, client_id=client_id
            )
        except Empty:
            raise ApiError(422, "empty", "Type a message first.") from None
        except TooLong as err:
            raise ApiError(413, "too_long", str(err)) from None
        conv = store.get(conv_id)
        if created:
            if conv.state == State.AI:
                baton.enqueue_answer(conv_id, entry_id)
        elif conv.state == State.AI and store.by_client_id(conv_id, f"ai:{entry_id}") is None:
            baton.ensure_answer(conv_id, entry_id)
        if mirror_wanted(settings, conv):
            baton.enqueue_mirror(conv_id)  # one pending mirror job at most, so a retry adds nothing
        return entry_id

    def client_id_of(data: dict) -> str:
        client_id = optional_str(data, "client_id", MAX_CLIENT_ID)
        return f"widget:{client_id}" if client_id else ""

    @app.post(f"{PREFIX}/<conv_id>/handoff")
    @limiter.limit(settings.rate_limit_messages, key_func=limits.conversation_key, exempt_when=without_token)
    @limiter.limit(settings.rate_limit_address, exempt_when=without_token)
    @bad_token_limit
    def request_person(conv_id: str):
        """"Talk to a person": a shopper message flagged as a request for a person. The AI's job runs
        it through the store's rules (a rule may still answer first) and hands off at once."""
        conv = authed(conv_id)
        data = body() if request.get_data(cache=True) else {}  # the body is optional
        text = optional_str(data, "text", 200, multiline=True)
        text = text if visible(text) else HUMAN_REQUEST_TEXT
        client_id = client_id_of(data)
        if conv.state in (State.WAITING, State.HUMAN):
            raise ApiError(409, "already_with_team", "A person from the team already has this conversation.")
        entry_id = shopper_message(conv, text, client_id=client_id, meta={"request": "human"})
        return jsonify(entry_id=entry_id), 202

    @app.post(f"{PREFIX}/<conv_id>/feedback")
    @limiter.limit(settings.rate_limit_messages, key_func=limits.conversation_key, exempt_when=without_token)
    @limiter.limit(settings.rate_limit_address, exempt_when=without_token)
    @bad_token_limit
    def feedback(conv_id: str):
        """Thumbs on an AI answer ({entry_id, rating: "up" | "down"}) or the closing rating
        ({rating: 1-5, comment?}). Stored as an internal log entry; the latest one counts."""
        conv = authed(conv_id)
        data = body()
        rating = data.get("rating")
        entry_id = optional_str(data, "entry_id", 40)
        comment = optional_str(data, "comment", MAX_COMMENT, multiline=True)
        if entry_id:
            if rating not in ("up", "down"):
                raise ApiError(422, "invalid", "Rate an answer with 'rating': 'up' or 'down'.")
            if not re.fullmatch(r"\d{1,20}-\d{1,20}", entry_id):
                raise ApiError(422, "invalid", "'entry_id' must be an entry id.")
            try:
                answer = store.entry(conv_id, entry_id)
            except NotFound:
                answer = None
            if answer is None or answer.role != "ai" or answer.type != "message":
                raise ApiError(422, "invalid", "Only the AI assistant's answers can be rated.")
        elif isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise ApiError(422, "invalid", "Rate the conversation with 'rating': a whole number from 1 to 5.")
        try:
            stored, _ = store.append(
                conv_id, role="customer", type=FEEDBACK, text=comment, visibility=INTERNAL, target=entry_id,
                author={"name": conv.customer_name}, meta={"rating": rating},
            )
        except TooLong as err:
            raise ApiError(413, "too_long", str(err)) from None
        if conv.slack_ts:
            baton.enqueue_mirror(conv_id)
        return jsonify(entry_id=stored), 202

    @app.get(f"{PREFIX}/<conv_id>")
    @reads_limit
    @bad_token_limit
    def get_conversation(conv_id: str):
        conv = authed(conv_id)
        try:
            before, after, limit = history.page_args(request.args)
        except history.BadPage as err:
            raise ApiError(400, "bad_page", str(err)) from None
        log_entries = store.entries(conv_id)
        thumbs, rating = latest_feedback(log_entries)
        # Every message in its latest version: an edited reply reads as edited, a deleted one as removed.
        entries, cursor = history.page(current([e for e in log_entries if e.public]), before, after, limit)
        shown = []
        for entry in entries:
            item = public_entry(entry)
            if entry.id in thumbs:
                item["feedback"] = thumbs[entry.id]
            shown.append(item)
        customer = {"name": conv.customer.get("name", ""), "email": conv.customer.get("email", ""), "verified": conv.verified}
        return jsonify(id=conv.id, number=conv.number, state=conv.state.value, customer=customer, locale=conv.locale,
                       rating=rating.get("rating"), entries=shown, next=cursor)

    attachments = Attachments(baton.redis, Path(settings.data_dir) / "files")

    @app.get(f"{PREFIX}/<conv_id>/files/<file_id>")
    @reads_limit
    @bad_token_limit
    def get_file(conv_id: str, file_id: str):
        """A file the team sent in this conversation (entries carry ``file: {id, name, mimetype, size}``)."""
        authed(conv_id)
        try:
            meta, path = attachments.get(conv_id, file_id)
        except NotFound:
            raise ApiError(404, "not_found", "There is no such file in this conversation.") from None
        mimetype = meta.get("mimetype") or "application/octet-stream"
        resp = send_file(path, mimetype=mimetype, as_attachment=mimetype not in INLINE_TYPES, download_name=meta.get("name") or "file",
                         conditional=True, max_age=0)
        resp.headers["X-Content-Type-Options"] = "nosniff"  # never re-interpreted as HTML or script
        resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        resp.headers["Cache-Control"] = "private, no-store"
        return resp

    @app.get(f"{PREFIX}/<conv_id>/events")
    @reads_limit
    @bad_token_limit
    def events(conv_id: str):
        conv = authed(conv_id)
        last_id = request.headers.get("Last-Event-ID", "").strip() or None
        if last_id and not is_entry_id(last_id):
            raise ApiError(400, "bad_last_event_id", "Last-Event-ID must be an entry id as the stream sent it ('<milliseconds>-<sequence>'); reconnect without it to replay from the start.")
        address = get_remote_address()
        slot = baton.stream_slots.acquire(conv_id, address)
        if slot is None:
            raise ApiError(429, "too_many_streams", "Too many live streams are open for this conversation or from this address. Close another tab and try again.",
                           headers={"Retry-After": str(KEEPALIVE_SECONDS)})

        def refresh():
            baton.stream_slots.refresh(conv_id, address, slot)

        resp = Response(
            stream_with_context(_stream(baton, conv_id, last_id, conv.state.value, on_keepalive=refresh)),
            mimetype="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        # On close, not in the generator: a stream closed before its first chunk still gives its slot back.
        resp.call_on_close(lambda: baton.stream_slots.release(conv_id, address, slot))
        return resp


MAX_STREAM_ID_PART = 2**64 - 1  # a Redis stream id is two unsigned 64-bit numbers


def is_entry_id(value: str) -> bool:
    """Whether ``value`` can be a log entry id (what the stream sends as ``id:``)."""
    match = re.fullmatch(r"([0-9]{1,20})-([0-9]{1,20})", value)
    return bool(match) and all(int(part) <= MAX_STREAM_ID_PART for part in match.groups())


def _sse(data: dict, *, event: str | None = None, id: str | None = None) -> str:
    lines = []
    if id:
        lines.append(f"id: {id}")
    if event:
        lines.append(f"event: {event}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False))
    return "\n".join(lines) + "\n\n"


def _stream(baton, conv_id: str, cursor: str | None, state: str, on_keepalive=lambda: None):
    """Yield public entries after ``cursor``, then each new one as it is appended.

    Each read covers the log up to its end, so a message sent in it already carries its latest
    version (an edit's text, or nothing once deleted: a deleted reply's text never goes out again,
    not even to a widget replaying from the start). Edit/delete entries are sent too, for widgets
    that show the message already; of several for one message only the deciding one is sent.
    """
    store = baton.store
    inbox = baton.live.subscribe(conv_id)  # before the first read, so nothing slips between
    watcher = uuid.uuid4().hex
    try:
        store.watch(conv_id, watcher, WATCH_LEASE_SECONDS)  # a team reply seen here needs no e-mail
        renewed = time.monotonic()
        yield "retry: 2000\n" + _sse({"state": state}, event="state")
        while True:
            batch = store.entries(conv_id, after=cursor)
            deciding = latest_revisions(batch)
            for entry in batch:
                cursor = entry.id
                if entry.type in REVISIONS and deciding.get(entry.target) is not entry:
                    continue  # superseded by a later edit or the delete of the same message
                if entry.public:
                    yield _sse(public_entry(revise(entry, deciding.get(entry.id))), id=entry.id)
                    if entry.role == "agent":
                        store.set_cursor(conv_id, "widget", entry.id)  # delivered live: no e-mail for it
                if entry.type == "event":
                    new_state = entry.meta.get("from_to") or store.get(conv_id).state.value
                    if new_state != state:
                        state = new_state
                        yield _sse({"state": state}, event="state")
            try:
                what = inbox.get(timeout=KEEPALIVE_SECONDS)
            except queue.Empty:
                what = None
                on_keepalive()
                yield ": keep-alive\n\n"
            if time.monotonic() - renewed >= KEEPALIVE_SECONDS:
                store.watch(conv_id, watcher, WATCH_LEASE_SECONDS)
                renewed = time.monotonic()
            if what is None:
                continue
            if what.startswith("~"):
                yield _sse({"role": "ai"}, event=what[1:])
    except redis.RedisError as err:
        # End the stream cleanly; the widget reconnects with Last-Event-ID and loses nothing.
        log.warning("live stream ended: Redis unavailable (%s)", type(err).__name__, extra={"conversation": conv_id})
    finally:
        baton.live.unsubscribe(conv_id, inbox)
        try:
            store.unwatch(conv_id, watcher)
        except redis.RedisError:
            pass  # the lease runs out on its own
