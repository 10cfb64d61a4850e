"""Baton under load: many shoppers chatting at once against the real web process.

    python -m bench.load [--shoppers 50] [--messages 3] [--rounds 3] [--workers 1] [--max-seconds 600]

Starts a private redis-server, ingests the demo docs, then the real processes: gunicorn with the
gevent worker (`gunicorn.conf.py`, one web worker process) and `rq worker --worker-class
jobs.worker.Worker` (the offline answerer). Loopback only; it stops by itself.

* ``--shoppers`` shoppers at once each create a conversation, hold its SSE stream open, and send
  ``--messages`` questions one after another, each waiting for the AI's answer on the stream:
  **post → answer** (POST sent → the AI's entry arrives on the shopper's stream).
* Then ``--rounds`` times an agent entry is appended to every conversation at once (as a Slack
  thread reply would be): **live fan-out** (append → arrival on that conversation's stream, through
  the web process's one pub/sub connection).

Reports requests/s over the chat phase (every HTTP request: create, post, stream open), open streams
held, errors (non-2xx answers, streams that broke, answers or fan-out entries that never arrived:
must be 0), and the RSS of the web and worker processes. Prints a table, then one JSON line.
Timings on a shared machine are inflated by other load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from conversations import ConversationStore
from tests.fakes.redis_server import free_port, redis_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Questions the demo docs answer (the offline answerer keeps these with the AI, no handoff).
QUESTIONS = [
    "How many times can I download a font I bought?",
    "How do I install a font on Windows?",
    "Which file formats do the fonts come in?",
    "Can I use the font on my website?",
]


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 1)


def id_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MiB (Linux /proc)."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


class Shopper:
    def __init__(self, base: str, stats: Stats, deadline: float):
        self.base, self.stats, self.deadline = base, stats, deadline
        created = stats.request("post", f"{base}/api/v1/conversations", json={"customer": {"name": "Load"}})
        self.id, self.token = created.get("id", ""), created.get("token", "")
        self.headers = {"Authorization": f"Bearer {self.token}"}
        self.arrivals: dict[str, tuple[float, dict]] = {}
        self.cond = threading.Condition()
        self.open = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        if self.id:
            self.thread.start()

    def _read(self):
        from tests.sse import parse_sse

        try:
            with requests.get(f"{self.base}/api/v1/conversations/{self.id}/events", headers=self.headers, stream=True,
                              timeout=max(5, self.deadline - time.monotonic())) as resp:
                self.stats.count(resp.status_code)
                if resp.status_code != 200:
                    return
                for event in parse_sse(resp.iter_lines(decode_unicode=True)):
                    self.open.set()
                    if "event" in event:
                        continue
                    with self.cond:
                        self.arrivals[event["data"]["id"]] = (time.monotonic(), event["data"])
                        self.cond.notify_all()
        except requests.RequestException:
            if time.monotonic() < self.deadline and not self.stats.stopping.is_set():
                self.stats.error("stream broke")

    def wait(self, predicate, timeout: float) -> float | None:
        """The arrival time of the first entry matching ``predicate``, or None after ``timeout``."""
        end = min(time.monotonic() + timeout, self.deadline)
        with self.cond:
            while True:
                for at, data in self.arrivals.values():
                    if predicate(data):
                        return at
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def chat(self, messages: int, answer_timeout: float):
        for n in range(messages if self.id else 0):
            sent = time.monotonic()
            entry_id = self.stats.request("post", f"{self.base}/api/v1/conversations/{self.id}/messages",
                                          json={"text": QUESTIONS[n % len(QUESTIONS)], "client_id": f"m{n}"}, headers=self.headers).get("entry_id")
            if not entry_id:
                return
            after = id_key(entry_id)
            at = self.wait(lambda d, after=after: d["role"] == "ai" and id_key(d["id"]) > after, answer_timeout)
            if at is None:
                self.stats.error("no answer")
                return
            self.stats.answers.append((at - sent) * 1000)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.errors: dict[str, int] = {}
        self.answers: list[float] = []
        self.fanout: list[float] = []
        self.stopping = threading.Event()

    def count(self, status: int):
        with self.lock:
            self.requests += 1
        if not 200 <= status < 300:
            self.error(f"HTTP {status}")

    def error(self, kind: str):
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1

    def request(self, method: str, url: str, **kwargs) -> dict:
        """The JSON answer; {} (counted as an error) for a non-2xx answer or a failed request."""
        try:
            resp = getattr(requests, method)(url, timeout=30, **kwargs)
        except requests.RequestException:
            self.error("request failed")
            return {}
        self.count(resp.status_code)
        return resp.json() if 200 <= resp.status_code < 300 else {}


def wait_http(url: str, timeout: float = 60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not come up in {timeout:.0f}s")


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shoppers", type=int, default=50)
    ap.add_argument("--messages", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--answer-timeout", type=float, default=120.0)
    ap.add_argument("--max-seconds", type=float, default=600.0)
    args = ap.parse_args(argv)
    started = time.monotonic()
    deadline = started + args.max_seconds
    data = tempfile.mkdtemp(prefix="baton-load-")
    procs: list[subprocess.Popen] = []
    stats = Stats()
    try:
        with redis_server() as redis_url:
            import config
            from knowledge import KnowledgeBase

            settings = config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=data)
            KnowledgeBase(settings.index_dir).ingest(settings.docs_dir)
            port = free_port()
            env = {k: v for k, v in os.environ.items() if k not in config.ENV}
            env.update({
                "REDIS_URL": redis_url, "BATON_DATA_DIR": data, "HF_HUB_OFFLINE": "1", "PORT": str(port), "WEB_CONCURRENCY": "1",
                "LOG_LEVEL": "warning", "BATON_RATE_LIMIT_MESSAGES": "100000 per minute", "BATON_RATE_LIMIT_CREATE": "100000 per minute",
                "BATON_RATE_LIMIT_ADDRESS": "100000 per minute", "BATON_RATE_LIMIT_READS": "100000 per minute",
                "BATON_RATE_LIMIT_BAD_TOKEN": "100000 per minute", "BATON_MAX_STREAMS_PER_ADDRESS": str(args.shoppers * 2 + 10),
            })
            bindir = os.path.dirname(sys.executable)
            devnull = subprocess.DEVNULL
            web = subprocess.Popen([os.path.join(bindir, "gunicorn"), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                                    "--access-logfile", "/dev/null", "webhook:create_app()"], cwd=ROOT, env=env, stdout=devnull, stderr=devnull)
            procs.append(web)
            workers = [subprocess.Popen([os.path.join(bindir, "rq"), "worker", "--worker-class", "jobs.worker.Worker", "--url", redis_url,
                                         "answers", "slack"], cwd=ROOT, env=env, stdout=devnull, stderr=devnull) for _ in range(args.workers)]
            procs += workers
            base = f"http://127.0.0.1:{port}"
            wait_http(f"{base}/healthz")

            # Warm the worker (it loads the embedding model and the index on its first job).
            warm = Shopper(base, Stats(), deadline)
            warm.open.wait(10)
            warm.chat(1, args.answer_timeout)

            t0 = time.monotonic()
            with ThreadPoolExecutor(max_workers=args.shoppers) as pool:
                shoppers = list(pool.map(lambda _: Shopper(base, stats, deadline), range(args.shoppers)))
                held = sum(1 for s in shoppers if s.open.wait(max(0.0, min(30, deadline - time.monotonic()))))
                list(pool.map(lambda s: s.chat(args.messages, args.answer_timeout), shoppers))
            chat_seconds = time.monotonic() - t0
            requests_per_s = stats.requests / chat_seconds if chat_seconds else 0.0

            store = ConversationStore.from_url(redis_url)
            for r in range(args.rounds):
                sent: dict[str, tuple[float, str]] = {}
                for s in [s for s in shoppers if s.id]:
                    entry_id, _ = store.append(s.id, role="agent", text=f"fan-out round {r}", author={"name": "Maya"})
                    sent[s.id] = (time.monotonic(), entry_id)
                for s in [s for s in shoppers if s.id]:
                    t_sent, entry_id = sent[s.id]
                    at = s.wait(lambda d, eid=entry_id: d["id"] == eid, 30)
                    if at is None:
                        stats.error("fan-out entry never arrived")
                    else:
                        stats.fanout.append((at - t_sent) * 1000)
            web_rss, worker_rss = rss_mb(web.pid), round(sum(rss_mb(w.pid) for w in workers), 1)
            stats.stopping.set()
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(data, ignore_errors=True)

    result = {
        "shoppers": args.shoppers,
        "messages_each": args.messages,
        "streams_held": held,
        "requests": stats.requests,
        "requests_per_s": round(requests_per_s, 1),
        "answers": len(stats.answers),
        "answer_p50_ms": percentile(stats.answers, 50),
        "answer_p99_ms": percentile(stats.answers, 99),
        "fanout_deliveries": len(stats.fanout),
        "fanout_p50_ms": percentile(stats.fanout, 50),
        "fanout_p99_ms": percentile(stats.fanout, 99),
        "errors": sum(stats.errors.values()),
        "error_kinds": stats.errors,
        "web_rss_mb": web_rss,
        "worker_rss_mb": worker_rss,
        "workers": args.workers,
        "seconds": round(time.monotonic() - started, 1),
    }
    print(f"{'shoppers':>10} {'held':>6} {'req/s':>8} {'answer p50/p99 ms':>20} {'fan-out p50/p99 ms':>20} {'errors':>7} {'web MB':>7}")
    print(f"{args.shoppers:>10} {held:>6} {result['requests_per_s']:>8} {str(result['answer_p50_ms']) + '/' + str(result['answer_p99_ms']):>20} "
          f"{str(result['fanout_p50_ms']) + '/' + str(result['fanout_p99_ms']):>20} {result['errors']:>7} {web_rss:>7}")
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
