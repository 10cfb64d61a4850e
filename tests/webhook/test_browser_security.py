"""What the browser is told: CORS for allowed origins only, security headers, CSP, compressed cacheable widget files."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

import config
from webhook import create_app

SHOP = "https://shop.example"
EVIL = "https://evil.example"


def client_with(settings, **overrides):
    app = create_app(config.load(environ={}, dotenv=False, redis_url=settings.redis_url, data_dir=settings.data_dir, **overrides))
    app.testing = True
    return app.test_client()


def preflight(client, origin, method="POST", path="/api/v1/conversations"):
    return client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": method,
                                         "Access-Control-Request-Headers": "authorization, content-type"})


def test_a_listed_origin_may_call_the_api_and_a_foreign_one_may_not(settings):
    """BATON_ALLOWED_ORIGINS=shop: the shop's page gets Access-Control-Allow-Origin, another site gets none."""
    client = client_with(settings, allowed_origins=f"{SHOP}, https://www.shop.example/")
    ok = client.post("/api/v1/conversations", json={}, headers={"Origin": SHOP})
    assert ok.status_code == 201 and ok.headers["Access-Control-Allow-Origin"] == SHOP
    assert "Origin" in ok.headers.get("Vary", "")
    assert client.post("/api/v1/conversations", json={}, headers={"Origin": "https://www.shop.example"}).headers["Access-Control-Allow-Origin"] == "https://www.shop.example"
    foreign = client.post("/api/v1/conversations", json={}, headers={"Origin": EVIL})
    assert "Access-Control-Allow-Origin" not in foreign.headers
    assert "Access-Control-Allow-Origin" not in preflight(client, EVIL).headers


def test_by_default_only_the_public_url_and_the_app_itself_are_allowed(settings):
    """Without BATON_ALLOWED_ORIGINS: BATON_PUBLIC_URL's origin and the app's own origin, nobody else."""
    client = client_with(settings, public_url="https://chat.shop.example/some/path")
    assert preflight(client, "https://chat.shop.example").headers["Access-Control-Allow-Origin"] == "https://chat.shop.example"
    own = client.post("/api/v1/conversations", json={}, headers={"Origin": "http://localhost"})
    assert own.headers["Access-Control-Allow-Origin"] == "http://localhost"
    assert "Access-Control-Allow-Origin" not in preflight(client, SHOP).headers


def test_any_origin_only_when_written(settings):
    """BATON_ALLOWED_ORIGINS=* allows every origin (the API uses bearer tokens, never cookies)."""
    client = client_with(settings, allowed_origins="*")
    resp = preflight(client, EVIL)
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in resp.headers


@pytest.mark.parametrize(("method", "offered"), [("POST", True), ("GET", True), ("DELETE", False), ("PUT", False), ("PATCH", False)])
def test_a_preflight_offers_only_the_methods_the_api_has(settings, method, offered):
    """GET and POST are offered to an allowed origin; DELETE/PUT/PATCH are not."""
    client = client_with(settings, allowed_origins=SHOP)
    resp = preflight(client, SHOP, method=method, path="/api/v1/conversations/abc/messages")
    allowed = {m.strip() for m in resp.headers.get("Access-Control-Allow-Methods", "").split(",") if m.strip()}
    assert allowed <= {"GET", "POST"}
    assert (method in allowed) is offered
    if offered:
        assert {"authorization", "content-type"} <= {h.strip().lower() for h in resp.headers["Access-Control-Allow-Headers"].split(",")}


@pytest.mark.parametrize("path", ["/", "/healthz", "/widget.js", "/api/v1/conversations/nope", "/no-such-page"])
def test_every_response_says_nosniff_and_no_referrer(client, path):
    """Every answer carries X-Content-Type-Options: nosniff, a Referrer-Policy and a CSP."""
    resp = client.get(path)
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]


def test_the_store_page_runs_only_its_own_and_nonced_scripts(client):
    """The demo page's CSP allows 'self' and this response's nonce, which its inline tags carry."""
    first, second = client.get("/"), client.get("/")
    csp = first.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = first.get_data(as_text=True)
    assert "script-src 'self' 'nonce-" in csp and "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [f'<script nonce="{nonce}">']
    assert f'<style nonce="{nonce}">' in html
    assert nonce not in second.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("encoding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)])
@pytest.mark.parametrize("name", ["widget.js", "widget.css"])
def test_the_widget_files_are_served_compressed(client, name, encoding, decode):
    """A browser that accepts br or gzip gets the widget's files compressed, byte-identical once decoded."""
    plain = client.get(f"/{name}", headers={"Accept-Encoding": "identity"})
    packed = client.get(f"/{name}", headers={"Accept-Encoding": encoding})
    assert packed.headers["Content-Encoding"] == encoding
    assert decode(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2


def test_the_widget_files_are_cacheable_and_revalidated(client):
    """The plain URL is cached for 5 minutes with an ETag (304 when unchanged); the versioned URL for a year."""
    page = client.get("/").get_data(as_text=True)
    versioned = re.search(r'src="(/widget\.js\?v=[0-9a-f]+)"', page).group(1)
    plain = client.get("/widget.js", headers={"Accept-Encoding": "br"})
    assert plain.headers["Cache-Control"] == "public, max-age=300"
    again = client.get("/widget.js", headers={"Accept-Encoding": "br", "If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    forever = client.get(versioned)
    assert forever.status_code == 200
    assert {d.strip() for d in forever.headers["Cache-Control"].split(",")} == {"public", "max-age=31536000", "immutable"}
    assert client.get("/widget.css?v=stale").headers["Cache-Control"] == "public, max-age=300"


def test_the_live_stream_is_never_compressed(client):
    """SSE goes out uncompressed even to a browser that accepts br, so entries are not held back."""
    conv = client.post("/api/v1/conversations", json={}).get_json()
    resp = client.get(f"/api/v1/conversations/{conv['id']}/events", headers={"Authorization": f"Bearer {conv['token']}", "Accept-Encoding": "br, gzip"}, buffered=False)
    assert resp.status_code == 200 and "Content-Encoding" not in resp.headers
    resp.close()
