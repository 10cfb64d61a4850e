"""A local HTTP server that speaks the Anthropic Messages API subset Baton uses.

The official SDK (2.x, its own HTTP stack) talks to it over real HTTP via ``base_url``, so what is
tested is the request the SDK really sends and the response parsing it really does. Replies are
scripted per test and served in order; every request body is recorded.

    fake.reply(text_message("Hi!"))                        # a plain answer
    fake.reply(tool_use_message("search_docs", {"query": "fonts"}))
    fake.reply(lambda body: text_message(...))             # computed from the request (e.g. cite it)
    fake.reply(api_error(529))                             # {"type": "error", "error": {...}}
    fake.reply(slow(3.0, text_message("late")))            # for client timeouts

Non-streaming requests get the Message JSON; ``"stream": true`` requests get the SSE sequence the
real API sends: message_start, ping, content_block_start / *_delta (text_delta, citations_delta,
input_json_delta, thinking_delta, signature_delta) / content_block_stop per block, message_delta,
message_stop. The server also rejects the request shapes the real API rejects and that a bug of ours
could produce (no messages, a conversation not ending on a user turn, tool_result ids that do not
match the previous tool_use blocks, sampling parameters on models that refuse them), with the real
400 error shape — so a test cannot pass on a malformed request.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
ERROR_MESSAGES = {
    429: "Number of request tokens has exceeded your per-minute rate limit",
    500: "Internal server error",
    529: "Overloaded",
}
_ids = itertools.count(1)


# ---- scripted replies -------------------------------------------------------------------------


@dataclass
class Message:
    """A complete assistant message; served as JSON or as an SSE event sequence."""

    content: list[dict]
    stop_reason: str = "end_turn"
    model: str = ""  # echoed from the request when empty
    usage: dict = field(default_factory=lambda: {"input_tokens": 1200, "output_tokens": 60})


@dataclass
class Error:
    status: int
    type: str
    message: str
    headers: dict = field(default_factory=dict)


@dataclass
class Slow:
    seconds: float
    then: object


@dataclass
class StreamError:
    """A stream that starts fine, then carries an ``event: error`` (how overload shows mid-stream)."""

    status: int = 529
    after_text: str = "Let me"


def text_message(text: str, citations: list[dict] | None = None, *, stop_reason: str = "end_turn") -> Message:
    """One text block; ``citations`` (search_result_location dicts) attach to it."""
    block: dict = {"type": "text", "text": text}
    if citations:
        block["citations"] = citations
    return Message([block], stop_reason=stop_reason)


def tool_use_message(name: str, tool_input: dict, *, text: str = "", tool_id: str | None = None) -> Message:
    """An assistant turn that calls one tool (optionally after a short preamble)."""
    content: list[dict] = []
    if text:
        content.append({"type": "text", "text": text})
    content.append({"type": "tool_use", "id": tool_id or f"toolu_{next(_ids):04d}", "name": name, "input": tool_input})
    return Message(content, stop_reason="tool_use")


def api_error(status: int, message: str | None = None, *, headers: dict | None = None) -> Error:
    return Error(status, ERROR_TYPES.get(status, "api_error"), message or ERROR_MESSAGES.get(status, "Error"), headers or {})


def slow(seconds: float, then: object) -> Slow:
    return Slow(seconds, then)


def search_results_in(body: dict) -> list[dict]:
    """Every search_result block in a request, in the order the API indexes them for citations."""
    found = []
    for message in body.get("messages", []):
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for block in content:
            if block.get("type") == "search_result":
                found.append(block)
            elif block.get("type") == "tool_result" and isinstance(block.get("content"), list):
                found.extend(b for b in block["content"] if b.get("type") == "search_result")
    return found


def cite(body: dict, result_index: int = 0, start: int = 0, end: int = 1) -> dict:
    """A search_result_location citation pointing at search result ``result_index`` of ``body``."""
    result = search_results_in(body)[result_index]
    return {
        "type": "search_result_location",
        "cited_text": "".join(b["text"] for b in result["content"][start:end]),
        "source": result["source"],
        "title": result.get("title"),
        "search_result_index": result_index,
        "start_block_index": start,
        "end_block_index": end,
    }


def last_tool_results(body: dict) -> list[dict]:
    """The tool_result blocks of the request's final user turn."""
    content = body["messages"][-1]["content"]
    return [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"] if isinstance(content, list) else []


# ---- the server -------------------------------------------------------------------------------


class FakeAnthropic:
    """Start with ``FakeAnthropic()`` (binds a free port on 127.0.0.1); ``close()`` when done."""

    def __init__(self):
        self._script: deque = deque()
        self._lock = threading.Lock()
        self.requests: list[dict] = []  # every request body, in order
        self.headers: list[dict] = []  # every request's headers
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-anthropic", daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def reply(self, *items) -> None:
        """Queue replies (Message, Error, Slow, StreamError, or a callable(body) -> one of those)."""
        with self._lock:
            self._script.extend(items)

    @property
    def pending(self) -> int:
        return len(self._script)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- request handling --

    def _next(self, body: dict):
        with self._lock:
            item = self._script.popleft() if self._script else None
        if item is None:
            return api_error(500, "fake Anthropic: no scripted reply left for this request")
        return item(body) if callable(item) else item

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                if self.path.split("?")[0] != "/v1/messages":
                    return self._error(api_error(404, f"Not found: {self.path}"))
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self._error(api_error(400, "Request body is not valid JSON"))
                with fake._lock:
                    fake.requests.append(body)
                    fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                if not (self.headers.get("x-api-key") or self.headers.get("authorization")):
                    return self._error(api_error(401, "x-api-key header is required"))
                problem = validate(body)
                if problem:
                    return self._error(api_error(400, problem))
                item = fake._next(body)
                while isinstance(item, Slow):
                    time.sleep(item.seconds)
                    item = item.then
                if isinstance(item, Error):
                    return self._error(item)
                if isinstance(item, StreamError):
                    return self._stream_error(body, item)
                message = _message_json(item, body)
                if body.get("stream"):
                    return self._stream(message)
                self._send(200, json.dumps(message).encode(), "application/json")

            # -- writers --

            def _send(self, status: int, data: bytes, content_type: str, headers: dict | None = None):
                try:
                    self.send_response(status)
                    self.send_header("content-type", content_type)
                    self.send_header("content-length", str(len(data)))
                    self.send_header("request-id", f"req_fake{next(_ids):06d}")
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to do

            def _error(self, error: Error):
                payload = {"type": "error", "error": {"type": error.type, "message": error.message}, "request_id": f"req_fake{next(_ids):06d}"}
                self._send(error.status, json.dumps(payload).encode(), "application/json", error.headers)

            def _stream(self, message: dict):
                self._send(200, b"".join(_sse(name, data) for name, data in stream_events(message)), "text/event-stream")

            def _stream_error(self, body: dict, item: StreamError):
                message = _message_json(text_message(item.after_text), body)
                events = stream_events(message)[:4]  # message_start, ping, block start, first delta
                error = {"type": "error", "error": {"type": ERROR_TYPES.get(item.status, "api_error"), "message": ERROR_MESSAGES.get(item.status, "Error")}}
                self._send(200, b"".join(_sse(n, d) for n, d in events) + _sse("error", error), "text/event-stream")

        return Handler


# ---- wire format ------------------------------------------------------------------------------


def _message_json(item: Message, body: dict) -> dict:
    return {
        "id": f"msg_fake{next(_ids):06d}",
        "type": "message",
        "role": "assistant",
        "model": item.model or body.get("model", ""),
        "content": item.content,
        "stop_reason": item.stop_reason,
        "stop_sequence": None,
        "usage": {"cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, **item.usage},
    }


def _sse(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def _chunks(text: str, size: int = 12) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def stream_events(message: dict) -> list[tuple[str, dict]]:
    """The SSE events the real API sends for ``message`` (a Message JSON object)."""
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None, "usage": {**message["usage"], "output_tokens": 1}}
    events: list[tuple[str, dict]] = [("message_start", {"type": "message_start", "message": start}), ("ping", {"type": "ping"})]
    for index, block in enumerate(message["content"]):
        kind = block["type"]
        if kind == "text":
            opening = {"type": "text", "text": ""}
            if block.get("citations"):
                opening["citations"] = []
            events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": opening}))
            for citation in block.get("citations") or []:
                delta = {"type": "citations_delta", "citation": citation}
                events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}))
            for piece in _chunks(block["text"]):
                delta = {"type": "text_delta", "text": piece}
                events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}))
        elif kind == "tool_use":
            opening = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": opening}))
            for piece in _chunks(json.dumps(block["input"]), 9):
                delta = {"type": "input_json_delta", "partial_json": piece}
                events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}))
        elif kind == "thinking":
            opening = {"type": "thinking", "thinking": "", "signature": ""}
            events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": opening}))
            for piece in _chunks(block.get("thinking", "")):
                delta = {"type": "thinking_delta", "thinking": piece}
                events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}))
            delta = {"type": "signature_delta", "signature": block.get("signature", "sig")}
            events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}))
        else:
            events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": block}))
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    delta = {"type": "message_delta", "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None}, "usage": {"output_tokens": message["usage"]["output_tokens"]}}
    events.append(("message_delta", delta))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


# ---- request validation (what the real API would reject) --------------------------------------

_NO_SAMPLING_PREFIXES = ("claude-haiku-5", "claude-sonnet-5", "claude-opus-5", "claude-opus-4-7", "claude-opus-4-8")


def validate(body: dict) -> str | None:
    """The 400 message the real API would give for this body, or None when it is well formed."""
    for key in ("model", "max_tokens", "messages"):
        if key not in body:
            return f"{key}: Field required"
    messages = body["messages"]
    if not messages:
        return "messages: at least one message is required"
    if messages[-1].get("role") != "user":
        return "This model does not support assistant message prefill. The conversation must end with a user message."
    if messages[0].get("role") != "user":
        return "messages: first message must use the \"user\" role"
    if str(body["model"]).startswith(_NO_SAMPLING_PREFIXES):
        for key in ("temperature", "top_p", "top_k"):
            if key in body:
                return f"{key}: is not supported on this model"
    for i, message in enumerate(messages):
        if message.get("role") not in ("user", "assistant"):
            return f"messages.{i}.role: Input should be 'user' or 'assistant'"
        content = message.get("content")
        if content in ("", []):
            return f"messages.{i}: all messages must have non-empty content"
        results = [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"] if isinstance(content, list) else []
        if results:
            previous = messages[i - 1] if i else {}
            asked = {b.get("id") for b in previous.get("content", []) if isinstance(b, dict) and b.get("type") == "tool_use"}
            answered = {b.get("tool_use_id") for b in results}
            if previous.get("role") != "assistant" or answered != asked:
                return (
                    f"messages.{i}.content: tool_result blocks must answer exactly the tool_use ids of the previous "
                    f"assistant message (asked {sorted(asked)}, answered {sorted(answered)})"
                )
    names = [t.get("name") for t in body.get("tools", [])]
    if len(names) != len(set(names)):
        return "tools: tool names must be unique"
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "tool" and choice.get("name") not in names:
        return f"tool_choice: tool {choice.get('name')!r} not found in tools"
    return None


def new_tool_id() -> str:
    return f"toolu_{uuid.uuid4().hex[:20]}"
