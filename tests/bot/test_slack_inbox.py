"""The shared inbox: who holds a conversation, and a parent card that shows everything it knows."""

from __future__ import annotations

import threading

from bot.mirror import mirror_conversation
from conversations import Event, InvalidTransition, State
from tests.bot.conftest import ALICE, BOB, escalated


def card_fields(params: dict) -> list[str]:
    return [f["text"] for b in params["blocks"] if b["type"] == "section" for f in b.get("fields", [])]


def reply(bot, events, thread, user: str, text: str):
    return bot.send(events.event(events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=user, text=text)))


def test_reply_in_a_waiting_thread_makes_the_replier_the_assignee(bot, events, store, slack, thread):
    """Alice answers a waiting conversation in its thread: she holds it, and the card says so."""
    reply(bot, events, thread, ALICE, "Hi Jane, I'm on it")

    conv = store.get(thread.id)
    assert (conv.state, conv.assignee) == (State.HUMAN, ALICE)
    assert f"*Assignee*\n<@{ALICE}>" in card_fields(slack.calls("chat.update")[-1].params)


def test_reply_in_a_thread_nobody_holds_makes_the_replier_the_assignee(bot, events, store, slack, settings, web, thread):
    """With a person but held by nobody (taken over before assignees existed): the first replier holds it."""
    store.transition(thread.id, Event.TAKE_OVER, actor="Someone")
    mirror_conversation(store, web, thread.id, settings)

    reply(bot, events, thread, BOB, "Hi Jane, I'm looking into it")

    assert store.get(thread.id).assignee == BOB
    assert f"*Assignee*\n<@{BOB}>" in card_fields(slack.calls("chat.update")[-1].params)


def test_reply_by_a_second_member_reaches_the_shopper_but_the_holder_keeps_it(bot, events, store, thread):
    """Bob adds a line to Alice's conversation: the shopper gets it, Alice still holds it."""
    reply(bot, events, thread, ALICE, "Hi Jane, I'm on it")
    reply(bot, events, thread, BOB, "Bob here, I can confirm the refund")

    assert store.get(thread.id).assignee == ALICE
    assert store.entries(thread.id)[-1].text == "Bob here, I can confirm the refund"


def test_two_members_taking_over_at_once_leave_exactly_one_assignee(store):
    """Twenty simultaneous take-overs: one succeeds, and the assignee is the one who succeeded."""
    conv = escalated(store)
    winners, barrier = [], threading.Barrier(20)

    def take(user: str):
        barrier.wait()
        try:
            store.transition(conv.id, Event.TAKE_OVER, actor=user, assignee=user)
            winners.append(user)
        except InvalidTransition:
            pass

    threads = [threading.Thread(target=take, args=(f"U{i:04d}",)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
    assert store.get(conv.id).assignee == winners[0]
    assert store.claim(conv.id, "U9999") == (False, winners[0])


def test_card_is_re_rendered_when_the_priority_changes_not_only_the_state(store, web, settings, slack, thread):
    """The AI raises the priority of a waiting conversation: the card follows; an unchanged card is left alone."""
    mirror_conversation(store, web, thread.id, settings)
    assert slack.calls("chat.update") == []

    store.update(thread.id, escalation={**thread.escalation, "priority": "urgent"})
    mirror_conversation(store, web, thread.id, settings)

    updates = slack.calls("chat.update")
    assert len(updates) == 1
    assert "*Priority*\n:red_circle: Urgent" in card_fields(updates[0].params)


def test_card_shows_identity_language_and_earlier_conversations(store, web, settings, slack):
    """A verified returning customer: the card says verified, their language and two earlier conversations."""
    customer = {"name": "Ana", "email": "Ana@Example.com", "verified": True, "user_id": "shop-77", "locale": "pt-BR"}
    for _ in range(2):
        store.create(customer, "https://shop.example/")
    store.create({"name": "Ana", "email": "ana@example.com"}, "")  # unverified: someone typed her e-mail
    conv = escalated(store, customer=customer)

    mirror_conversation(store, web, conv.id, settings)

    fields = card_fields(slack.posts()[0])
    assert any("Ana@Example.com" in f and "verified by the store" in f and "unverified" not in f for f in fields)
    assert "*Language*\npt-BR" in fields
    assert "*History*\n2 earlier conversations" in fields


def test_card_of_a_first_time_unverified_shopper(store, web, settings, slack):
    """Someone who typed a name and e-mail: unverified, first conversation, language unknown."""
    conv = escalated(store)

    mirror_conversation(store, web, conv.id, settings)

    fields = card_fields(slack.posts()[0])
    assert any("Jane Doe" in f and "unverified" in f for f in fields)
    assert "*History*\nfirst conversation" in fields
    assert "*Language*\nunknown" in fields
