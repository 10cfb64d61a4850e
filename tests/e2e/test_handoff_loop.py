"""The whole handoff loop over HTTP, on real parts: the web app on a real server, a real `rq worker`
process, real Redis, the real LanceDB index of the demo docs, the offline answerer with the demo
rules, and a local Slack Web API server that Slack's own SDK talks to. Slack's requests are signed."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time

import pytest
import requests

import config
from conversations import ConversationStore
from knowledge import KnowledgeBase
from tests.conftest import ROOT
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_events import SlackEvents
from tests.sse import parse_sse
from webhook import create_app

SECRET = "e2e-signing-secret"
INBOX = "C0INBOX001"
MAYA = "U0MAYA0001"


class Shopper:
    """The widget's side of the API, with a live stream read in the background like the widget does."""

    def __init__(self, base: str, customer: dict):
        self.base = base
        created = requests.post(f"{base}/api/v1/conversations", json={"customer": customer, "page_url": f"{base}/"}, timeout=5).json()
        self.id, self.number = created["id"], created["number"]
        self.headers = {"Authorization": f"Bearer {created['token']}"}
        self.events: list[dict] = []
        self._cond = threading.Condition()
        self._stop = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        with requests.get(f"{self.base}/api/v1/conversations/{self.id}/events", headers=self.headers, stream=True, timeout=60) as resp:
            lines = itertools.takewhile(lambda _: not self._stop.is_set(), resp.iter_lines(decode_unicode=True))
            for event in parse_sse(lines):
                with self._cond:
                    self.events.append(event)
                    self._cond.notify_all()

    def say(self, text: str, client_id: str) -> str:
        resp = requests.post(f"{self.base}/api/v1/conversations/{self.id}/messages", json={"text": text, "client_id": client_id}, headers=self.headers, timeout=5)
        assert resp.status_code == 202, resp.text
        return resp.json()["entry_id"]

    def wait_for(self, predicate, timeout: float = 20.0) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            seen = 0
            while True:
                for event in self.events[seen:]:
                    if predicate(event):
                        return event
                seen = len(self.events)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"nothing matched in {timeout}s; events: {[e['data'] for e in self.events]}")
                self._cond.wait(left)

    def entries(self, role: str | None = None) -> list[dict]:
        return [e["data"] for e in self.events if "event" not in e and (role is None or e["data"]["role"] == role)]

    @property
    def state(self) -> str:
        return [e["data"]["state"] for e in self.events if e.get("event") == "state"][-1]

    def close(self):
        self._stop.set()


@pytest.fixture
def slack():
    with FakeSlack(users={MAYA: {"display_name": "Maya", "real_name": "Maya Lund"}}) as fake:
        yield fake


@pytest.fixture
def e2e_settings(redis_url, tmp_path, slack):
    return config.load(
        environ={},
        dotenv=False,
        redis_url=redis_url,
        data_dir=str(tmp_path / "data"),
        slack_bot_token=slack.token,
        slack_signing_secret=SECRET,
        slack_api_url=slack.url,
        slack_inbox_channel=INBOX,
    )


