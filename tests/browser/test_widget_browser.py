"""The chat widget in a real browser: the store page, sending, live replies, safety, resuming."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from conversations import Event

XSS_FLAG = "window.__batonPwned"


def open_widget(page, live_server):
    page.goto(live_server + "/")
    page.locator(".bw-launcher").click()
    expect(page.locator(".bw-panel")).to_be_visible()
    return page.locator(".bw-panel")


def send(page, text: str):
    page.locator(".bw-textarea").fill(text)
    page.locator(".bw-textarea").press("Enter")


def stored_conversation(page) -> dict:
    """The {id, token, number} the widget keeps in localStorage."""
    raw = page.evaluate("() => Object.entries(localStorage).find(([k]) => k.endsWith(':conversation'))[1]")
    return json.loads(raw)


def delivered(page, text: str):
    """The shopper's bubble for ``text`` once the server has acknowledged it."""
    row = page.locator(".bw-row-customer[data-entry-id]", has_text=text)
    expect(row).to_have_count(1)
    return row


def start_chat(page, live_server, text: str):
    """Open the store page and the widget, send ``text``; returns the panel and the conversation."""
    panel = open_widget(page, live_server)
    send(page, text)
    delivered(page, text)
    return panel, stored_conversation(page)


def test_shopper_chats_and_sees_a_team_member_reply_live(page, live_server, app, screenshot):
    """The shopper's message shows at once; a team reply appended to the log appears live with the name."""
    store = app.extensions["baton"].store
    panel = open_widget(page, live_server)
    expect(panel.locator(".bw-title")).to_have_text("Pixel & Press")
    expect(panel.locator(".bw-subtitle")).to_contain_text("AI assistant")
    expect(page.locator(".bw-textarea")).to_be_focused()

    send(page, "Where do I find the license key for Tapewarm?")
    expect(panel.locator(".bw-row-customer .bw-text")).to_have_text("Where do I find the license key for Tapewarm?")
    delivered(page, "license key for Tapewarm")
    expect(page.locator(".bw-textarea")).to_have_value("")
    conv = stored_conversation(page)
    expect(panel.locator(".bw-number")).to_have_text(f"Conversation #{conv['number']}")
    [entry] = store.entries(conv["id"])
    assert (entry.role, entry.text) == ("customer", "Where do I find the license key for Tapewarm?")

    store.signal(conv["id"], "typing")
    expect(panel.locator(".bw-typing")).to_be_visible()
    store.append(
        conv["id"],
        role="ai",
        text="Your key is in your order confirmation email and under **Account › Library**.",
        sources=[{"title": "License keys and activating a plugin › Where to find your license key",
                  "url": "https://help.pixelandpress.example/license-keys-and-activation"}],
    )
    answer = panel.locator(".bw-row-ai")
    expect(answer).to_contain_text("Your key is in your order confirmation email")
    expect(answer.locator("strong", has_text="Account › Library")).to_be_visible()
    expect(answer.locator(".bw-author")).to_have_text("AI assistant")
    source = answer.locator("a.bw-source")
    expect(source).to_have_text("License keys and activating a plugin › Where to find your license key")
    expect(source).to_have_attribute("href", "https://help.pixelandpress.example/license-keys-and-activation")
    expect(panel.locator(".bw-typing")).to_be_hidden()
    store.signal(conv["id"], "typing")  # a late signal after the answer must not leave dots spinning
    page.wait_for_timeout(400)
    expect(panel.locator(".bw-typing")).to_be_hidden()

    store.transition(conv["id"], Event.ESCALATE)
    expect(panel.locator(".bw-subtitle")).to_have_text("Waiting for a person…")
    expect(panel.locator(".bw-notice").last).to_contain_text("A person will reply here shortly")

    store.transition(conv["id"], Event.TAKE_OVER, actor="Maya")
    store.append(conv["id"], role="agent", text="Hi, I'm Maya. I've just re-sent your key to you.", author={"name": "Maya"})
    reply = panel.locator(".bw-row-agent")
    expect(reply).to_contain_text("I've just re-sent your key")
    expect(reply.locator(".bw-author")).to_have_text("Maya · Pixel & Press team")
    expect(panel.locator(".bw-subtitle")).to_have_text("Chatting with Maya")
    assert screenshot(page, "widget-conversation").stat().st_size > 10_000


