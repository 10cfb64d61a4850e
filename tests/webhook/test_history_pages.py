"""History is paginated: newest page first, before/after cursors with a next cursor, bad cursors 400."""

from __future__ import annotations

import pytest


@pytest.fixture
def conv(client, app):
    """A conversation of 7 messages (m0 … m6), the fourth edited in Slack later."""
    created = client.post("/api/v1/conversations", json={}).get_json()
    store = app.extensions["baton"].store
    ids = [store.append(created["id"], role="customer" if n % 2 == 0 else "agent", text=f"m{n}", author={"name": "Maya"})[0] for n in range(7)]
    store.append(created["id"], role="agent", type="edit", text="m3 (edited)", target=ids[3], author={"name": "Maya"})
    return {**created, "ids": ids, "headers": {"Authorization": f"Bearer {created['token']}"}}


def read(client, conv, query=""):
    resp = client.get(f"/api/v1/conversations/{conv['id']}{query}", headers=conv["headers"])
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    return [e["text"] for e in body["entries"]], body["next"]


def test_without_a_cursor_the_newest_page_comes_with_a_cursor_to_older_ones(client, conv):
    """limit=3: m4–m6 and next; before=next pages back until next is null; an edit shows on its message."""
    texts, cursor = read(client, conv, "?limit=3")
    assert (texts, cursor) == (["m4", "m5", "m6"], conv["ids"][4])
    texts, cursor = read(client, conv, f"?limit=3&before={cursor}")
    assert (texts, cursor) == (["m1", "m2", "m3 (edited)"], conv["ids"][1])
    assert read(client, conv, f"?limit=3&before={cursor}") == (["m0"], None)


def test_after_pages_forward(client, conv):
    """after=<id> returns what came later, oldest first, with next for the page after."""
    texts, cursor = read(client, conv, f"?after={conv['ids'][1]}&limit=2")
    assert (texts, cursor) == (["m2", "m3 (edited)"], conv["ids"][3])
    assert read(client, conv, f"?after={cursor}&limit=5") == (["m4", "m5", "m6"], None)


def test_a_short_conversation_is_one_page(client, conv):
    """By default a page holds 100 messages: all seven, next null."""
    assert read(client, conv) == (["m0", "m1", "m2", "m3 (edited)", "m4", "m5", "m6"], None)


@pytest.mark.parametrize("query", ["?limit=0", "?limit=201", "?limit=", "?before=", "?limit=ten", "?before=abc", "?after=1-2-3", "?before=1-0&after=2-0"])
def test_bad_page_parameters_are_a_clear_400(client, conv, query):
    """A malformed cursor or limit is 400 bad_page with a message saying what to send."""
    resp = client.get(f"/api/v1/conversations/{conv['id']}{query}", headers=conv["headers"])
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "bad_page" and resp.get_json()["error"]["message"]
