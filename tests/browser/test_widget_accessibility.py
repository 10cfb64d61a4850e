"""axe-core on the demo page with the widget open and a conversation in it: no serious or critical
violation, on a desktop and on a phone, in light and dark."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conversations import Event
from tests.browser.test_widget_browser import delivered, send, stored_conversation

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 820}},
    "phone": {"viewport": {"width": 390, "height": 760}, "is_mobile": True, "has_touch": True},
}


def serious_violations(page, axe_js: str) -> list[str]:
    page.add_script_tag(path=axe_js)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(" > ".join(map(str, n["target"])) for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", sorted(VIEWPORTS))
def test_the_open_widget_has_no_serious_accessibility_violation(browser, live_server, app, axe_js, device, scheme):
    """Launcher, panel, replies with sources and thumbs, a notice, the person control and the footer pass axe."""
    # bypass_csp: axe is injected as an inline script, which the page's Content-Security-Policy (rightly) forbids
    context = browser.new_context(reduced_motion="reduce", color_scheme=scheme, bypass_csp=True, **VIEWPORTS[device])
    page = context.new_page()
    try:
        store = app.extensions["baton"].store
        page.goto(live_server + "/")
        page.locator(".bw-launcher").click() if device == "desktop" else page.locator("[data-open-chat]").first.click()
        send(page, "Where do I find my license key?")
        delivered(page, "license key")
        conv = stored_conversation(page)
        store.append(conv["id"], role="ai", text="Under **Account › Library**, next to each order.",
                     sources=[{"title": "License keys", "url": "https://help.pixelandpress.example/license-keys"}])
        expect(page.locator(".bw-row-ai .bw-thumb-up")).to_be_visible()
        store.transition(conv["id"], Event.ESCALATE)
        expect(page.locator(".bw-notice")).to_have_count(1)
        store.append(conv["id"], role="agent", text="Maya here: I've re-sent the key.", author={"name": "Maya"})
        expect(page.locator(".bw-row-agent")).to_have_count(1)
        assert serious_violations(page, axe_js) == []
    finally:
        context.close()
