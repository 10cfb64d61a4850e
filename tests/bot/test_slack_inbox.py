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


def test_a_note_typed_in_the_thread_is_marked_internal_with_a_lock(bot, events, store, slack, thread):
    """`note:` replies get a :lock: reaction in Slack, so everyone sees the shopper never got them."""
    note = events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=ALICE, text="note: VIP customer")
    bot.send(events.event(note))
    bot.send(events.event(note, retry_num=1))

    reactions = [(c.params["channel"], c.params["timestamp"], c.params["name"]) for c in slack.calls("reactions.add") if c.ok]
    assert reactions == [(thread.slack_channel, note["ts"], "lock")]
    assert store.entries(thread.id)[-1].type == "note"


def test_notes_from_elsewhere_are_posted_as_internal(store, web, settings, slack, thread):
    """A note that did not come from Slack (e.g. the hand-back recap) is posted marked internal."""
    store.append(thread.id, role="agent", type="note", text="Customer is on the Pro plan", author={"name": "Rae"})
    mirror_conversation(store, web, thread.id, settings)

    post = slack.posts(thread_ts=thread.slack_ts)[-1]
    assert post["text"] == ":lock: *Internal note by Rae:* Customer is on the Pro plan"
    assert "never the shopper" in post["blocks"][-1]["elements"][0]["text"]


def test_shopper_lines_carry_the_shoppers_name_but_cannot_pass_for_the_team(store, web, settings, slack):
    """A shopper calling themselves "<!here> Alice" shows as "!here Alice (shopper)": no mention syntax, marked shopper."""
    conv = escalated(store, customer={"name": "<!here> Alice"})
    mirror_conversation(store, web, conv.id, settings)

    shopper = [p for p in slack.posts(thread_ts=store.get(conv.id).slack_ts) if p.get("username", "").endswith("(shopper)")]
    assert shopper and {p["username"] for p in shopper} == {"!here Alice (shopper)"}
    assert shopper[0]["blocks"][0]["text"]["text"] == "How do I install a font on Windows?"


def test_hand_back_gives_the_ai_a_recap_of_what_the_team_did(bot, events, store, slack, thread):
    """After replies and a note, handing back logs an internal recap the AI's history carries, and the thread shows it."""
    from jobs.answers import with_recaps

    reply(bot, events, thread, ALICE, "Hi Jane, I refunded order 77 in full")
    reply(bot, events, thread, ALICE, "note: refund id R-1234, approved by finance")
    bot.send(events.block_action("baton_hand_back", thread.id, user=ALICE, channel=thread.slack_channel,
                                 message_ts=thread.slack_ts, response_url=slack.response_url("click")))

    recap = store.entries(thread.id)[-1]
    assert recap.type == "note" and not recap.public and recap.meta == {"recap": True}
    assert 'Alice told the shopper: "Hi Jane, I refunded order 77 in full"' in recap.text
    assert 'Alice noted (internal): "refund id R-1234, approved by finance"' in recap.text
    seen = with_recaps(store.entries(thread.id))
    assert seen[-1].type == "message" and seen[-1].public and "R-1234" in seen[-1].text
    assert all(not e.public for e in seen if e.type == "note")
    assert "Recap for the AI" in slack.posts(thread_ts=thread.slack_ts)[-1]["text"]


def test_hand_back_without_team_replies_adds_no_recap(bot, events, store, slack, thread):
    """Nobody from the team wrote: nothing to recap."""
    bot.send(events.block_action("baton_hand_back", thread.id, user=ALICE, channel=thread.slack_channel,
                                 message_ts=thread.slack_ts, response_url=slack.response_url("click")))

    assert not [e for e in store.entries(thread.id) if e.meta.get("recap")]
