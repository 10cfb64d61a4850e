"""How fast does a team member's Slack thread reply reach the shopper's widget?

    python -m bench.live_latency [--replies 50]

Starts a private redis-server, the web app on a real HTTP server, and a local Slack Web API server
(tests/fakes, speaking Slack's wire format). A conversation is escalated into a thread; then, for each
trial, a signed Slack `message` event (a thread reply) is POSTed to /slack/events and the time until
the entry arrives on the shopper's open SSE stream is recorded. Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import statistics
import tempfile
import threading
import time

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


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=50)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access line per request

    data_dir = tempfile.mkdtemp(prefix="baton-bench-data-")
    try:
        with redis_server() as url, FakeSlack(users={USER: {"display_name": "Maya"}}) as slack:
            settings = config.load(environ={}, dotenv=False, redis_url=url, data_dir=data_dir, slack_bot_token=slack.token,
                                   slack_signing_secret=SECRET, slack_api_url=slack.url, slack_inbox_channel=INBOX,
                                   rate_limit_messages="10000 per minute", rate_limit_address="10000 per minute")
            app = create_app(settings)
            server = make_server("127.0.0.1", free_port(), app, threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{server.server_port}"

            created = requests.post(f"{base}/api/v1/conversations", json={"customer": {"name": "Ada"}}, timeout=5).json()
            store = ConversationStore.from_url(url)
            store.transition(created["id"], Event.ESCALATE)
            thread_ts = "1700000000.000100"
            store.set_thread(created["id"], INBOX, thread_ts)

            arrivals: dict[str, float] = {}
            ready = threading.Event()

            def read():
                headers = {"Authorization": f"Bearer {created['token']}"}
                with requests.get(f"{base}/api/v1/conversations/{created['id']}/events", headers=headers, stream=True, timeout=120) as resp:
                    ready.set()
                    for line in resp.iter_lines(decode_unicode=True):
                        if line.startswith("data: "):
                            data = json.loads(line[6:])
                            if data.get("role") == "agent":
                                arrivals[data["text"]] = time.perf_counter()

            threading.Thread(target=read, daemon=True).start()
            ready.wait(5)
            events = SlackEvents(SECRET)
            sent: dict[str, float] = {}
            for n in range(args.replies):
                text = f"reply number {n}"
                req = events.event(events.thread_reply(channel=INBOX, thread_ts=thread_ts, user=USER, text=text))
                sent[text] = time.perf_counter()
                assert requests.post(f"{base}/slack/events", data=req.body.encode(), headers=req.headers, timeout=5).status_code == 200
                deadline = time.perf_counter() + 5
                while text not in arrivals and time.perf_counter() < deadline:
                    time.sleep(0.001)
            server.shutdown()
            app.extensions["baton"].live.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    latencies = [(arrivals[t] - sent[t]) * 1000 for t in sent if t in arrivals]
    lost = len(sent) - len(latencies)
    result = {
        "replies": len(sent),
        "delivered": len(latencies),
        "lost": lost,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
    }
    print("Slack thread reply → shopper's live stream (signed event → SSE entry)")
    print(f"  replies {result['replies']}  delivered {result['delivered']}  lost {lost}")
    print(f"  p50 {result['p50_ms']} ms   p95 {result['p95_ms']} ms   max {result['max_ms']} ms")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
