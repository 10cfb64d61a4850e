"""Open live streams are capped per conversation and per address; a closed stream gives its slot back."""

from __future__ import annotations

import pytest

import config

ADDRESS = "203.0.113.5"


@pytest.fixture
def settings(redis_url, tmp_path):
    return config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"),
                       max_streams_per_conversation=3, max_streams_per_address=4)


def create(client):
    conv = client.post("/api/v1/conversations", json={}).get_json()
    return conv["id"], {"Authorization": f"Bearer {conv['token']}"}


def open_stream(client, conv_id, headers, address=ADDRESS):
    return client.get(f"/api/v1/conversations/{conv_id}/events", headers=headers, environ_base={"REMOTE_ADDR": address}, buffered=False)


def test_a_fourth_stream_on_one_conversation_is_refused_until_one_closes(client):
    """Three tabs stream; the fourth gets 429 too_many_streams with Retry-After; closing a tab frees a slot."""
    conv_id, headers = create(client)
    streams = [open_stream(client, conv_id, headers) for _ in range(3)]
    assert [s.status_code for s in streams] == [200, 200, 200]
    refused = open_stream(client, conv_id, headers, address="192.0.2.77")
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_streams" and refused.headers["Retry-After"]
    refused.close()
    streams.pop().close()
    again = open_stream(client, conv_id, headers)
    assert again.status_code == 200
    for s in reversed([*streams, again]):
        s.close()


def test_one_address_cannot_hold_streams_across_many_conversations(client):
    """Past the per-address cap (4 here) a new conversation's stream from that address is refused, not others'."""
    convs = [create(client) for _ in range(5)]
    streams = [open_stream(client, conv_id, headers) for conv_id, headers in convs[:4]]
    assert [s.status_code for s in streams] == [200] * 4
    refused = open_stream(client, *convs[4])
    assert refused.status_code == 429
    refused.close()
    other = open_stream(client, *convs[4], address="198.51.100.20")
    assert other.status_code == 200
    for s in reversed([*streams, other]):
        s.close()


def test_a_refused_stream_does_not_take_a_conversation_slot(client):
    """A stream refused for its address leaves the conversation's slots to its other tabs."""
    convs = [create(client) for _ in range(5)]
    held = [open_stream(client, conv_id, headers) for conv_id, headers in convs[:4]]
    conv_id, headers = convs[4]
    for _ in range(3):
        refused = open_stream(client, conv_id, headers)
        assert refused.status_code == 429
        refused.close()
    elsewhere = [open_stream(client, conv_id, headers, address=f"198.51.100.{n}") for n in range(3)]
    assert [s.status_code for s in elsewhere] == [200] * 3
    for s in reversed([*held, *elsewhere]):
        s.close()
