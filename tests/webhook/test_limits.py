"""Rate limits: a stranger's wrong tokens cannot lock a conversation's owner out; reads and streams are capped."""

from __future__ import annotations

import pytest

import config
from webhook import create_app

OWNER = "203.0.113.5"
ATTACKER = "198.51.100.66"


def client_with(settings, **overrides):
    values = {"redis_url": settings.redis_url, "data_dir": settings.data_dir, "rate_limit_messages": "3 per minute"} | overrides
    app = create_app(config.load(environ={}, dotenv=False, **values))
    app.testing = True
    return app.test_client()


def create(client):
    conv = client.post("/api/v1/conversations", json={}, environ_base={"REMOTE_ADDR": OWNER}).get_json()
    return conv, {"Authorization": f"Bearer {conv['token']}"}


def post(client, conv, headers, text="hello", address=OWNER, n=0):
    return client.post(f"/api/v1/conversations/{conv['id']}/messages", json={"text": text, "client_id": f"c{n}"},
                       headers=headers, environ_base={"REMOTE_ADDR": address})


def test_wrong_token_flood_does_not_lock_the_owner_out(settings):
    """Someone who knows a conversation's id but not its token cannot use up its owner's allowance."""
    client = client_with(settings)
    conv, headers = create(client)
    flood = [post(client, conv, {"Authorization": "Bearer guessed"}, address=ATTACKER, n=i).status_code for i in range(10)]
    assert set(flood) <= {404, 429} and flood[0] == 404
    assert post(client, conv, headers).status_code == 202


def test_wrong_tokens_are_limited_per_address(settings):
    """An address that keeps sending wrong tokens gets 429, on any conversation, while the owner is unaffected."""
    client = client_with(settings, rate_limit_bad_token="5 per minute")
    conv, headers = create(client)
    other, _ = create(client)
    codes = [post(client, c, {"Authorization": "Bearer guessed"}, address=ATTACKER).status_code for c in (conv, other) * 4]
    assert codes == [404] * 5 + [429] * 3
    assert client.get(f"/api/v1/conversations/{other['id']}", environ_base={"REMOTE_ADDR": ATTACKER}).status_code == 429
    assert post(client, conv, headers).status_code == 202


def test_the_owner_is_still_limited_per_conversation(settings):
    """With the right token the per-conversation limit still holds (3 per minute here)."""
    client = client_with(settings)
    conv, headers = create(client)
    codes = [post(client, conv, headers, text=f"message {i}", n=i).status_code for i in range(4)]
    assert codes == [202, 202, 202, 429]
    assert post(client, conv, headers, address="192.0.2.1", n=9).status_code == 429  # a new address does not reset it


@pytest.mark.parametrize("path", ["", "/events"])
def test_reads_are_limited_per_conversation(settings, path):
    """Reading history and opening the stream count against the conversation's read allowance."""
    client = client_with(settings, rate_limit_reads="4 per minute")
    conv, headers = create(client)
    codes = []
    for _ in range(5):
        resp = client.get(f"/api/v1/conversations/{conv['id']}{path}", headers=headers, environ_base={"REMOTE_ADDR": OWNER}, buffered=False)
        codes.append(resp.status_code)
        resp.close()
    assert codes == [200] * 4 + [429]
    assert client.get(f"/api/v1/conversations/{conv['id']}{path}", headers=headers).get_json()["error"]["code"] == "rate_limited"
