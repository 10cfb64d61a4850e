"""Edits and deletions made in Slack reach the shopper's open stream, history and resumed stream, over
real HTTP: the web app (Bolt behind /slack/events, SSE) on a real server, signed Slack events."""

from __future__ import annotations

import json
import socket
import threading
import time
import types
from urllib.parse import urlsplit

import pytest
import requests

from bot.mirror import mirror_conversation
from conversations import Event
from tests.bot.conftest import ALICE
from tests.sse import parse_sse


class Stream:
    """A widget's live stream read in the background: parsed events plus every line received.

    Spoken over a plain socket (HTTP/1.0, so the body is the raw event stream) that the test can
    shut at once; a client library's close would wait for the server's next keep-alive."""

    def __init__(self, base: str, conv_id: str, token: str, last_event_id: str | None = None):
        host, port = urlsplit(base).hostname, urlsplit(base).port
        headers = [f"Authorization: Bearer {token}", "Accept: text/event-stream"]
        if last_event_id:
            headers.append(f"Last-Event-ID: {last_event_id}")
        self._sock = socket.create_connection((host, port), timeout=20)
        request = f"GET /api/v1/conversations/{conv_id}/events HTTP/1.0\r\nHost: {host}\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n"
        self._sock.sendall(request.encode())
        self._file = self._sock.makefile("r", encoding="utf-8", newline="\n")
        status = self._file.readline()
        assert " 200 " in status, status
        while self._file.readline().strip():
            pass  # response headers
        self.events: list[dict] = []
        self.raw = ""
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _lines(self):
        for line in self._file:
            line = line.rstrip("\r\n")
            with self._cond:
                self.raw += line + "\n"
            yield line

    def _read(self):
        try:
            for event in parse_sse(self._lines()):
                with self._cond:
                    self.events.append(event)
                    self._cond.notify_all()
        except (OSError, ValueError):
            return  # shut by the test

    def entries(self) -> list[dict]:
        with self._cond:
            return [e["data"] for e in self.events if "event" not in e]

    def wait_for(self, predicate, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for entry in [e["data"] for e in self.events if "event" not in e]:
                    if predicate(entry):
                        return entry
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"nothing matched in {timeout}s; got {[e['data'] for e in self.events]}")
                self._cond.wait(left)

    def close(self):
        self._sock.shutdown(socket.SHUT_RDWR)
        self._reader.join(timeout=5)
        self._file.close()
        self._sock.close()


@pytest.fixture
def shop(app, live_server, store, web, settings):
    """A shopper's conversation (with its widget token) escalated into a Slack thread, and the web app serving it."""
    conv, token = store.create({"name": "Jane Doe"}, "https://shop.example/fonts")
    store.append(conv.id, role="customer", text="I was charged twice for Serif Pro", client_id="w1")
    store.transition(conv.id, Event.ESCALATE)
    mirror_conversation(store, web, conv.id, settings)
    streams: list[Stream] = []

    class Shop:
        base = live_server
        thread = store.get(conv.id)

        def stream(self, last_event_id=None) -> Stream:
            streams.append(Stream(live_server, conv.id, token, last_event_id))
            return streams[-1]

        def history(self) -> list[dict]:
            resp = requests.get(f"{live_server}/api/v1/conversations/{conv.id}", headers={"Authorization": f"Bearer {token}"}, timeout=5)
            assert resp.status_code == 200
            return resp.json()["entries"]

    yield Shop()
    for s in streams:
        s.close()


def wait_until(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("Slack event not handled in time")
        time.sleep(0.02)


@pytest.fixture
def team(shop, events, store):
    """What a team member does in the thread, as signed Slack events to the web app. Bolt handles
    events on a thread pool after the 200, so each step waits until it is in the log (a person
    cannot edit a reply before it exists; the listener would rightly ignore such an edit)."""
    thread = shop.thread

    def send(event, **envelope):
        req = events.event(event, **envelope)
        assert requests.post(f"{shop.base}/slack/events", data=req.body.encode(), headers=req.headers, timeout=5).status_code == 200

    def logged(kind, ts):
        return any(e.type == kind and e.meta.get("slack_ts") == ts for e in store.entries(thread.id))

    def reply(text):
        event = events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, text=text)
        send(event)
        wait_until(lambda: logged("message", event["ts"]))
        return event

    def edit(original, text, **envelope):
        before = len([e for e in store.entries(thread.id) if e.type == "edit"])
        send(events.message_changed(channel=thread.slack_channel, thread_ts=thread.slack_ts, ts=original["ts"], user=ALICE, text=text), **envelope)
        wait_until(lambda: len([e for e in store.entries(thread.id) if e.type == "edit"]) > before)

    def delete(original):
        send(events.message_deleted(channel=thread.slack_channel, thread_ts=thread.slack_ts, ts=original["ts"]))
        wait_until(lambda: logged("delete", original["ts"]))

    return types.SimpleNamespace(reply=reply, edit=edit, delete=delete, send=send)


