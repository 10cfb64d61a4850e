"""The shopper's side in a real browser: their language, a person one click away, being told when the
answer comes, being asked how it went, the embed settings, and the defects fixed on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conversations import Event
from tests.browser.test_widget_browser import delivered, open_widget, send, start_chat, stored_conversation

LONG_ANSWER = "\n\n".join(f"Step {n}: open **Account › Library**, choose the order and follow the download link number {n}." for n in range(1, 31))


def embed_page(page, live_server, *, script_attrs: str = "", head: str = "", body: str = "", settings: str = "", lang: str = "en"):
    """A store's own page (served at the app's origin) embedding the widget with these settings."""
    html = f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Tapewarm · Pixel &amp; Press</title>{head}</head>
<body>{body}<main><h1>Tapewarm</h1></main>
<script>{settings}</script>
<script src="{live_server}/widget.js" data-store-name="Pixel &amp; Press" {script_attrs} defer></script></body></html>"""
    page.route(f"{live_server}/shop/tapewarm", lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    page.goto(f"{live_server}/shop/tapewarm")


# Headless Chromium shows every page as visible, so the page's visibility is switched here the way a
# tab switch does it: document.hidden / visibilityState change, then a visibilitychange event.
VISIBILITY = """
(() => {
  let hidden = false;
  Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => hidden });
  Object.defineProperty(Document.prototype, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
  window.__setHidden = (value) => { hidden = value; document.dispatchEvent(new Event("visibilitychange")); };
})();
"""


def set_hidden(page, hidden: bool):
    page.evaluate(f"() => window.__setHidden({'true' if hidden else 'false'})")


def test_a_german_page_shows_the_widget_in_german_and_the_handoff_notice_too(page, live_server, app):
    """lang="de": placeholder, buttons, subtitle and pre-chat form are German; so is the server's notice."""
    page.goto(live_server + "/?lang=de")
    page.locator(".bw-launcher").click()
    panel = page.locator(".bw-panel")
    expect(page.locator(".bw-textarea")).to_have_attribute("placeholder", "Nachricht schreiben…")
    expect(panel.locator(".bw-person")).to_have_text("Mit einem Menschen sprechen")
    expect(panel.locator(".bw-subtitle")).to_have_text("KI-Assistent · antwortet sofort")
    expect(panel.locator(".bw-about summary")).to_have_text("Name und E-Mail angeben (optional)")
    expect(panel.locator(".bw-send")).to_have_attribute("aria-label", "Nachricht senden")
    expect(panel.locator(".bw-welcome-title")).to_have_text("Hallo! Wie können wir helfen?")
    send(page, "Wo finde ich meinen Lizenzschlüssel?")
    delivered(page, "Lizenzschlüssel")
    conv = stored_conversation(page)
    expect(panel.locator(".bw-number")).to_have_text(f"Gespräch #{conv['number']}")
    store = app.extensions["baton"].store
    assert store.get(conv["id"]).locale == "de"
    store.transition(conv["id"], Event.ESCALATE)
    expect(panel.locator(".bw-notice").last).to_have_text("Ich habe das an unser Team weitergegeben. Ein Mensch antwortet dir hier in Kürze.")
    expect(panel.locator(".bw-subtitle")).to_have_text("Warte auf einen Menschen…")


def test_data_lang_wins_over_the_page_and_an_unknown_language_falls_back_to_english(page, live_server):
    """data-lang="fr" on an English page speaks French; a Japanese page (no strings yet) speaks English."""
    embed_page(page, live_server, script_attrs='data-lang="fr"')
    page.locator(".bw-launcher").click()
    expect(page.locator(".bw-person")).to_have_text("Parler à une personne")
    page.unroute(f"{live_server}/shop/tapewarm")
    embed_page(page, live_server, lang="ja")
    page.locator(".bw-launcher").click()
    expect(page.locator(".bw-person")).to_have_text("Talk to a person")


def test_an_arabic_page_lays_the_widget_out_right_to_left(page, live_server, app, screenshot):
    """lang="ar": Arabic strings, dir=rtl, and the shopper's own bubble sits on the left."""
    page.goto(live_server + "/?lang=ar")
    page.locator(".bw-launcher").click()
    panel = page.locator(".bw-panel")
    expect(page.locator(".bw-textarea")).to_have_attribute("placeholder", "اكتب رسالة…")
    assert page.locator(".bw").evaluate("el => getComputedStyle(el).direction") == "rtl"
    send(page, "أين أجد مفتاح الترخيص؟")
    delivered(page, "مفتاح الترخيص")
    log_box = panel.locator(".bw-log").bounding_box()
    bubble = panel.locator(".bw-bubble-customer").bounding_box()
    assert bubble["x"] - log_box["x"] < 40  # hugs the left edge (the start of a right-to-left line is on the right)
    expect(panel.locator(".bw-person")).to_have_text("تحدث إلى شخص")
    store = app.extensions["baton"].store
    store.append(stored_conversation(page)["id"], role="ai", text="ستجد مفتاح الترخيص في **الحساب › المكتبة**، بجانب كل طلب.",
                 sources=[{"title": "مفاتيح الترخيص", "url": "https://help.pixelandpress.example/license-keys"}])
    expect(panel.locator(".bw-row-ai .bw-thumb-up")).to_be_visible()
    screenshot(page, "widget-rtl", page.locator(".bw-panel"))


def test_talk_to_a_person_escalates_at_once_and_then_hides(page, live_server, app, settings, monkeypatch, tmp_path):
    """The control hands off through the store's rules: the conversation waits for a person, the control goes away."""
    from rq import SimpleWorker

    from knowledge import KnowledgeBase
    from knowledge.embeddings import load_embedder

    monkeypatch.setenv("REDIS_URL", settings.redis_url)  # the worker's jobs build their context from the env
    monkeypatch.setenv("BATON_EMBEDDER", "hash")
    KnowledgeBase(settings.index_dir, load_embedder("hash")).ingest(f"{settings.docs_dir}/refund-policy.md")
    baton = app.extensions["baton"]
    panel = open_widget(page, live_server)
    person = panel.locator(".bw-person")
    expect(person).to_be_visible()
    person.click()
    delivered(page, "I'd like to talk to a person, please.")
    conv = stored_conversation(page)
    [entry] = baton.store.entries(conv["id"])
    assert entry.meta == {"request": "human"}
    SimpleWorker([baton.queue("answers")], connection=baton.redis).work(burst=True)
    expect(panel.locator(".bw-subtitle")).to_have_text("Waiting for a person…")
    expect(person).to_be_hidden()
    assert baton.store.get(conv["id"]).escalation["category"] == "human_request"
    baton.store.transition(conv["id"], Event.HAND_BACK, actor="Maya")
    expect(person).to_be_visible()  # back with the AI: a person is one click away again


def test_a_reply_to_a_hidden_page_shows_in_the_tab_title_until_the_shopper_is_back(page, live_server, app):
    """Another tab in front: a reply makes the title "(1) New message · Store", then "(2) 2 new messages"; coming back restores it."""
    store = app.extensions["baton"].store
    page.add_init_script(VISIBILITY)
    _, conv = start_chat(page, live_server, "Is Halden Sans OK for a logo?")
    title = page.title()
    set_hidden(page, True)
    store.append(conv["id"], role="agent", text="Yes, the desktop license covers logos.", author={"name": "Maya"})
    page.wait_for_function("() => document.title === '(1) New message · Pixel & Press'")
    store.append(conv["id"], role="ai", text="You can read the license terms under Licenses.")
    page.wait_for_function("() => document.title === '(2) 2 new messages · Pixel & Press'")
    set_hidden(page, False)
    page.wait_for_function(f"() => document.title === {title!r}")


def test_the_chime_plays_only_when_the_store_turned_it_on(page, live_server, app):
    """data-sound="on": a reply to a hidden page plays the chime; without it, nothing plays."""
    store = app.extensions["baton"].store
    page.add_init_script(VISIBILITY)
    for attrs, chimes in (('data-sound="on"', "1"), ("", None)):
        embed_page(page, live_server, script_attrs=attrs)
        page.locator(".bw-launcher").click()
        send(page, "Hello")
        delivered(page, "Hello")
        conv = stored_conversation(page)
        set_hidden(page, True)
        store.append(conv["id"], role="agent", text="Hi! Maya here.", author={"name": "Maya"})
        page.wait_for_function("() => document.title.startsWith('(1)')")
        if chimes:
            expect(page.locator(".bw")).to_have_attribute("data-chimed", chimes)
        else:
            expect(page.locator(".bw")).not_to_have_attribute("data-chimed", "1")
        page.evaluate("() => localStorage.clear()")
        page.unroute(f"{live_server}/shop/tapewarm")


def test_thumbs_and_the_closing_rating_reach_the_log(page, live_server, app):
    """A thumb down on an answer and a 4-star rating with a comment are stored as feedback; the thumb stays pressed after a reload."""
    store = app.extensions["baton"].store
    panel, conv = start_chat(page, live_server, "Can I use Tapewarm in a podcast intro?")
    answer, _ = store.append(conv["id"], role="ai", text="Yes, the standard license covers podcasts.")
    row = panel.locator(".bw-row-ai")
    down = row.locator(".bw-thumb-down")
    down.click()
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(row.locator(".bw-thumb-up")).to_have_attribute("aria-pressed", "false")

    store.transition(conv["id"], Event.CLOSE)
    card = panel.locator(".bw-rating")
    expect(card).to_contain_text("How did we do?")
    card.get_by_role("radio", name="4 out of 5").click()
    card.locator("textarea").fill("Quick, but I had to ask twice.")
    card.locator(".bw-rating-send").click()
    expect(card).to_have_text("Thanks for your feedback!")

    feedback = [e for e in store.entries(conv["id"]) if e.type == "feedback"]
    assert [(e.target, e.meta["rating"], e.text, e.visibility) for e in feedback] == [
        (answer, "down", "", "internal"), ("", 4, "Quick, but I had to ask twice.", "internal")]
    page.reload()
    page.locator(".bw-launcher").click()
    expect(page.locator(".bw-row-ai .bw-thumb-down")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".bw-rating")).to_have_count(0)  # rated once is enough


