"""How fast do messages cross between the shopper's widget and the team's Slack thread?

    python -m bench.live_latency [--replies 50] [--conversations 50] [--rounds 4] [--workers 2]

Starts a private redis-server, the web app on a real HTTP server, real RQ worker processes
(``rq worker --worker-class jobs.worker.Worker``, as the Procfile runs them) and a local Slack Web API
server (tests/fakes, speaking Slack's wire format). Three measures:

* **single**: one conversation; a signed Slack ``message`` event (a thread reply) is POSTed to
  /slack/events, one after another, and the time until the entry arrives on the shopper's open SSE
  stream is recorded (the original figure of this bench).
* **thread reply → shopper, concurrent**: ``--conversations`` escalated conversations, mirrored into
  their threads by the workers and each with its SSE stream open; every round, a thread reply is
  POSTed to each of them at once, and the time until it reaches that conversation's stream is
  recorded.
* **shopper message → thread line, concurrent**: every round, each shopper POSTs a message to the
  widget API at once, and the time until the workers' mirror posts it in that conversation's Slack
  thread (chat.postMessage reaching the fake) is recorded.

Prints a table and, last, one JSON line. Timings on a shared machine are inflated by other load.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from werkzeug.serving import make_server

import config
from conversations import ConversationStore, Event
from tests.fakes.redis_server import free_port, redis_server
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_events import SlackEvents
from webhook import create_app

SECRET = "bench-signing-secret"
INBOX = "C0BENCH001"
USER = "U0BENCH001"
ESCALATION = {"reason": "The shopper asks for a refund.", "rule": "refunds", "priority": "normal", "looked_at": []}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(latencies_ms: list[float], sent: int) -> dict:
    return {
        "sent": sent,
        "delivered": len(latencies_ms),
        "lost": sent - len(latencies_ms),
        "p50_ms": round(statistics.median(latencies_ms), 1) if latencies_ms else None,
        "p95_ms": round(percentile(latencies_ms, 95), 1) if latencies_ms else None,
        "p99_ms": round(percentile(latencies_ms, 99), 1) if latencies_ms else None,
        "max_ms": round(max(latencies_ms), 1) if latencies_ms else None,
    }


class Stream:
    """One shopper's open SSE stream; records when each team reply's text arrives."""

    def __init__(self, base: str, conv: dict):
        self.arrivals: dict[str, float] = {}
        self.ready = threading.Event()
        self._base, self._conv = base, conv
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        headers = {"Authorization": f"Bearer {self._conv['token']}"}
        with requests.get(f"{self._base}/api/v1/conversations/{self._conv['id']}/events", headers=headers, stream=True, timeout=600) as resp:
            self.ready.set()
            for line in resp.iter_lines(decode_unicode=True):
                if line.startswith("data: "):
                    data = json.loads(line[6:])
                    if data.get("role") == "agent" and data.get("text"):
                        self.arrivals.setdefault(data["text"], time.perf_counter())


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if predicate():
            return True
        time.sleep(0.002)
    return predicate()


def replies_to_shoppers(r: int, convs: list[dict], threads: dict, streams: dict, events: SlackEvents, post_event, pool) -> list[float]:
    """One thread reply per conversation, all at once; ms until each reaches its shopper's stream."""
    texts = {c["id"]: f"team reply {r} to {c['number']}" for c in convs}
    reqs = {cid: events.event(events.thread_reply(channel=INBOX, thread_ts=threads[cid], user=USER, text=t)) for cid, t in texts.items()}
    started: dict[str, float] = {}

    def reply(cid: str) -> None:
        started[cid] = time.perf_counter()
        post_event(reqs[cid])

    list(pool.map(reply, texts))
    wait_until(lambda: all(texts[cid] in streams[cid].arrivals for cid in texts), 30)
    return [(streams[cid].arrivals[t] - started[cid]) * 1000 for cid, t in texts.items() if t in streams[cid].arrivals]


def messages_to_threads(r: int, convs: list[dict], threads: dict, slack: FakeSlack, http, base: str, pool) -> list[float]:
    """One shopper message per conversation, all at once; ms until the mirror posts each in its thread."""
    said = {c["id"]: f"shopper line {r} from {c['number']}" for c in convs}
    posted: dict[str, float] = {}

    def say(conv: dict) -> None:
        posted[conv["id"]] = time.perf_counter()
        resp = http.post(f"{base}/api/v1/conversations/{conv['id']}/messages", json={"text": said[conv["id"]], "client_id": f"b{r}"},
                         headers={"Authorization": f"Bearer {conv['token']}"}, timeout=30)
        assert resp.status_code == 202, resp.text

    def in_thread() -> dict[str, float]:
        found = {}
        for call in slack.calls("chat.postMessage"):
            text = call.params.get("text", "")
            for cid, line in said.items():
                if cid not in found and call.params.get("thread_ts") == threads[cid] and text.endswith(line):
                    found[cid] = call.at
        return found

    list(pool.map(say, convs))
    wait_until(lambda: len(in_thread()) == len(said), 60)
    return [(at - posted[cid]) * 1000 for cid, at in in_thread().items()]