@pytest.fixture
def worker(e2e_settings):
    """A real `rq worker` process (SimpleWorker, as in the Procfile) with the same settings."""
    KnowledgeBase(e2e_settings.index_dir).ingest(e2e_settings.docs_dir)
    env = {
        **os.environ,
        "REDIS_URL": e2e_settings.redis_url,
        "BATON_DATA_DIR": e2e_settings.data_dir,
        "SLACK_BOT_TOKEN": e2e_settings.slack_bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": e2e_settings.slack_api_url,
        "SLACK_INBOX_CHANNEL": INBOX,
    }
    rq = os.path.join(os.path.dirname(sys.executable), "rq")
    proc = subprocess.Popen(
        [rq, "worker", "--worker-class", "rq.worker.SimpleWorker", "--url", e2e_settings.redis_url, "answers", "slack"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield proc
    proc.terminate()
    proc.wait(timeout=15)


@pytest.fixture
def server(e2e_settings):
    from werkzeug.serving import make_server

    from tests.conftest import free_port

    app = create_app(e2e_settings)
    srv = make_server("127.0.0.1", free_port(), app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    app.extensions["baton"].live.close()


def post_to_slack_endpoint(base: str, req):
    resp = requests.post(f"{base}/slack/events", data=req.body.encode(), headers=req.headers, timeout=5)
    assert resp.status_code == 200, resp.text
    return resp


def test_shopper_to_slack_and_back(server, worker, slack, e2e_settings):
    """How-to answered with a cited doc; refund escalates to a Slack thread; Maya's thread reply
    reaches the shopper live; notes stay internal; /handback returns the conversation to the AI."""
    page = requests.get(f"{server}/", timeout=5)
    assert page.status_code == 200 and "/widget.js" in page.text
    assert requests.get(f"{server}/widget.js", timeout=5).status_code == 200

    shopper = Shopper(server, {"name": "Ada Park", "email": "ada@example.com"})
    events = SlackEvents(SECRET)
    try:
        # 1. A how-to question is answered by the AI, naming the doc it used.
        shopper.say("How many times can I download a font I bought?", "q1")
        answer = shopper.wait_for(lambda e: e["data"].get("role") == "ai")["data"]
        assert answer["sources"], answer
        assert any("download" in s["title"].lower() for s in answer["sources"]), answer["sources"]
        assert shopper.state == "ai"
        assert not slack.calls("chat.postMessage")  # nothing escalated, nothing in Slack

        # 2. A refund request fires a rule: the shopper is told a person will reply; Slack gets the card and transcript.
        shopper.say("I want a refund for the font bundle I bought yesterday", "q2")
        shopper.wait_for(lambda e: e.get("event") == "state" and e["data"]["state"] == "waiting")
        assert any("person" in e["text"].lower() for e in shopper.entries("system"))
        ai_said = len(shopper.entries("ai"))  # the answer, plus the rule's canned handoff line
        card = slack.wait_for("chat.postMessage", 1, timeout=20)[0].params
        assert card["channel"] == INBOX
        blocks = json.dumps(card["blocks"]) if not isinstance(card["blocks"], str) else card["blocks"]
        assert f"#{shopper.number}" in blocks and "Ada Park" in blocks
        for label in ("Take over", "Hand back to AI", "Close"):
            assert label in blocks
        store = ConversationStore.from_url(e2e_settings.redis_url)
        deadline = time.monotonic() + 10
        while not store.get(shopper.id).slack_ts and time.monotonic() < deadline:
            time.sleep(0.05)  # the mirror records the thread right after Slack answers the post
        thread_ts = store.get(shopper.id).slack_ts
        assert thread_ts
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(slack.posts(INBOX, thread_ts)) < 4:
            time.sleep(0.1)
        transcript = " ".join(p.get("text", "") for p in slack.posts(INBOX, thread_ts))
        assert "How many times can I download" in transcript and "refund for the font bundle" in transcript

        # The AI stays silent from now on; further shopper messages are mirrored into the thread.
        shopper.say("It's order 5521, if that helps", "q3")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "order 5521" not in " ".join(p.get("text", "") for p in slack.posts(INBOX, thread_ts)):
            time.sleep(0.1)
        assert "order 5521" in " ".join(p.get("text", "") for p in slack.posts(INBOX, thread_ts))
        assert len(shopper.entries("ai")) == ai_said

        # 3. Maya replies in the thread: the shopper sees it live, with her name; state is human.
        #    (How fast is measured by bench/live_latency.py.)
        post_to_slack_endpoint(server, events.event(events.thread_reply(channel=INBOX, thread_ts=thread_ts, user=MAYA, text="Hi Ada, I can sort that out for you.")))
        reply = shopper.wait_for(lambda e: e["data"].get("role") == "agent", timeout=5)["data"]
        assert reply["author"]["name"] == "Maya" and reply["text"] == "Hi Ada, I can sort that out for you."
        shopper.wait_for(lambda e: e.get("event") == "state" and e["data"]["state"] == "human", timeout=5)
        post_to_slack_endpoint(server, events.event(events.thread_reply(channel=INBOX, thread_ts=thread_ts, user=MAYA, text="note: refund approved in Stripe")))
        shopper.say("Thank you!", "q4")
        time.sleep(1.5)  # give the worker every chance to (wrongly) answer or leak the note
        assert len(shopper.entries("ai")) == ai_said
        assert not any("Stripe" in e["text"] for e in shopper.entries())

        # 4. /handback with the conversation number returns it to the AI; the shopper and the thread see it.
        post_to_slack_endpoint(server, events.command("/handback", str(shopper.number), user=MAYA, response_url=slack.response_url("hb")))
        # (wait for the announcement itself: the stream's first event already said state "ai")
        shopper.wait_for(lambda e: "event" not in e and "handed the conversation back" in e["data"].get("text", ""), timeout=5)
        deadline = time.monotonic() + 5  # the state event comes right after the announcement, on the reader's thread
        while shopper.state != "ai" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert shopper.state == "ai"
        before = {e["id"] for e in shopper.entries("ai")}
        shopper.say("One more thing: how do I install a font on Windows?", "q5")
        # (The AI may first say "you're welcome" to the thanks left unanswered while Maya had the chat.)
        second = shopper.wait_for(lambda e: e["data"].get("role") == "ai" and e["data"]["id"] not in before and "install" in e["data"]["text"].lower())["data"]
        assert second["sources"]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "handed" not in " ".join(p.get("text", "") for p in slack.posts(INBOX, thread_ts)):
            time.sleep(0.1)
        assert "handed" in " ".join(p.get("text", "") for p in slack.posts(INBOX, thread_ts)).lower()
    finally:
        shopper.close()