def motion_page(browser, **kwargs):
    """A context with animations and smooth scrolling allowed (the other tests reduce motion)."""
    context = browser.new_context(viewport={"width": 1280, "height": 820}, reduced_motion="no-preference", **kwargs)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.set_default_timeout(8000)
    return context, page, errors


def at_end(panel) -> bool:
    return panel.locator(".bw-log").evaluate("el => el.scrollHeight - el.scrollTop - el.clientHeight < 4")


def test_the_list_follows_replies_that_arrive_while_the_panel_opens_with_motion_on(browser, live_server, app):
    """Motion on: replies arriving during the opening animation keep the list at its newest message."""
    store = app.extensions["baton"].store
    context, page, errors = motion_page(browser)
    try:
        _, conv = start_chat(page, live_server, "Which fonts are in Press Pass?")
        for n in range(12):
            store.append(conv["id"], role="ai", text=f"Part {n} of the catalogue: Halden, Lumen, Serif Pro and more.")
        expect(page.locator(".bw-row-ai")).to_have_count(12)
        page.locator(".bw-close").click()
        page.locator(".bw-launcher").click()
        for n in range(5):
            store.append(conv["id"], role="agent", text=f"Maya here ({n}): the full list is on the Press Pass page.", author={"name": "Maya"})
        panel = page.locator(".bw-panel")
        expect(panel.locator(".bw-row-agent")).to_have_count(5)
        page.wait_for_timeout(600)  # any smooth scroll or animation has finished
        assert at_end(panel)
        store.append(conv["id"], role="agent", text="One more thing: it renews monthly.", author={"name": "Maya"})
        expect(panel.locator(".bw-row-agent")).to_have_count(6)
        page.wait_for_timeout(300)
        assert at_end(panel)
    finally:
        context.close()
    assert not errors


