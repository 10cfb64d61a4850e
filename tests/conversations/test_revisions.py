"""Edits and deletions in the append-only log: how a conversation reads once messages were revised."""

from __future__ import annotations

import pytest

from conversations import ConversationStore, Empty, TooLong
from conversations.models import DELETE, EDIT, current
from conversations.store import MAX_LOG_ENTRIES


@pytest.fixture
def store(redis_client):
    return ConversationStore(redis_client, max_chars=100)


def test_an_edit_is_a_new_entry_and_the_message_reads_as_edited(store):
    """The original stays in the log; ``current`` shows it with the last edit's text and drops the edits."""
    conv, _ = store.create()
    hello, _ = store.append(conv.id, role="agent", text="Helo Jane", author={"name": "Alice"})
    store.append(conv.id, role="agent", type=EDIT, target=hello, text="Hello Jane")
    store.append(conv.id, role="agent", type=EDIT, target=hello, text="Hello Jane!")

    log = store.entries(conv.id)
    assert [(e.type, e.text, e.target) for e in log] == [("message", "Helo Jane", ""), ("edit", "Hello Jane", hello), ("edit", "Hello Jane!", hello)]
    [now] = current(log)
    assert (now.id, now.text, now.revision, now.author) == (hello, "Hello Jane!", "edited", {"name": "Alice"})
    assert store.latest_revision(conv.id, hello).text == "Hello Jane!"


def test_a_deleted_message_reads_as_deleted_and_a_later_edit_does_not_bring_it_back(store):
    """A delete is final: an edit logged after it (two Slack events racing) changes nothing."""
    conv, _ = store.create()
    oops, _ = store.append(conv.id, role="agent", text="Wrong customer's key: K-1")
    kept, _ = store.append(conv.id, role="agent", text="Hi")
    store.append(conv.id, role="agent", type=DELETE, target=oops, text="")
    store.append(conv.id, role="agent", type=EDIT, target=oops, text="raced")

    assert [(e.id, e.text, e.revision) for e in current(store.entries(conv.id))] == [(oops, "", "deleted"), (kept, "Hi", "")]
    assert store.latest_revision(conv.id, oops).type == DELETE
    assert store.latest_revision(conv.id, kept) is None


def test_an_edit_needs_text_and_the_same_client_id_stores_one(store):
    """An empty edit is refused; a retried edit (same client id) is stored once."""
    conv, _ = store.create()
    msg, _ = store.append(conv.id, role="agent", text="Hi")
    with pytest.raises(Empty):
        store.append(conv.id, role="agent", type=EDIT, target=msg, text="  ")
    first = store.append(conv.id, role="agent", type=EDIT, target=msg, text="Hi!", client_id="slack-edit:C1:1.1:2.2")
    again = store.append(conv.id, role="agent", type=EDIT, target=msg, text="Hi!", client_id="slack-edit:C1:1.1:2.2")
    assert again == (first[0], False)
    assert store.by_client_id(conv.id, "slack-edit:C1:1.1:2.2").text == "Hi!"
    assert store.by_client_id(conv.id, "never-stored") is None


def test_a_full_conversation_still_takes_a_deletion(store, redis_client):
    """At the entry cap new messages are refused, but a reply sent by mistake can still be withdrawn."""
    conv, _ = store.create()
    msg, _ = store.append(conv.id, role="agent", text="Sent by mistake")
    pipe = redis_client.pipeline()
    for _ in range(MAX_LOG_ENTRIES):
        pipe.xadd(f"baton:{{{conv.id}}}:log", {"type": "message", "role": "customer", "text": "."})
    pipe.execute()

    with pytest.raises(TooLong):
        store.append(conv.id, role="agent", text="one more")
    store.append(conv.id, role="agent", type=DELETE, target=msg, text="")
    assert store.latest_revision(conv.id, msg).type == DELETE
