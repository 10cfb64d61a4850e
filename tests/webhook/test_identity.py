"""Identity verification: the store's server signs its user's id; only a right signature is trusted."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from slack_sdk import WebClient

import config
from bot.mirror import mirror_conversation
from conversations import ConversationStore, Event
from tests.fakes.slack_api import FakeSlack
from webhook import create_app

SECRET = "store-server-secret-7f3a"


def store_hash(user_id: str, secret: str = SECRET) -> str:
    """What the README's server snippet computes."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def settings(redis_url, tmp_path):
    return config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"), identity_secret=SECRET)


def auth(conv):
    return {"Authorization": f"Bearer {conv['token']}"}


def test_a_signed_user_is_verified_and_read_back_as_such(client):
    """A right hash: the conversation's customer is the store's user, marked verified."""
    user = {"id": "cus_4242", "email": "ada@example.com", "name": "Ada Lovelace", "hash": store_hash("cus_4242")}
    resp = client.post("/api/v1/conversations", json={"user": user, "customer": {"email": "typed@example.com"}})
    assert resp.status_code == 201
    conv = resp.get_json()
    got = client.get(f"/api/v1/conversations/{conv['id']}", headers=auth(conv)).get_json()
    assert got["customer"] == {"name": "Ada Lovelace", "email": "ada@example.com", "verified": True}


def test_typed_details_are_read_back_unverified(client):
    """Name and e-mail a shopper typed are kept, but never marked verified."""
    conv = client.post("/api/v1/conversations", json={"customer": {"name": "Ada", "email": "ada@example.com", "verified": True}}).get_json()
    got = client.get(f"/api/v1/conversations/{conv['id']}", headers=auth(conv)).get_json()
    assert got["customer"] == {"name": "Ada", "email": "ada@example.com", "verified": False}


@pytest.mark.parametrize(
    "user",
    [
        {"id": "cus_4242", "email": "ceo@example.com", "hash": store_hash("cus_1")},  # someone else's signature
        {"id": "cus_4242", "email": "ceo@example.com", "hash": store_hash("cus_4242", secret="guessed")},
        {"id": "cus_4242", "email": "ceo@example.com", "hash": "0" * 64},
        {"id": "cus_4242", "email": "ceo@example.com"},  # no hash at all
        {"id": "cus_4242", "hash": store_hash("cus_4242")[:-1]},
        {"email": "ceo@example.com", "hash": store_hash("")},
        "cus_4242",
    ],
)
def test_a_wrong_hash_is_refused_and_nothing_is_stored(client, redis_client, user):
    """A forged or malformed user gets 403 identity_invalid; no conversation is created and no number used."""
    resp = client.post("/api/v1/conversations", json={"user": user})
    assert resp.status_code == 403
    error = resp.get_json()["error"]
    assert error["code"] == "identity_invalid" and error["message"]
    assert "ceo@example.com" not in resp.get_data(as_text=True)
    assert redis_client.keys("baton:{*") == [] and redis_client.get("baton:seq") is None
    assert client.post("/api/v1/conversations", json={}).get_json()["number"] == 1001


def test_without_a_secret_a_user_cannot_be_verified(redis_url, tmp_path):
    """A Baton with no BATON_IDENTITY_SECRET refuses 'user' and says which setting is missing."""
    app = create_app(config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path)))
    resp = app.test_client().post("/api/v1/conversations", json={"user": {"id": "u1", "hash": store_hash("u1", secret="")}})
    assert resp.status_code == 403
    assert "BATON_IDENTITY_SECRET" in resp.get_json()["error"]["message"]


def test_the_slack_card_says_whether_the_customer_is_verified(client, redis_client, settings):
    """The team's card marks a store-signed customer verified and a typed one unverified."""
    signed = {"id": "cus_7", "email": "ada@example.com", "name": "Ada", "hash": store_hash("cus_7")}
    verified = client.post("/api/v1/conversations", json={"user": signed}).get_json()
    typed = client.post("/api/v1/conversations", json={"customer": {"name": "Bob", "email": "bob@example.com"}}).get_json()
    store = ConversationStore(redis_client)
    with FakeSlack() as slack:
        slack_settings = config.load(environ={}, dotenv=False, redis_url=settings.redis_url, slack_bot_token=slack.token,
                                     slack_signing_secret="s", slack_api_url=slack.url, slack_inbox_channel="C0INBOX0001")
        web = WebClient(token=slack.token, base_url=slack.url)
        for conv in (verified, typed):
            store.append(conv["id"], role="customer", text="I want a refund", client_id="w1")
            store.transition(conv["id"], Event.ESCALATE, meta={"escalation": {"reason": "refund"}})
            mirror_conversation(store, web, conv["id"], slack_settings)
        posted = [p for p in slack.posts() if "thread_ts" not in p]
    customer_fields = [next(f["text"] for b in p["blocks"] for f in b.get("fields", []) if f["text"].startswith("*Customer*")) for p in posted]
    assert customer_fields == [
        "*Customer*\nAda\nada@example.com\n:white_check_mark: verified by the store",
        "*Customer*\nBob\nbob@example.com\n_unverified_",
    ]
