"""Fixtures for the Slack side: a fake Slack Web API, signed Slack requests, and the Bolt app
served by Bolt's Flask adapter at /slack/events, exactly as the web process serves it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask, request
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient

import config
from bot.app import create_bolt_app, web_client
from bot.mirror import mirror_conversation
from conversations import ConversationStore, Event
from jobs import queues
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_events import SignedRequest, SlackEvents

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
INBOX = "C0INBOX0001"
ALICE = "U0ALICE0001"  # has a display name
BOB = "U0BOB000001"  # only a real name
STRANGER = "U0UNKNOWN01"  # users.info says user_not_found

REFUND_ESCALATION = {
    "reason": "The shopper asks for a refund.",
    "category": "refund_request",
    "summary": "Wants a refund for the font bundle bought yesterday.",
    "rule": "refunds",
    "priority": "high",
    "channel": None,
    "mention": None,
    "looked_at": [{"title": "Refund policy", "url": "https://docs.example/refunds", "relevance": 0.42}],
    "action_results": [],
}


@pytest.fixture
def slack():
    with FakeSlack(users={ALICE: {"display_name": "Alice", "real_name": "Alice Archer"}, BOB: {"real_name": "Bob Baker"}}) as fake:
        yield fake


@pytest.fixture
def settings(redis_url, slack):
    return config.load(
        environ={},
        redis_url=redis_url,
        slack_bot_token=slack.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.url,
        slack_inbox_channel=INBOX,
    )


@pytest.fixture
def store(redis_client):
    return ConversationStore(redis_client)


@pytest.fixture
def events():
    return SlackEvents(SIGNING_SECRET)


@pytest.fixture
def web(settings, slack):
    """A WebClient for the bot token, talking to the fake (what the worker's context builds)."""
    return web_client(settings)


class BotHarness:
    """The Bolt app behind Bolt's Flask adapter. ``enqueue_mirror`` runs the mirror right away (the
    same function the RQ job runs), ``enqueue_answer`` records what the AI was asked to answer and
    ``enqueue_files`` queues the real files job.
    Listeners run on a one-thread executor, so ``send`` can wait until a request's work is done."""

    def __init__(self, settings, store: ConversationStore, web: WebClient):
        self.store = store
        self.mirrored: list[str] = []
        self.answers: list[tuple[str, str]] = []
        self.files: list[tuple] = []
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bolt-listener")

        def enqueue_mirror(conv_id: str):
            self.mirrored.append(conv_id)
            mirror_conversation(store, web, conv_id, settings)

        def enqueue_answer(conv_id: str, entry_id: str):
            self.answers.append((conv_id, entry_id))

        def enqueue_files(*args):  # the real RQ job; a test runs the worker to see it done
            self.files.append(args)
            queues.enqueue_files(store.r, *args)

        self.bolt = create_bolt_app(settings, store, enqueue_mirror, enqueue_answer, listener_executor=self.executor, enqueue_files=enqueue_files)
        handler = SlackRequestHandler(self.bolt)
        flask_app = Flask("baton-slack-test")

        @flask_app.post("/slack/events")
        def slack_events():
            return handler.handle(request)

        self.http = flask_app.test_client()

    def send(self, req: SignedRequest):
        """POST a signed request to /slack/events and wait for the listener's work to finish."""
        response = self.http.post("/slack/events", data=req.body, headers=req.headers)
        self.drain()
        return response

    def drain(self) -> None:
        self.executor.submit(lambda: None).result(timeout=10)

    def close(self) -> None:
        self.executor.shutdown(wait=True)


@pytest.fixture
def bot(settings, store, web):
    harness = BotHarness(settings, store, web)
    yield harness
    harness.close()


def escalated(store: ConversationStore, *, customer: dict | None = None, text: str = "I want a refund for the font bundle I bought yesterday",
              escalation: dict | None = None):
    """A conversation that went: how-to question, AI answer with a source, refund request, escalation."""
    conv, _ = store.create(customer or {"name": "Jane Doe", "email": "jane@example.com"}, "https://shop.example/fonts/serif-pro")
    store.append(conv.id, role="customer", text="How do I install a font on Windows?", client_id="w1")
    store.append(
        conv.id,
        role="ai",
        text="Right-click the `.otf` file and choose **Install**. See [Installing fonts](https://docs.example/install).",
        author={"name": "AI assistant"},
        sources=[{"title": "Installing fonts", "url": "https://docs.example/install"}],
    )
    store.append(conv.id, role="customer", text=text, client_id="w2")
    esc = dict(REFUND_ESCALATION if escalation is None else escalation)
    store.update(conv.id, escalation=esc)
    store.transition(conv.id, Event.ESCALATE, meta={"escalation": esc})
    return store.get(conv.id)


@pytest.fixture
def thread(store, web, settings):
    """An escalated conversation already mirrored into Slack (card + transcript in its thread)."""
    conv = escalated(store)
    mirror_conversation(store, web, conv.id, settings)
    return store.get(conv.id)
