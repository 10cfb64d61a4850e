"""Redis restarted under a running web process: conversations survive (AOF), the web process and its
live fan-out reconnect by themselves, and an open widget resumes with Last-Event-ID, missing nothing."""

from __future__ import annotations

import threading
import time

import requests
from werkzeug.serving import make_server

import config
from conversations import ConversationStore
from tests.conftest import free_port
from tests.faults.conftest import wait_until
from tests.sse import parse_sse
from webhook import create_app


def test_conversations_survive_a_redis_restart_and_widgets_resume(redis_proc, tmp_path):
    """Restart Redis while a shopper's stream is open: the history is intact, posting works again
    without restarting the web process, and the reconnected stream delivers what came after."""
    app = create_app(config.load(environ={}, dotenv=False, redis_url=redis_proc.url, data_dir=str(tmp_path / "data")))
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        conv = requests.post(f"{base}/api/v1/conversations", json={"customer": {"name": "Ada"}}, timeout=5).json()
        headers = {"Authorization": f"Bearer {conv['token']}"}
        url = f"{base}/api/v1/conversations/{conv['id']}"
        first = requests.post(f"{url}/messages", json={"text": "before the restart", "client_id": "a"}, headers=headers, timeout=5).json()["entry_id"]

        seen: list[dict] = []
        ended = threading.Event()

        def widget(last_id=None):
            h = {**headers, **({"Last-Event-ID": last_id} if last_id else {})}
            try:
                with requests.get(f"{url}/events", headers=h, stream=True, timeout=30) as resp:
                    for event in parse_sse(resp.iter_lines(decode_unicode=True)):
                        if "event" not in event:
                            seen.append(event)
            except requests.RequestException:
                pass
            ended.set()

        threading.Thread(target=widget, daemon=True).start()
        wait_until(lambda: any(e["id"] == first for e in seen), 10, "the first entry on the stream")

        redis_proc.stop()
        redis_proc.start()  # same port, same append-only file

        store = ConversationStore.from_url(redis_proc.url)
        assert [e.text for e in store.entries(conv["id"])] == ["before the restart"]
        # The web process reconnects by itself: the same token works, a new message is stored.
        second = None
        for _ in range(50):
            resp = requests.post(f"{url}/messages", json={"text": "after the restart", "client_id": "b"}, headers=headers, timeout=5)
            if resp.status_code == 202:
                second = resp.json()["entry_id"]
                break
            assert resp.status_code == 503 and resp.json()["error"]["code"] == "unavailable"
            time.sleep(0.1)
        assert second, "posting never worked again after the restart"
        store.append(conv["id"], role="agent", text="We are back.", author={"name": "Maya"})

        # The widget: its stream either carried on or ended; it reconnects with the last id it saw.
        wait_until(lambda: ended.is_set() or any(e["data"]["text"] == "We are back." for e in seen), 20, "the stream to end or catch up")
        if ended.is_set():
            last = seen[-1]["id"]
            ended.clear()
            threading.Thread(target=widget, args=(last,), daemon=True).start()
        wait_until(lambda: any(e["data"]["text"] == "We are back." for e in seen), 20, "the reply after the restart")
        texts = [e["data"]["text"] for e in seen]
        assert texts == ["before the restart", "after the restart", "We are back."]
        history = requests.get(url, headers=headers, timeout=5).json()["entries"]
        assert [e["text"] for e in history] == texts
    finally:
        server.shutdown()
        if "live" in app.extensions["baton"].__dict__:
            app.extensions["baton"].live.close()
