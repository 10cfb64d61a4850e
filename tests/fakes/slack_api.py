"""A small Slack Web API server for tests: ``slack_sdk.WebClient(base_url=fake.url)`` talks to it.

It speaks the subset Baton calls (auth.test, chat.postMessage, chat.update, chat.postEphemeral,
chat.getPermalink, users.info, views.publish, views.open, files.info, reactions.add, apps.connections.open, and the
file upload flow of ``files_upload_v2``: files.getUploadURLExternal, a POST of the bytes to the upload
URL it hands out, files.completeUploadExternal), files' ``url_private`` downloads (``add_file``) plus
response URLs (what Bolt's ``respond()`` posts to), records every call with its parameters (query,
form or JSON body, merged), checks the bot token, and can be scripted to fail: ``fake.fail("chat.postMessage",
"ratelimited", status=429, retry_after=3)``.

    with FakeSlack(users={"U1": {"display_name": "Alice"}}) as slack:
        WebClient(token=slack.token, base_url=slack.url).chat_postMessage(channel="C1", text="hi")
        assert slack.calls("chat.postMessage")[0].params["text"] == "hi"
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

RESPONSE_URL = "response_url"  # the "method" recorded for posts to a response URL
FILE_DOWNLOAD = "files-pri"  # the "method" recorded for downloads of a file's url_private
UPLOAD = "upload"  # the "method" recorded for a file's bytes posted to its upload URL

TEAM_ID = "T0BATON01"
BOT_USER_ID = "U0BATONBOT"
BOT_ID = "B0BATONBOT"


@dataclass
class Call:
    method: str  # "chat.postMessage", or RESPONSE_URL
    params: dict  # query + form/JSON body
    path: str = ""
    authorization: str = ""
    ok: bool = True  # False when the fake answered with an error
    at: float = field(default_factory=time.perf_counter)  # when the request arrived (perf_counter, for benchmarks)


@dataclass
class _Failure:
    error: str
    status: int
    retry_after: float | None
    times: int
    after: int  # successful calls to let through first


@dataclass
class FakeSlack:
    users: dict = field(default_factory=dict)  # user id -> profile fields (display_name, real_name, image_72 …)
    token: str = "xoxb-test-token"
    channels: dict = field(default_factory=dict)  # "#name" -> channel id, for posts by channel name
    latency: float = 0.0  # seconds each Web API call takes (a slow Slack)

    def __post_init__(self):
        self._calls: list[Call] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._broken: dict[str, str] = {}  # channel -> the error every post there gets
        self._files: dict[str, tuple[dict, bytes]] = {}  # file id -> (file object, bytes)
        self._revoked = ""
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        self._reactions: set[tuple[str, str, str]] = set()
        self._messages: list[dict] = []  # what chat.postMessage stored, for conversations.replies
        self._stall: tuple[str, int] | None = None
        self.stalled = threading.Event()  # set while a stalled call waits for release()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._upload_ids = itertools.count(1)
        self.uploads: dict[str, dict] = {}  # file id -> {filename, length, bytes, completed}

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                fake._handle(self)

            def do_POST(self):
                fake._handle(self)

            def log_message(self, *args):  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server, "start() the fake first"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The Web API base URL (for ``WebClient(base_url=…)`` / SLACK_API_URL)."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r") -> str:
        """A response URL to put in a command/action payload; Bolt's ``respond()`` posts here."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # -- scripting and inspection ------------------------------------------------------------------
    def fail(self, method: str, error: str, *, status: int = 200, retry_after: float | None = None, times: int = 1, after: int = 0) -> None:
        """After ``after`` more successful calls, the next ``times`` calls of ``method`` answer
        ``{"ok": false, "error": error}`` with HTTP ``status`` (and ``Retry-After`` when given)."""
        with self._lock:
            self._failures.setdefault(method, []).append(_Failure(error, status, retry_after, times, after))

    def add_file(self, name: str, content: bytes, mimetype: str, *, user: str = "", size: int | None = None) -> dict:
        """A file "uploaded" to Slack: the file object as a ``file_share`` message carries it. Its
        ``url_private`` serves the bytes to the bot token only (anyone else gets Slack's HTML sign-in
        page, as Slack does); ``size`` overrides the declared size."""
        file_id = f"F{next(self._ts):09d}"
        base = f"http://127.0.0.1:{self.port}/files-pri/{TEAM_ID}-{file_id}"
        file = {
            "id": file_id, "created": int(time.time()), "timestamp": int(time.time()), "name": name, "title": name,
            "mimetype": mimetype, "filetype": name.rsplit(".", 1)[-1].lower(), "pretty_type": name.rsplit(".", 1)[-1].upper(),
            "user": user, "user_team": TEAM_ID, "editable": False, "size": len(content) if size is None else size,
            "mode": "hosted", "is_external": False, "external_type": "", "is_public": False, "public_url_shared": False,
            "display_as_bot": False, "username": "", "url_private": f"{base}/{name}", "url_private_download": f"{base}/download/{name}",
            "permalink": f"https://baton-test.slack.com/files/{user}/{file_id}/{name}", "is_starred": False, "has_rich_preview": False,
            "file_access": "visible",
        }
        with self._lock:
            self._files[file_id] = (file, content)
        return dict(file)

    def break_channel(self, channel: str, error: str = "not_in_channel") -> None:
        """Every post or update in ``channel`` answers ``error`` (``not_in_channel``, ``is_archived``,
        ``channel_not_found``) until ``fix_channel``: the bot was removed, the channel archived …"""
        with self._lock:
            self._broken[channel] = error

    def fix_channel(self, channel: str) -> None:
        with self._lock:
            self._broken.pop(channel, None)

    def stall(self, method: str, nth: int) -> None:
        """The ``nth`` call of ``method`` is carried out (a post is stored) but its answer is held
        back until ``release()``: the moment a client can die after Slack acted, before it knew."""
        self._stall = (method, nth)
        self.stalled.clear()
        self._release.clear()

    def release(self) -> None:
        self._release.set()

    def revoke(self, error: str = "token_revoked") -> None:
        """Every call with the bot token answers ``error`` until ``restore()`` (the app was uninstalled)."""
        self._revoked = error

    def restore(self) -> None:
        self._revoked = ""

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def posts(self, channel: str | None = None, thread_ts: str | None = None) -> list[dict]:
        """Delivered chat.postMessage parameters, optionally only those in one channel / thread."""
        out = []
        for c in self.calls("chat.postMessage"):
            if not c.ok:
                continue
            if channel is not None and c.params.get("channel") != channel:
                continue
            if thread_ts is not None and c.params.get("thread_ts") != thread_ts:
                continue
            out.append(c.params)
        return out

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``method`` was called ``count`` times (AssertionError after ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self._calls if c.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} {method} call(s), got {len(found)}: {[c.method for c in self._calls]}")
                self._lock.wait(remaining)

    # -- the wire ----------------------------------------------------------------------------------
    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        if self.latency:
            time.sleep(self.latency)
        parts = urlsplit(req.path)
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length) if length else b""
        if parts.path.startswith("/upload/"):
            self._upload(req, parts.path.rsplit("/", 1)[-1], raw)
            return
        params: dict = dict(parse_qsl(parts.query))
        ctype = req.headers.get("Content-Type", "")
        if raw and "json" in ctype:
            params.update(json.loads(raw))
        elif raw:
            params.update(dict(parse_qsl(raw.decode())))
        authorization = req.headers.get("Authorization", "")
        if parts.path.startswith("/files-pri/"):
            self._serve_file(req, parts.path, authorization)
            return
        if parts.path.startswith("/response/"):
            method = RESPONSE_URL
        elif parts.path.startswith("/api/"):
            method = parts.path[len("/api/") :]
        else:
            self._reply(req, 404, {"ok": False, "error": "not_found"})
            return
        with self._lock:
            failure = self._next_failure(method) if method != RESPONSE_URL else None
            if failure is None and method != RESPONSE_URL:
                failure = self._standing_failure(method, params)
            self._calls.append(Call(method, params, parts.path, authorization, ok=failure is None))
            self._lock.notify_all()
        if method == RESPONSE_URL:
            self._reply(req, 200, {"ok": True})
            return
        if failure:
            headers = {"Retry-After": str(int(failure.retry_after))} if failure.retry_after is not None else {}
            self._reply(req, failure.status, {"ok": False, "error": failure.error}, headers)
            return
        token = authorization.removeprefix("Bearer ").strip() or params.get("token", "")
        if method != "apps.connections.open" and token != self.token:
            self._reply(req, 200, {"ok": False, "error": "invalid_auth"})
            return
        answer = self._answer(method, params)
        if self._stall is not None and self._stall[0] == method and len(self.calls(method)) == self._stall[1]:
            self._stall = None
            self.stalled.set()
            self._release.wait(timeout=60)
        try:
            self._reply(req, 200, answer)
        except OSError:
            pass  # the client is gone (killed while the answer was held back)

    def _serve_file(self, req: BaseHTTPRequestHandler, path: str, authorization: str) -> None:
        file_id = path.split("/")[2].rpartition("-")[2]
        with self._lock:
            self._calls.append(Call(FILE_DOWNLOAD, {"file": file_id}, path, authorization))
            self._lock.notify_all()
            found = self._files.get(file_id)
        if found is None:
            self._reply(req, 404, {"ok": False, "error": "file_not_found"})
            return
        if authorization != f"Bearer {self.token}" or self._revoked:
            page = b"<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>"
            self._raw(req, 200, page, "text/html; charset=utf-8")
            return
        self._raw(req, 200, found[1], found[0]["mimetype"])

    @staticmethod
    def _raw(req: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str) -> None:
        req.send_response(status)
        req.send_header("Content-Type", content_type)
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    def _standing_failure(self, method: str, params: dict) -> _Failure | None:
        if self._revoked and method != "apps.connections.open":
            return _Failure(self._revoked, 200, None, 1, 0)
        channel = self._channel_id(str(params.get("channel", "")))
        error = self._broken.get(channel) or self._broken.get(str(params.get("channel", "")))
        if error and method.startswith("chat."):
            return _Failure(error, 200, None, 1, 0)
        return None

    def _upload(self, req: BaseHTTPRequestHandler, file_id: str, raw: bytes) -> None:
        """The upload URL (files.slack.com in production): takes the raw bytes, answers ``OK - <n>``."""
        with self._lock:
            failure = self._next_failure(UPLOAD)
            self._calls.append(Call(UPLOAD, {"file_id": file_id, "length": len(raw)}, req.path, ok=failure is None))
            self._lock.notify_all()
            pending = self.uploads.get(file_id)
            if failure is None and pending is not None:
                pending["bytes"] = raw
        if failure is not None or pending is None:
            status = (failure.status if failure.status != 200 else 500) if failure is not None else 404
            body = b"Internal Server Error" if failure is not None else b"Not Found"
            req.send_response(status)
            req.send_header("Content-Type", "text/plain")
            req.send_header("Content-Length", str(len(body)))
            req.end_headers()
            req.wfile.write(body)
            return
        body = f"OK - {len(raw)}".encode()
        req.send_response(200)
        req.send_header("Content-Type", "text/plain; charset=utf-8")
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)

    def _complete_upload(self, p: dict) -> dict:
        try:
            files = json.loads(p.get("files") or "[]")
        except json.JSONDecodeError:
            return {"ok": False, "error": "invalid_arguments"}
        if not files:
            return {"ok": False, "error": "invalid_arguments"}
        out = []
        for f in files:
            upload = self.uploads.get(f.get("id", ""))
            if upload is None or upload.get("bytes") is None:
                return {"ok": False, "error": "file_not_found"}
            if len(upload["bytes"]) != upload["length"]:
                return {"ok": False, "error": "file_upload_size_mismatch"}
            upload["completed"] = True
            upload["title"] = f.get("title") or upload["filename"]
            upload["channel"] = p.get("channel_id") or ""
            upload["thread_ts"] = p.get("thread_ts") or ""
            shares = {}
            if upload["channel"]:
                shares = {"public": {upload["channel"]: [{"ts": self._next_ts(), "channel_name": "digest", "team_id": TEAM_ID}]}}
            out.append({"id": f["id"], "created": int(time.time()), "name": upload["filename"], "title": upload["title"],
                        "mimetype": "image/png" if upload["filename"].endswith(".png") else "application/octet-stream",
                        "filetype": upload["filename"].rsplit(".", 1)[-1], "user": BOT_USER_ID, "size": upload["length"],
                        "url_private": f"https://files.slack.com/files-pri/{TEAM_ID}-{f['id']}/{upload['filename']}",
                        "shares": shares, "channels": [upload["channel"]] if upload["channel"] else []})
        return {"ok": True, "files": out}

    def _next_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method) or []
        if not queue:
            return None
        failure = queue[0]
        if failure.after > 0:
            failure.after -= 1
            return None
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    def _channel_id(self, channel: str) -> str:
        if channel.startswith("#"):
            return self.channels.get(channel) or "C" + channel[1:].upper().replace("-", "")[:10]
        return channel

    def _next_ts(self) -> str:
        n = next(self._ts)
        return f"{1700000000 + n}.{n:06d}"

    def _answer(self, method: str, p: dict) -> dict:
        if method == "auth.test":
            return {"ok": True, "url": "https://baton-test.slack.com/", "team": "Baton Test", "user": "baton",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "chat.postMessage":
            if not p.get("channel"):
                return {"ok": False, "error": "channel_not_found"}
            ts = self._next_ts()
            message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "text": p.get("text", ""), "ts": ts}
            if p.get("thread_ts"):
                message["thread_ts"] = p["thread_ts"]
            metadata = p.get("metadata")
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            if metadata:
                message["metadata"] = metadata
            with self._lock:
                self._messages.append({**message, "channel": self._channel_id(p["channel"])})
            return {"ok": True, "channel": self._channel_id(p["channel"]), "ts": ts, "message": message}
        if method == "conversations.replies":
            # The parent and its replies, oldest first, after ``oldest``; metadata only when asked for.
            parent, oldest = str(p.get("ts", "")), float(p.get("oldest") or 0)
            with_metadata = str(p.get("include_all_metadata", "")).lower() in ("1", "true")
            with self._lock:
                found = [dict(m) for m in self._messages if m["channel"] == p.get("channel")
                         and (m["ts"] == parent or m.get("thread_ts") == parent) and float(m["ts"]) > oldest]
            for m in found:
                m.pop("channel")
                if not with_metadata:
                    m.pop("metadata", None)
            return {"ok": True, "messages": found, "has_more": False}
        if method == "chat.update":
            return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts"), "text": p.get("text", "")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.getPermalink":
            ts = str(p.get("message_ts", "")).replace(".", "")
            return {"ok": True, "channel": p.get("channel"), "permalink": f"https://baton-test.slack.com/archives/{p.get('channel')}/p{ts}"}
        if method == "users.info":
            profile = self.users.get(p.get("user", ""))
            if profile is None:
                return {"ok": False, "error": "user_not_found"}
            uid = p["user"]
            return {"ok": True, "user": {"id": uid, "team_id": TEAM_ID, "name": profile.get("name", uid.lower()),
                                         "real_name": profile.get("real_name", ""), "is_bot": False,
                                         "profile": {"display_name": profile.get("display_name", ""),
                                                     "real_name": profile.get("real_name", ""),
                                                     "image_72": profile.get("image_72", f"https://avatars.example/{uid}_72.png")}}}
        if method == "files.info":
            found = self._files.get(p.get("file", ""))
            return {"ok": True, "file": dict(found[0])} if found else {"ok": False, "error": "file_not_found"}
        if method in ("views.open", "views.push"):
            view = p.get("view")
            view = json.loads(view) if isinstance(view, str) else (view or {})
            if not p.get("trigger_id"):
                return {"ok": False, "error": "invalid_trigger_id"}
            return {"ok": True, "view": {"id": f"V0MODAL{next(self._ts):03d}", "team_id": TEAM_ID, "app_id": "A0BATON001", "bot_id": BOT_ID, **view}}
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V0HOME", **(p.get("view") if isinstance(p.get("view"), dict) else {})}}
        if method == "reactions.add":
            if not (p.get("channel") and p.get("timestamp") and p.get("name")):
                return {"ok": False, "error": "invalid_arguments"}
            key = (p["channel"], p["timestamp"], p["name"])
            if key in self._reactions:
                return {"ok": False, "error": "already_reacted"}
            self._reactions.add(key)
            return {"ok": True}
        if method == "files.getUploadURLExternal":
            try:
                length = int(p.get("length") or 0)
            except ValueError:
                length = 0
            if not p.get("filename") or length <= 0:
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"F0UPLOAD{next(self._upload_ids):04d}"
            self.uploads[file_id] = {"filename": p["filename"], "length": length, "bytes": None, "completed": False}
            return {"ok": True, "upload_url": f"http://127.0.0.1:{self.port}/upload/v1/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            return self._complete_upload(p)
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": False, "error": "unknown_method"}

    @staticmethod
    def _reply(req: BaseHTTPRequestHandler, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        req.send_response(status)
        req.send_header("Content-Type", "application/json; charset=utf-8")
        req.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            req.send_header(k, v)
        req.end_headers()
        req.wfile.write(data)