def start_workers(n: int, env: dict) -> list[subprocess.Popen]:
    rq = os.path.join(os.path.dirname(sys.executable), "rq")
    cmd = [rq, "worker", "--worker-class", "jobs.worker.Worker", "--url", env["REDIS_URL"], "--with-scheduler", "answers", "slack"]
    return [subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=50, help="sequential replies in the single-conversation measure")
    parser.add_argument("--conversations", type=int, default=50, help="conversations mirrored at once")
    parser.add_argument("--rounds", type=int, default=4, help="messages each way per conversation")
    parser.add_argument("--workers", type=int, default=2, help="RQ worker processes")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access line per request

    data_dir = tempfile.mkdtemp(prefix="baton-bench-data-")
    workers: list[subprocess.Popen] = []
    try:
        with redis_server() as url, FakeSlack(users={USER: {"display_name": "Maya"}}) as slack:
            limits = {"rate_limit_messages": "100000 per minute", "rate_limit_address": "100000 per minute", "rate_limit_reads": "100000 per minute",
                      "rate_limit_create": "100000 per hour"}
            settings = config.load(environ={}, dotenv=False, redis_url=url, data_dir=data_dir, slack_bot_token=slack.token,
                                   slack_signing_secret=SECRET, slack_api_url=slack.url, slack_inbox_channel=INBOX, embedder="hash",
                                   **limits, **_stream_limits())
            from knowledge import KnowledgeBase
            from knowledge.embeddings import load_embedder

            KnowledgeBase(settings.index_dir, load_embedder("hash")).ingest(settings.docs_dir)  # the drafts job searches it
            app = create_app(settings)
            server = make_server("127.0.0.1", free_port(), app, threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{server.server_port}"
            http = requests.Session()
            http.mount("http://", requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=args.conversations + 8))
            store = ConversationStore.from_url(url)
            events = SlackEvents(SECRET)

            def post_event(req) -> None:
                assert http.post(f"{base}/slack/events", data=req.body.encode(), headers=req.headers, timeout=30).status_code == 200

            # -- single: one conversation, replies one after another (no worker needed) --------------
            single = http.post(f"{base}/api/v1/conversations", json={"customer": {"name": "Ada"}}, timeout=5).json()
            store.transition(single["id"], Event.ESCALATE)
            store.set_thread(single["id"], INBOX, "1700000000.000100")
            stream = Stream(base, single)
            stream.ready.wait(5)
            single_ms = []
            for n in range(args.replies):
                text = f"reply number {n}"
                req = events.event(events.thread_reply(channel=INBOX, thread_ts="1700000000.000100", user=USER, text=text))
                sent = time.perf_counter()
                post_event(req)
                if wait_until(lambda t=text: t in stream.arrivals, 5):
                    single_ms.append((stream.arrivals[text] - sent) * 1000)

            # -- concurrent: N conversations mirrored by real workers -------------------------------
            env = {**os.environ, "REDIS_URL": url, "SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": SECRET,
                   "SLACK_API_URL": slack.url, "SLACK_INBOX_CHANNEL": INBOX, "BATON_DATA_DIR": data_dir, "BATON_EMBEDDER": "hash",
                   "PYTHONPATH": os.getcwd()}
            env.pop("ANTHROPIC_API_KEY", None)
            workers = start_workers(args.workers, env)
            convs = [http.post(f"{base}/api/v1/conversations", json={"customer": {"name": f"Shopper {i}"}}, timeout=5).json()
                     for i in range(args.conversations)]
            for conv in convs:  # the shopper asked for a person: the worker posts each card and thread
                store.update(conv["id"], escalation=ESCALATION)
                store.transition(conv["id"], Event.ESCALATE, meta={"escalation": ESCALATION})
                app.extensions["baton"].enqueue_mirror(conv["id"])
            if not wait_until(lambda: all(store.get(c["id"]).slack_ts for c in convs), 120):
                raise SystemExit("the workers did not post every card within 120 s")
            threads = {c["id"]: store.get(c["id"]).slack_ts for c in convs}
            streams = {c["id"]: Stream(base, c) for c in convs}
            for s in streams.values():
                s.ready.wait(10)

            pool = ThreadPoolExecutor(max_workers=args.conversations)
            to_shopper: list[float] = []
            to_thread: list[float] = []
            sent_each = 0
            for r in range(args.rounds):
                to_shopper += replies_to_shoppers(r, convs, threads, streams, events, post_event, pool)
                to_thread += messages_to_threads(r, convs, threads, slack, http, base, pool)
                sent_each += len(convs)
            pool.shutdown()
            server.shutdown()
            app.extensions["baton"].live.close()
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            try:
                w.wait(timeout=10)
            except subprocess.TimeoutExpired:
                w.kill()
        shutil.rmtree(data_dir, ignore_errors=True)

    result = {
        "single": summary(single_ms, args.replies),
        "conversations": args.conversations,
        "workers": args.workers,
        "thread_reply_to_shopper": summary(to_shopper, sent_each),
        "shopper_message_to_thread": summary(to_thread, sent_each),
    }
    print("Slack thread reply → shopper's live stream, one conversation (signed event → SSE entry)")
    s = result["single"]
    print(f"  replies {s['sent']}  delivered {s['delivered']}  p50 {s['p50_ms']} ms  p95 {s['p95_ms']} ms  max {s['max_ms']} ms")
    print(f"{args.conversations} conversations mirrored at once, {args.workers} worker(s), {args.rounds} round(s)")
    for key, label in (("thread_reply_to_shopper", "thread reply → shopper"), ("shopper_message_to_thread", "shopper message → thread line")):
        s = result[key]
        print(f"  {label:32} sent {s['sent']}  delivered {s['delivered']}  p50 {s['p50_ms']} ms  p99 {s['p99_ms']} ms  max {s['max_ms']} ms")
    print(json.dumps(result))


def _stream_limits() -> dict:
    """One address opens every stream here: lift the per-address cap where this Baton has one."""
    fields = config.Settings.__dataclass_fields__
    return {name: 100000 for name in ("max_streams_per_address", "max_streams_per_conversation") if name in fields}


if __name__ == "__main__":
    main()
