"""The demo page under its Content-Security-Policy: the widget works and the browser reports no violation."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_widget_browser import start_chat

# Collects every CSP violation the page reports, from the first script on.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI), true);
"""


def test_the_widget_chats_under_the_pages_csp_without_a_violation(page, live_server, app):
    """Styles, script, API calls and the live stream all pass the CSP; an injected inline script does not run."""
    page.add_init_script(WATCH_CSP)
    panel, conv = start_chat(page, live_server, "Do fonts come with a desktop license?")
    app.extensions["baton"].store.append(conv["id"], role="agent", text="Yes, **desktop** use is included.", author={"name": "Maya"})
    expect(panel.locator(".bw-row-agent strong", has_text="desktop")).to_have_count(1)
    # The widget's stylesheet applied inside its shadow root (the panel is laid out, not raw markup).
    assert page.locator(".bw-panel").evaluate("el => getComputedStyle(el).position") != "static"
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__injected = 1'; document.body.appendChild(s); }""")
    assert page.evaluate("() => window.__injected") is None
    violations = page.evaluate("() => window.__cspViolations")
    assert violations == ["script-src-elem inline"]  # only the injected script, blocked
