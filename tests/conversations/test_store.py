"""The conversation core on a real Redis: the log, idempotency, the state machine, indexes."""

from __future__ import annotations

import threading

import pytest

from conversations import ConversationStore, Empty, Event, InvalidTransition, NotFound, State, TooLong


@pytest.fixture
def store(redis_client):
    return ConversationStore(redis_client, max_chars=100)


def test_numbers_are_sequential_and_find_their_conversation(store):
    """Each conversation gets the next number; '#1002' and '1002' both find it."""
    a, _ = store.create()
    b, _ = store.create({"name": "Ada"})
    assert b.number == a.number + 1
    assert store.by_number(f"#{b.number}").id == b.id == store.by_number(str(b.number)).id
    with pytest.raises(NotFound):
        store.by_number(99999)


def test_the_token_opens_only_its_own_conversation(store):
    """The secret token authenticates its conversation and no other; it is stored only hashed."""
    a, token_a = store.create()
    b, _ = store.create()
    assert store.authenticate(a.id, token_a).id == a.id
    for conv_id, token in [(b.id, token_a), (a.id, ""), (a.id, None), ("nope", token_a)]:
        with pytest.raises(NotFound):
            store.authenticate(conv_id, token)
    assert token_a.encode() not in b"".join(v for v in store.r.hvals(f"baton:{{{a.id}}}:conv"))


def test_limits_on_messages(store):
    """Empty and over-long messages are refused and nothing is written."""
    conv, _ = store.create()
    with pytest.raises(Empty):
        store.append(conv.id, role="customer", text="  ")
    with pytest.raises(TooLong):
        store.append(conv.id, role="customer", text="x" * 101)
    assert store.entries(conv.id) == []


def test_the_ai_cannot_append_once_a_person_took_over(store):
    """An append that requires the AI state writes nothing after a take-over."""
    conv, _ = store.create()
    store.transition(conv.id, Event.TAKE_OVER, actor="Maya")
    assert store.append(conv.id, role="ai", text="late answer", require_state=State.AI) == ("", False)
    assert [e.role for e in store.entries(conv.id)] == ["system"]


def test_two_agents_clicking_take_over_at_once_one_wins(store):
    """Twenty simultaneous take-overs: exactly one succeeds and one announcement is logged."""
    conv, _ = store.create()
    store.transition(conv.id, Event.ESCALATE)
    results: list[str] = []

    def click(n):
        try:
            store.transition(conv.id, Event.TAKE_OVER, actor=f"agent{n}")
            results.append("ok")
        except InvalidTransition:
            results.append("refused")

    threads = [threading.Thread(target=click, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1
    assert [e.meta["event"] for e in store.entries(conv.id)] == ["escalate", "take_over"]


@pytest.mark.parametrize(
    ("path", "event", "allowed"),
    [
        ([], Event.HAND_BACK, False),
        ([Event.ESCALATE], Event.ESCALATE, False),
        ([Event.ESCALATE], Event.HAND_BACK, True),
        ([Event.CLOSE], Event.TAKE_OVER, False),
        ([Event.CLOSE], Event.REOPEN, True),
        ([Event.TAKE_OVER], Event.CLOSE, True),
    ],
)
def test_state_machine_moves(store, path, event, allowed):
    """Only the moves drawn in docs/architecture.md are possible."""
    conv, _ = store.create()
    for step in path:
        store.transition(conv.id, step)
    if allowed:
        store.transition(conv.id, event)
    else:
        with pytest.raises(InvalidTransition):
            store.transition(conv.id, event)


def test_closed_conversations_leave_the_open_lists_and_come_back_when_reopened(store):
    """Inbox lists show open conversations only; a reopened one is listed again."""
    a, _ = store.create()
    b, _ = store.create()
    store.transition(a.id, Event.CLOSE)
    store.append(a.id, role="agent", type="note", text="closing note")
    open_states = [State.AI, State.WAITING, State.HUMAN]
    assert [c.id for c in store.recent(open_states)] == [b.id]
    store.transition(a.id, Event.REOPEN)
    assert {c.id for c in store.recent(open_states)} == {a.id, b.id}
    assert store.idle(before=0) == []
