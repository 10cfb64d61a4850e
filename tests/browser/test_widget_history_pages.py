"""The widget reads a long history page by page: after a reload every message is back, in order."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_widget_browser import start_chat


def test_a_reload_shows_a_history_longer_than_one_page(page, live_server, app):
    """450 team lines (three pages of 200) come back after a reload, oldest first, none twice."""
    panel, conv = start_chat(page, live_server, "Tell me everything")
    store = app.extensions["baton"].store
    for n in range(450):
        store.append(conv["id"], role="agent", text=f"line {n}", author={"name": "Maya"})
    expect(panel.locator(".bw-row-agent")).to_have_count(450, timeout=20000)
    page.reload()
    page.locator(".bw-launcher").click()
    rows = page.locator(".bw-panel .bw-row-agent")
    expect(rows).to_have_count(450, timeout=20000)
    assert rows.first.inner_text().endswith("line 0") or "line 0" in rows.first.inner_text()
    assert "line 449" in rows.last.inner_text()
    expect(page.locator(".bw-panel .bw-row-customer", has_text="Tell me everything")).to_have_count(1)