def test_script_in_a_reply_never_runs_and_shopper_html_shows_literally(page, live_server, app):
    """Agent or AI text with <script> or onerror does nothing; a shopper's <b>hi</b> reads as typed."""
    store = app.extensions["baton"].store
    panel = open_widget(page, live_server)
    typed = '<b>hi</b> <img src=x onerror="window.__batonPwned=1"> <script>window.__batonPwned=1</script>'
    send(page, typed)
    bubble = delivered(page, "<b>hi</b>")
    expect(bubble.locator(".bw-text")).to_have_text(typed)
    expect(bubble.locator("b, img, script")).to_have_count(0)

    conv = stored_conversation(page)
    store.append(conv["id"], role="agent", author={"name": "Maya"},
                 text='Look: <script>window.__batonPwned=1</script> <img src=x onerror="window.__batonPwned=1"> [x](javascript:window.__batonPwned=1)')
    store.append(conv["id"], role="ai", text='<svg onload="window.__batonPwned=1"></svg><a href="javascript:alert(1)" onclick="window.__batonPwned=1">click</a>')
    expect(panel.locator(".bw-row-agent")).to_contain_text("Look:")
    expect(panel.locator(".bw-row-ai")).to_contain_text("click")
    panel.locator(".bw-row-ai a", has_text="click").click()
    page.wait_for_timeout(300)
    assert page.evaluate(f"() => {XSS_FLAG}") is None
    expect(panel.locator(".bw-bubble script, .bw-bubble img, .bw-bubble svg, .bw-log [onerror], .bw-log [onclick]")).to_have_count(0)  # in what the replies say
    expect(panel.locator(".bw-log a[href^='javascript']")).to_have_count(0)


def test_widget_strips_unsafe_html_even_if_the_server_sent_it(page, live_server):
    """Defence in depth: a stream entry whose html carries script is rendered without it."""
    evil = {
        "id": "9999999999999-0", "type": "message", "role": "ai", "text": "Hello",
        "html": '<p onclick="window.__batonPwned=1">Hello <img src=x onerror="window.__batonPwned=1">'
                '<script>window.__batonPwned=1</script><iframe src="javascript:window.__batonPwned=1"></iframe>'
                '<a href="javascript:window.__batonPwned=1">there</a> <em>friend</em></p>',
        "author": {"name": "", "avatar_url": ""}, "sources": [{"title": "Evil", "url": "javascript:alert(1)"}],
        "at": "2030-01-01T10:00:00.000Z",
    }
    page.route("**/events", lambda route: route.fulfill(
        status=200, headers={"Content-Type": "text/event-stream"},
        body=f"retry: 60000\nid: {evil['id']}\ndata: {json.dumps(evil)}\n\n",
    ))
    panel = open_widget(page, live_server)
    send(page, "hi")
    answer = panel.locator(".bw-row-ai")
    expect(answer).to_contain_text("Hello there friend")
    expect(answer.locator("em")).to_have_text("friend")
    expect(answer.locator("script, img, iframe, [onclick]")).to_have_count(0)
    expect(answer.locator("a.bw-source")).to_have_count(0)
    expect(answer.locator(".bw-source")).to_have_text("Evil")
    assert answer.locator(".bw-rich a").get_attribute("href") is None
    assert page.evaluate(f"() => {XSS_FLAG}") is None


def test_reloading_the_page_resumes_the_conversation(page, live_server, app):
    """After a reload the history is back, and a reply sent while away appears without a duplicate."""
    store = app.extensions["baton"].store
    _, conv = start_chat(page, live_server, "Can I move Lumen Grade to my new laptop?")
    store.append(conv["id"], role="ai", text="Yes: deactivate it on the old computer first.")
    expect(page.locator(".bw-panel .bw-row-ai")).to_contain_text("deactivate it")  # seen before leaving

    page.reload()
    store.append(conv["id"], role="agent", text="And if the old one is gone, use Manage activations.", author={"name": "Jonas"})
    expect(page.locator(".bw-badge")).to_have_text("1")
    page.locator(".bw-launcher").click()
    panel = page.locator(".bw-panel")
    expect(panel.locator(".bw-row-customer")).to_have_count(1)
    expect(panel.locator(".bw-row-ai")).to_contain_text("deactivate it on the old computer")
    expect(panel.locator(".bw-row-agent")).to_contain_text("Manage activations")
    expect(page.locator(".bw-badge")).to_be_hidden()

    send(page, "Thanks!")
    delivered(page, "Thanks!")
    assert [e.text for e in store.entries(conv["id"]) if e.role == "customer"] == [
        "Can I move Lumen Grade to my new laptop?", "Thanks!"]


def test_a_message_sent_while_offline_is_delivered_once_when_back(page, live_server, app):
    """A network failure keeps the message pending and retries it with the same client_id: stored once."""
    store = app.extensions["baton"].store
    _, conv = start_chat(page, live_server, "First question")

    page.context.set_offline(True)
    send(page, "Sent on a train")
    pending = page.locator(".bw-row-customer.bw-pending", has_text="Sent on a train")
    expect(pending.locator(".bw-meta")).to_contain_text("retrying")
    page.context.set_offline(False)
    delivered(page, "Sent on a train")
    texts = [e.text for e in store.entries(conv["id"]) if e.role == "customer"]
    assert texts == ["First question", "Sent on a train"]