def test_a_long_answer_is_shown_from_its_start(page, live_server, app):
    """An answer taller than the list scrolls to its first line, not its last."""
    store = app.extensions["baton"].store
    panel, conv = start_chat(page, live_server, "How do I download everything?")
    store.append(conv["id"], role="ai", text=LONG_ANSWER)
    answer = panel.locator(".bw-row-ai")
    expect(answer).to_contain_text("Step 30")
    page.wait_for_timeout(200)
    log_box = panel.locator(".bw-log").bounding_box()
    first = answer.locator("p").first.bounding_box()
    assert log_box["y"] <= first["y"] <= log_box["y"] + log_box["height"] / 2
    assert not at_end(panel)


def test_escape_closes_the_panel_when_focus_is_on_the_page(page, live_server):
    """With focus on the store page behind the open panel, Esc still closes it (and leaves focus where it was)."""
    open_widget(page, live_server)
    page.locator("main a, main button").first.focus()
    page.keyboard.press("Escape")
    expect(page.locator(".bw-panel")).to_be_hidden()
    assert page.evaluate("() => document.activeElement.closest('main') !== null")


def test_tab_stays_inside_the_full_screen_panel_on_a_phone(browser, live_server):
    """On a phone the panel covers the page: Tab and Shift+Tab cycle through the panel, never the page behind."""
    context = browser.new_context(viewport={"width": 390, "height": 760}, is_mobile=True, has_touch=True, reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        page.locator("[data-open-chat]").first.click()
        expect(page.locator(".bw-textarea")).to_be_focused()
        assert page.locator(".bw-panel").get_attribute("aria-modal") == "true"
        for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
            page.keyboard.press(key)
            assert page.evaluate("() => document.activeElement && document.activeElement.id === 'baton-widget'"), key
    finally:
        context.close()


def test_the_page_styles_for_div_do_not_move_the_widget(page, live_server):
    """A store whose CSS gives every div a transform and padding still gets the launcher pinned to the corner."""
    embed_page(page, live_server, head="<style>div { transform: translateX(0); padding: 40px; display: inline; opacity: .4 }</style>",
               body='<div style="height:3000px">long page</div>')
    launcher = page.locator(".bw-launcher")
    expect(launcher).to_be_visible()
    box = launcher.bounding_box()
    assert 1280 - 100 < box["x"] + box["width"] <= 1280 and 820 - 100 < box["y"] + box["height"] <= 820
    assert page.locator("#baton-widget").evaluate("el => getComputedStyle(el).opacity") == "1"


def test_embed_settings_position_greeting_avatar_and_a_signed_in_shopper(page, live_server, app):
    """data-position=left, data-greeting, data-avatar and BatonSettings' name and e-mail are used."""
    embed_page(
        page, live_server,
        script_attrs='data-position="left" data-greeting="Welcome back to Pixel &amp; Press!" data-avatar="https://cdn.pixelandpress.example/logo.png"',
        settings='window.BatonSettings = {name: "Ana Lima", email: "ana@example.com"};',
    )
    launcher = page.locator(".bw-launcher")
    assert launcher.bounding_box()["x"] < 100
    launcher.click()
    panel = page.locator(".bw-panel")
    expect(panel.locator(".bw-welcome-title")).to_have_text("Welcome back to Pixel & Press!")
    expect(panel.locator("img.bw-avatar")).to_have_attribute("src", "https://cdn.pixelandpress.example/logo.png")
    expect(panel.locator(".bw-about")).to_be_hidden()  # the store told us who this is
    send(page, "Hi")
    delivered(page, "Hi")
    conv = app.extensions["baton"].store.get(stored_conversation(page)["id"])
    assert conv.customer == {"name": "Ana Lima", "email": "ana@example.com"}


def test_a_dropped_stream_says_reconnecting_until_it_is_back(page, live_server, app):
    """While the live stream cannot connect the panel says it is reconnecting; once back, the note goes and replies flow."""
    store = app.extensions["baton"].store
    _, conv = start_chat(page, live_server, "Hello")
    down = {"on": True}

    def events(route):
        if down["on"]:
            route.fulfill(status=503, content_type="application/json", body='{"error": {"code": "unavailable", "message": "x"}}')
        else:
            route.continue_()

    page.route("**/events", events)
    page.reload()
    page.locator(".bw-launcher").click()
    conn = page.locator(".bw-conn")
    expect(conn).to_be_visible()
    expect(conn).to_have_text("Connection lost · reconnecting…")
    down["on"] = False
    store.append(conv["id"], role="agent", text="Maya here.", author={"name": "Maya"})
    expect(page.locator(".bw-row-agent")).to_contain_text("Maya here.", timeout=20000)
    expect(conn).to_be_hidden()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_widget_follows_the_colour_scheme(browser, live_server, app, scheme, screenshot):
    """prefers-color-scheme: dark gives the panel a dark background; light keeps it light."""
    context = browser.new_context(viewport={"width": 1280, "height": 820}, reduced_motion="reduce", color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        page.locator(".bw-launcher").click()
        send(page, "Do fonts come with a web license?")
        delivered(page, "web license")
        background = page.locator(".bw-panel").evaluate("el => getComputedStyle(el).backgroundColor")
        channels = [int(c) for c in background[background.index("(") + 1 : background.index(")")].split(",")[:3]]
        assert (sum(channels) / 3 < 60) if scheme == "dark" else (sum(channels) / 3 > 200), background
        app.extensions["baton"].store.append(
            stored_conversation(page)["id"], role="ai", text="Yes: every font includes a **web license** for one domain.",
            sources=[{"title": "Licenses › Web fonts", "url": "https://help.pixelandpress.example/licenses"}])
        expect(page.locator(".bw-row-ai .bw-thumb-up")).to_be_visible()
        page.mouse.move(0, 0)  # no hover state in the picture
        screenshot(page, f"widget-{scheme}", page.locator(".bw-panel"))
    finally:
        context.close()
