"""Races with one consistent outcome: two members clicking Take over at once over HTTP, and a
team member's reply arriving while the AI is still writing its answer."""

from __future__ import annotations

import threading

import requests
from werkzeug.serving import make_server

import config
from bot import blocks
from conversations import ConversationStore, Event, State
from tests.agent.fake_anthropic import FakeAnthropic, slow, text_message
from tests.conftest import free_port
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_events import SlackEvents
from webhook import create_app

SECRET = "race-signing-secret"
INBOX = "C0INBOX0001"
THREAD = "1712345678.000100"
MAYA, OMAR = "U0MAYA00001", "U0OMAR00001"


def serve(app):
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def test_two_members_clicking_take_over_at_once_get_one_assignee(redis_url, tmp_path):
    """Two signed clicks on Take over, sent at the same instant to a real server: one member gets the
    conversation, the log has one 'joined' line, and the other is told who has it."""
    with FakeSlack(users={MAYA: {"display_name": "Maya"}, OMAR: {"display_name": "Omar"}}) as slack:
        settings = config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"), slack_bot_token=slack.token,
                               slack_signing_secret=SECRET, slack_api_url=slack.url, slack_inbox_channel=INBOX)
        app = create_app(settings)
        store = ConversationStore.from_url(redis_url)
        conv, _ = store.create(customer={"name": "Ada"})
        store.transition(conv.id, Event.ESCALATE)
        store.set_thread(conv.id, INBOX, THREAD)
        server, base = serve(app)
        try:
            events = SlackEvents(SECRET)
            clicks = [events.block_action(blocks.ACTION_TAKE_OVER, conv.id, user=u, channel=INBOX, message_ts=THREAD,
                                          response_url=slack.response_url(u)) for u in (MAYA, OMAR)]
            go = threading.Barrier(2)
            statuses = []

            def click(req):
                go.wait()
                statuses.append(requests.post(f"{base}/slack/events", data=req.body.encode(), headers=req.headers, timeout=10).status_code)

            threads = [threading.Thread(target=click, args=(c,)) for c in clicks]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=15)
            assert statuses == [200, 200]
            slack.wait_for("response_url", 2, timeout=10)
        finally:
            server.shutdown()
        conv = store.get(conv.id)
        assert conv.state == State.HUMAN
        joined = [e for e in store.entries(conv.id) if e.meta.get("event") == Event.TAKE_OVER.value]
        assert len(joined) == 1
        told = " ".join(str(c.params) for c in slack.calls("response_url"))
        assert conv.assignee in (MAYA, OMAR)
        assert f"<@{conv.assignee}> has #{conv.number}" in told  # the loser is told who has it


def test_a_reply_during_the_ai_turn_wins_and_the_ai_stays_silent(redis_url, tmp_path, monkeypatch):
    """Maya replies in Slack while Claude is still answering: her reply reaches the shopper, the AI's
    late answer is dropped (it may not talk over a person), and the turn ends 'silent'."""
    from jobs import answers, context

    fake = FakeAnthropic()
    try:
        fake.reply(slow(2.0, text_message("Every font comes as OTF and TTF.")))
        with FakeSlack(users={MAYA: {"display_name": "Maya"}}) as slack:
            for key, value in {"REDIS_URL": redis_url, "ANTHROPIC_API_KEY": "sk-ant-test", "ANTHROPIC_BASE_URL": fake.base_url,
                               "BATON_ANTHROPIC_MAX_RETRIES": "0"}.items():
                monkeypatch.setenv(key, value)
            settings = config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"), slack_bot_token=slack.token,
                                   slack_signing_secret=SECRET, slack_api_url=slack.url, slack_inbox_channel=INBOX)
            app = create_app(settings)
            store = ConversationStore.from_url(redis_url)
            conv, _ = store.create(customer={"name": "Ada"})
            store.set_thread(conv.id, INBOX, THREAD)
            entry_id, _ = store.append(conv.id, role="customer", text="Which file formats come with the fonts?")
            outcome = {}
            turn = threading.Thread(target=lambda: outcome.setdefault("value", answers.respond(conv.id, entry_id)))
            turn.start()
            deadline = threading.Event()
            while not fake.requests and not deadline.wait(0.05):
                pass  # the model is now writing
            events = SlackEvents(SECRET)
            req = events.event(events.thread_reply(channel=INBOX, thread_ts=THREAD, user=MAYA, text="Hi Ada, OTF, TTF and WOFF2."))
            assert app.test_client().post("/slack/events", data=req.body, headers=req.headers).status_code == 200
            turn.join(timeout=60)
    finally:
        fake.close()
        context._cache.clear()
    assert outcome["value"] == "silent"
    messages = [(e.role, e.text) for e in store.entries(conv.id) if e.type == "message"]
    assert messages == [("customer", "Which file formats come with the fonts?"), ("agent", "Hi Ada, OTF, TTF and WOFF2.")]
    assert store.get(conv.id).state == State.HUMAN