def test_escape_closes_the_panel_and_returns_focus_to_the_launcher(page, live_server):
    """Keyboard users can close the chat with Esc and land back on the chat button."""
    open_widget(page, live_server)
    page.keyboard.press("Escape")
    expect(page.locator(".bw-panel")).to_be_hidden()
    expect(page.locator(".bw-launcher")).to_be_focused()
    expect(page.locator(".bw-launcher")).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".bw-log")).to_have_attribute("aria-live", "polite")


def test_a_message_over_the_limit_cannot_be_sent_and_keeps_its_text(page, live_server, app):
    """Near 4,000 characters a counter appears; over it, sending is blocked and the text stays."""
    panel = open_widget(page, live_server)
    box = page.locator(".bw-textarea")
    box.fill("a" * 3600)
    expect(panel.locator(".bw-counter")).to_have_text("3,600 / 4,000")
    box.fill("a" * 4001)
    expect(panel.locator(".bw-counter")).to_have_class("bw-counter bw-counter-over")
    expect(panel.locator(".bw-send")).to_be_disabled()
    box.press("Enter")
    expect(panel.locator(".bw-error")).to_contain_text("too long")
    expect(box).to_have_value("a" * 4001)
    assert app.extensions["baton"].store.recent() == []


def test_the_store_page_works_on_a_phone(browser, live_server, screenshot):
    """On a small screen the open chat fills the screen and still sends."""
    context = browser.new_context(viewport={"width": 390, "height": 760}, is_mobile=True, has_touch=True, reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        page.locator("[data-open-chat]").first.click()
        panel = page.locator(".bw-panel")
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert box["width"] == 390 and box["height"] >= 700
        send(page, "Do you offer refunds on e-books?")
        delivered(page, "refunds on e-books")
        screenshot(page, "widget-phone")
        page.locator(".bw-close").click()
        expect(panel).to_be_hidden()
    finally:
        context.close()


def test_ai_answers_with_its_source_then_hands_a_refund_to_a_person(page, live_server, app, settings, monkeypatch, tmp_path, screenshot):
    """With the real worker and demo docs: a how-to question gets a cited answer; a refund goes to the team."""
    import shutil

    from rq import SimpleWorker

    from knowledge import KnowledgeBase

    docs = tmp_path / "docs"
    docs.mkdir()
    for slug in ("license-keys-and-activation", "refund-policy", "installing-fonts"):
        shutil.copy(f"{settings.docs_dir}/{slug}.md", docs)
    KnowledgeBase(settings.index_dir).ingest(str(docs))
    monkeypatch.setenv("REDIS_URL", settings.redis_url)  # the worker's jobs build their context from the env
    baton = app.extensions["baton"]

    def worker_turn():
        SimpleWorker([baton.queue("answers")], connection=baton.redis).work(burst=True)

    panel = open_widget(page, live_server)
    send(page, "Where can I find my license key?")
    delivered(page, "license key")
    worker_turn()
    answer = panel.locator(".bw-row-ai")
    expect(answer).to_contain_text("order confirmation email")
    expect(answer.locator("a.bw-source")).to_contain_text("License keys and activating a plugin")
    expect(panel.locator(".bw-typing")).to_be_hidden()

    send(page, "I want a refund for the font bundle I bought yesterday")
    delivered(page, "refund for the font bundle")
    worker_turn()
    expect(panel.locator(".bw-subtitle")).to_have_text("Waiting for a person…")
    expect(panel.locator(".bw-notice").last).to_contain_text("A person will reply here")
    screenshot(page, "widget-ai-and-handoff")


def test_a_dropped_live_stream_reconnects_and_resumes_after_the_last_entry(page, live_server, app):
    """When the stream drops, the widget reconnects with Last-Event-ID and shows new replies once."""
    store = app.extensions["baton"].store
    _, conv = start_chat(page, live_server, "Hello")
    last_id, _ = store.append(conv["id"], role="ai", text="Hi! How can I help?")
    expect(page.locator(".bw-row-ai")).to_have_count(1)

    asked_after = []

    def drop_the_first_stream(route):
        asked_after.append(route.request.headers.get("last-event-id"))
        if len(asked_after) == 1:
            route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body="retry: 200\n\n")
        else:
            route.continue_()

    page.route("**/events", drop_the_first_stream)
    page.reload()
    page.locator(".bw-launcher").click()
    expect(page.locator(".bw-row-ai")).to_have_count(1)
    store.append(conv["id"], role="agent", text="Maya here, picking this up.", author={"name": "Maya"})
    expect(page.locator(".bw-row-agent")).to_contain_text("Maya here")
    assert asked_after[:2] == [last_id, last_id]
    expect(page.locator(".bw-row-customer")).to_have_count(1)
    expect(page.locator(".bw-row-ai")).to_have_count(1)
