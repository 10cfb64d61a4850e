"""What every response of the HTTP edge carries for the browser's sake: CORS, security headers,
a Content-Security-Policy on the pages Baton serves, and the widget's static files compressed and
cacheable.

CORS (flask-cors) answers only the origins in ``BATON_ALLOWED_ORIGINS`` (default: the app's own
origin and ``BATON_PUBLIC_URL``; ``*`` only when written) and offers only the methods the API has.
A foreign origin gets no ``Access-Control-Allow-Origin``, so its pages cannot read an answer. The
widget's calls carry a bearer token, never cookies, so no credentials are allowed either.

The widget's files are read once per app, served from memory (so flask-compress can gzip/br them;
it skips streamed responses, and the live stream is never compressed) with a strong ETag; under
the versioned URL (``/widget.js?v=<ASSET_VERSION>``, which the demo page uses) they are cacheable
for a year, under the plain URL a store embeds for five minutes and then revalidated.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, g, request
from flask_compress import Compress
from flask_cors import CORS

API_PATHS = r"/api/v1/*"
API_METHODS = ["GET", "POST"]  # what the widget API has (OPTIONS/HEAD are answered by Flask)
ASSET_MAX_AGE = 300  # seconds, for the unversioned URL a store embeds
VERSIONED_MAX_AGE = 365 * 86400
STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {"widget.js": "text/javascript; charset=utf-8", "widget.css": "text/css; charset=utf-8"}

# The demo page: its own script and styles, the inline ones it carries by nonce, avatars and
# data: icons as images, API calls to itself. No frames, no plugins, no <base> tricks.
PAGE_CSP = (
    "default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; "
    "style-src-attr 'unsafe-inline'; img-src 'self' data: blob: https:; connect-src 'self'; font-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL (what a browser sends as Origin), or "" if it has none."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def allowed_origins(settings) -> list[str] | str:
    """The origins whose pages may call the widget API: ``"*"`` only when written."""
    written = [o.strip() for o in (settings.allowed_origins or "").split(",") if o.strip()]
    if "*" in written:
        return "*"
    origins = [origin_of(o) or o.rstrip("/").lower() for o in written]
    if not written and settings.public_url:
        origins.append(origin_of(settings.public_url))
    return [o for o in dict.fromkeys(origins) if o]


def csp_nonce() -> str:
    """A fresh nonce for this request's inline <script>/<style> (templates call it as csp_nonce())."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


class Assets:
    """The widget's files, read once: bytes, strong ETag, and one version for the pair."""

    def __init__(self, folder: Path = STATIC):
        self.files = {name: (folder / name).read_bytes() for name in ASSETS}
        self.etags = {name: hashlib.sha256(data).hexdigest()[:32] for name, data in self.files.items()}
        self.version = hashlib.sha256("".join(self.etags[n] for n in sorted(self.etags)).encode()).hexdigest()[:12]

    def response(self, name: str) -> Response:
        resp = Response(self.files[name], mimetype=ASSETS[name])
        resp.set_etag(self.etags[name])
        if request.args.get("v") == self.version:
            resp.cache_control.public = True
            resp.cache_control.max_age = VERSIONED_MAX_AGE
            resp.cache_control.immutable = True
        else:
            resp.cache_control.public = True
            resp.cache_control.max_age = ASSET_MAX_AGE
        resp.vary.add("Accept-Encoding")
        return resp.make_conditional(request)


def register_security(app: Flask, settings) -> None:
    origins = allowed_origins(settings)

    # Registered before CORS: after_request hooks run in reverse, so this one sees its headers.
    @app.after_request
    def security_headers(resp: Response) -> Response:
        if "Access-Control-Allow-Origin" not in resp.headers and origins != "*":
            # The app's own origin is always allowed (the demo page): same-origin needs no header,
            # but a same-origin fetch in "cors" mode gets one, as from any allowed origin.
            origin = request.headers.get("Origin", "").lower()
            if origin and origin == origin_of(request.host_url) and request.path.startswith("/api/v1/"):
                resp.headers["Access-Control-Allow-Origin"] = request.headers["Origin"]
                resp.vary.add("Origin")
        vary = {v.strip(): None for line in resp.headers.getlist("Vary") for v in line.split(",") if v.strip()}
        if len(resp.headers.getlist("Vary")) > 1:  # flask-cors adds its own line: send one
            resp.headers["Vary"] = ", ".join(vary)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        nonce = g.get("csp_nonce")
        resp.headers.setdefault("Content-Security-Policy", PAGE_CSP.format(nonce=nonce) if nonce and resp.mimetype == "text/html" else API_CSP)
        return resp

    CORS(
        app,
        resources={API_PATHS: {"origins": origins}},
        methods=API_METHODS,
        allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
        expose_headers=["Retry-After"],
        supports_credentials=False,
        send_wildcard=origins == "*",
        max_age=600,
    )
    app.config.update(
        COMPRESS_MIMETYPES=["text/javascript", "text/css", "text/html", "application/json"],
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_STREAMS=False,  # never the live stream: compression buffers, SSE must not wait
        COMPRESS_MIN_SIZE=500,
    )
    Compress(app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
