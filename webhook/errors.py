"""Errors at the HTTP edge, all in one JSON shape: ``{"error": {"code", "message"}}``.

Views raise ``ApiError``; Flask's own errors (404, 405, 413, …) and anything unexpected are turned
into the same shape on API paths (``/api/``, ``/slack/``) and for clients that ask for JSON. The
store's HTML pages keep Flask's HTML error pages for browsers. A 4xx is logged by the access log
only; an unexpected exception is logged once, here, with its traceback (it is a bug to fix).

Request bodies are read by ``json_object()``: strict UTF-8, no lone surrogates, no NaN, at most
``MAX_JSON_DEPTH`` levels, an object at the top. Text fields go through ``clean_text()``.
"""

from __future__ import annotations

import json
import logging
import unicodedata

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MAX_JSON_DEPTH = 8  # the API's bodies nest two levels; anything deeper is not ours
MAX_HEADER_BYTES = 8 * 1024  # all request headers together (gunicorn refuses far larger ones itself)
JSON_PREFIXES = ("/api/", "/slack/")

# Flask/Werkzeug status → our error code (the message comes from the description below).
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    431: "headers_too_large",
}
HTTP_MESSAGES = {
    404: "No such endpoint: {method} {path}. The widget API lives under /api/v1/conversations (see /api/v1/openapi.json).",
    405: "{method} is not allowed on {path}; allowed: {allow}.",
    413: "That request is too large (at most {limit} bytes).",
}
# Characters that show nothing on their own: a message made only of these (and spaces) is empty.
FILLERS = {"\u034f", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u2800", "\u3164", "\uffa0"}


class ApiError(Exception):
    """A refusal the client can act on: HTTP status, a stable code, and a sentence saying what to fix."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def error_response(status: int, code: str, message: str, headers: dict | None = None):
    resp = jsonify(error={"code": code, "message": message})
    resp.status_code = status
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def wants_json() -> bool:
    """API paths always answer JSON; elsewhere only a client that prefers JSON to HTML gets it."""
    if request.path.startswith(JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def register_errors(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(err: ApiError):
        return error_response(err.status, err.code, err.message, err.headers)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if not wants_json() or err.response is not None:
            return err  # HTML for browsers; a response made already (the rate limiter's JSON 429)
        status = err.code or 500
        allow = ""
        if status == 405:
            allow = ", ".join(sorted(m for m in (getattr(err, "valid_methods", None) or []) if m not in ("HEAD", "OPTIONS")))
        template = HTTP_MESSAGES.get(status)
        if template:
            message = template.format(method=request.method, path=request.path, allow=allow or "none", limit=app.config.get("MAX_CONTENT_LENGTH"))
        else:
            message = err.description or err.name
        resp = error_response(status, HTTP_CODES.get(status, "http_" + str(status)), message)
        for key, value in err.get_headers():
            if key.lower() != "content-type":
                resp.headers[key] = value
        return resp

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        # A bug, not bad input: log it once with its traceback, tell the client nothing internal.
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=err)
        if not wants_json():
            return "Internal Server Error", 500
        return error_response(500, "internal", "Something went wrong on our side. Please try again; if it keeps happening, tell the store.")

    @app.before_request
    def limit_headers():
        size = sum(len(k) + len(v) + 4 for k, v in request.headers.items())
        if size > MAX_HEADER_BYTES:
            raise ApiError(431, "headers_too_large", f"The request's headers are {size} bytes; at most {MAX_HEADER_BYTES} are accepted. Drop large cookies or custom headers.")


def _walk(value, where: str, depth: int) -> None:
    """Refuse lone surrogates anywhere and nesting deeper than MAX_JSON_DEPTH (iteratively safe)."""
    if depth > MAX_JSON_DEPTH:
        raise ApiError(400, "too_deep", f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels; the API's bodies are flat objects.")
    if isinstance(value, str):
        _no_surrogates(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_surrogates(key, where)
            _walk(item, f"{where}.{key}" if where else key, depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{where}[{i}]", depth + 1)


def _no_surrogates(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ApiError(
            400, "bad_unicode", f"'{where or 'body'}' contains a lone UTF-16 surrogate (U+{ord(text[err.start]):04X}); send text as valid Unicode."
        ) from None


def _no_constant(name: str):
    raise ApiError(400, "bad_json", f"{name} is not valid JSON; send numbers as finite values.")


def json_object() -> dict:
    """The request's JSON body as a dict, or an ApiError that says what is wrong with it."""
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH, whatever the type
    if not request.is_json:
        raise ApiError(400, "bad_json", "Send a JSON object with Content-Type: application/json.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ApiError(400, "bad_json", f"The body is not UTF-8 (bad byte at offset {err.start}).") from None
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ApiError(400, "too_deep", f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels; the API's bodies are flat objects.") from None
    except ValueError as err:
        raise ApiError(400, "bad_json", f"The body is not valid JSON ({getattr(err, 'msg', 'parse error')} at character {getattr(err, 'pos', 0)}).") from None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", "Send a JSON object with Content-Type: application/json.")
    _walk(data, "", 1)
    return data


def clean_text(value: str, field: str, *, multiline: bool) -> str:
    """``value`` if it holds no NUL or control characters (line breaks and tabs allowed when
    ``multiline``); raises ApiError 422 naming the first offending character otherwise."""
    allowed = "\n\t\r" if multiline else ""
    for i, ch in enumerate(value):
        if ch in allowed:
            continue
        if unicodedata.category(ch) == "Cc":
            raise ApiError(422, "invalid_characters", f"'{field}' contains the control character U+{ord(ch):04X} at position {i}; remove it.")
    return value


def visible(text: str) -> bool:
    """Whether ``text`` shows anything: not only spaces, zero-width/format characters and fillers."""
    return any(not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Zs", "Zl", "Zp") and ch not in FILLERS for ch in text)