def test_edit_and_delete_reach_an_open_widget_stream(shop, team):
    """With the chat open, Alice's edit arrives as an edit of her message, her deletion as a delete."""
    live = shop.stream()
    first = team.reply("Your refund is *on its way*")
    mine = live.wait_for(lambda e: e["role"] == "agent" and e["type"] == "message")
    second = team.reply("Also, here is a code for 10% off: SORRY10")
    other = live.wait_for(lambda e: e["type"] == "message" and "SORRY10" in e["text"])

    team.edit(first, "Your refund is *on its way* (3–5 days)")
    edited = live.wait_for(lambda e: e["type"] == "edit")
    team.delete(second)
    deleted = live.wait_for(lambda e: e["type"] == "delete")

    assert (edited["target"], edited["role"], edited["text"]) == (mine["id"], "agent", "Your refund is **on its way** (3–5 days)")
    assert edited["html"] == "<p>Your refund is <strong>on its way</strong> (3–5 days)</p>"
    assert edited["author"]["name"] == "Alice"
    assert (deleted["target"], deleted["text"], deleted["html"]) == (other["id"], "", "")


def test_slack_retries_of_an_edit_reach_the_stream_once(shop, team, events):
    """The same message_changed delivered three times gives the open widget one edit."""
    live = shop.stream()
    sent = team.reply("Download link reset")
    live.wait_for(lambda e: e["role"] == "agent" and e["type"] == "message")
    team.edit(sent, "Download link reset: try again now", event_id="Ev0LIVEEDIT1")
    live.wait_for(lambda e: e["type"] == "edit")
    for retry in (1, 2):
        team.send(events.message_changed(channel=shop.thread.slack_channel, thread_ts=shop.thread.slack_ts, ts=sent["ts"], user=ALICE,
                                         text="Download link reset: try again now"), event_id="Ev0LIVEEDIT1", retry_num=retry)
    team.reply("Anything else?")  # a later entry: by the time it arrives, any duplicate edit would have too
    live.wait_for(lambda e: e["type"] == "message" and e["text"] == "Anything else?")

    assert [e["text"] for e in live.entries() if e["type"] == "edit"] == ["Download link reset: try again now"]


def test_history_and_a_fresh_or_resumed_stream_show_the_latest_version(shop, team):
    """After two edits and a deletion, the conversation reads as it is now, whichever way it is read;
    the deleted reply's text is served to nobody, not even a widget replaying from the start."""
    live = shop.stream()
    kept = team.reply("Refund: 3 days")
    team.edit(kept, "Refund: 5 days")
    team.edit(kept, "Refund: 5 working days")
    oops = team.reply("Order 7781 belongs to Tom Miller, key TOM-SECRET-KEY")
    team.delete(oops)
    live.wait_for(lambda e: e["type"] == "delete")
    reply_id = next(e["id"] for e in live.entries() if e["type"] == "message" and e["role"] == "agent" and e["text"] == "Refund: 3 days")

    history = shop.history()
    agent = [e for e in history if e["role"] == "agent"]
    assert [(e["text"], e.get("edited", False), e.get("deleted", False)) for e in agent] == [
        ("Refund: 5 working days", True, False), ("", False, True)]
    assert agent[0]["id"] == reply_id and agent[0]["html"] == "<p>Refund: 5 working days</p>"
    assert all(e["type"] == "message" or e["type"] == "event" for e in history)  # edits are folded in

    fresh = shop.stream()  # a widget with nothing stored: replays everything
    fresh.wait_for(lambda e: e["type"] == "delete")
    replayed = [e for e in fresh.entries() if e["role"] == "agent"]
    assert [(e["type"], e["text"]) for e in replayed] == [
        ("message", "Refund: 5 working days"), ("edit", "Refund: 5 working days"), ("message", ""), ("delete", "")]
    assert replayed[0].get("edited") and replayed[2].get("deleted")
    assert "TOM-SECRET-KEY" not in fresh.raw and "TOM-SECRET-KEY" not in json.dumps(history)

    resumed = shop.stream(last_event_id=reply_id)  # a widget that saw the first version, then lost its connection
    resumed.wait_for(lambda e: e["type"] == "delete")
    assert [(e["type"], e["text"]) for e in resumed.entries() if e["role"] == "agent"] == [
        ("edit", "Refund: 5 working days"), ("message", ""), ("delete", "")]
