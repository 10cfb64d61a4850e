"""A team member edits or deletes a reply in Slack: the shopper's copy follows (and nothing else does)."""

from __future__ import annotations

import pytest

from bot import messages
from conversations import Event, State
from conversations.models import current
from tests.bot.conftest import ALICE
from tests.fakes.slack_api import BOT_ID, BOT_USER_ID


def reply(bot, events, thread, text: str, user: str = ALICE) -> dict:
    """Alice replies in the thread; returns the Slack event (its ``ts`` is what an edit names)."""
    event = events.thread_reply(channel=thread.slack_channel, thread_ts=thread.slack_ts, user=user, text=text)
    assert bot.send(events.event(event)).status_code == 200
    return event


def edit(events, thread, original: dict, text: str) -> dict:
    return events.message_changed(channel=thread.slack_channel, thread_ts=thread.slack_ts, ts=original["ts"], user=original["user"], text=text)


def delete(events, thread, original: dict) -> dict:
    return events.message_deleted(channel=thread.slack_channel, thread_ts=thread.slack_ts, ts=original["ts"])


def revisions(store, conv_id):
    return [e for e in store.entries(conv_id) if e.type in ("edit", "delete")]


def agent_reply(store, conv_id, text: str):
    [entry] = [e for e in store.entries(conv_id) if e.type == "message" and e.role == "agent" and e.text == text]
    return entry


def test_edited_reply_is_logged_as_an_edit_of_that_message(bot, events, store, slack, thread):
    """Alice fixes a reply: an edit entry names her message, with the new text converted like a reply."""
    sent = reply(bot, events, thread, "Your refund is on its way: *3 days*")
    original = agent_reply(store, thread.id, "Your refund is on its way: **3 days**")
    posts_before = len(slack.calls("chat.postMessage"))

    assert bot.send(events.event(edit(events, thread, sent, "Your refund is on its way: *5 days*, <@U0ALICE0001> checked"))).status_code == 200

    [fix] = revisions(store, thread.id)
    assert (fix.type, fix.role, fix.target, fix.visibility) == ("edit", "agent", original.id, "public")
    assert fix.text == "Your refund is on its way: **5 days**, @Alice checked"
    assert fix.author == original.author
    now = [e for e in current(store.entries(thread.id, public_only=True)) if e.id == original.id][0]
    assert (now.text, now.revision) == (fix.text, "edited")
    assert store.get(thread.id).state == State.HUMAN
    assert len(slack.calls("chat.postMessage")) == posts_before  # the thread already shows the edit: nothing echoed


def test_slack_retry_of_an_edit_stores_one_edit(bot, events, store, thread):
    """The same message_changed delivered three times (same event_id, X-Slack-Retry-Num) is one edit."""
    sent = reply(bot, events, thread, "Try the download link again")
    changed = edit(events, thread, sent, "Try the download link again now, I reset it")
    for retry in (None, 1, 2):
        assert bot.send(events.event(changed, event_id="Ev0EDIT00001", retry_num=retry)).status_code == 200

    assert [e.text for e in revisions(store, thread.id)] == ["Try the download link again now, I reset it"]


def test_a_late_older_edit_does_not_bring_back_older_text(bot, events, store, thread):
    """Edits delivered out of order (a retried first edit after the second): the newest text stays."""
    sent = reply(bot, events, thread, "Key: ABC-1")
    first = edit(events, thread, sent, "Key: ABC-12")
    second = edit(events, thread, sent, "Key: ABC-123")

    bot.send(events.event(second))
    bot.send(events.event(first, retry_num=1))

    assert [e.text for e in revisions(store, thread.id)] == ["Key: ABC-123"]


def test_two_edits_in_a_row_leave_the_last_text(bot, events, store, thread):
    """Each edit is its own entry naming the original message; the conversation reads the last one."""
    sent = reply(bot, events, thread, "Hi Jane")
    bot.send(events.event(edit(events, thread, sent, "Hi Jane,")))
    bot.send(events.event(edit(events, thread, sent, "Hi Jane, one moment")))

    original = agent_reply(store, thread.id, "Hi Jane")
    assert [(e.target, e.text) for e in revisions(store, thread.id)] == [(original.id, "Hi Jane,"), (original.id, "Hi Jane, one moment")]
    assert [e.text for e in current(store.entries(thread.id)) if e.role == "agent"] == ["Hi Jane, one moment"]


def mirrored_line(web, thread) -> str:
    """The ts of a shopper line Baton posted into the thread (with the bot token, as the mirror does)."""
    return web.chat_postMessage(channel=thread.slack_channel, thread_ts=thread.slack_ts, text="*Jane Doe:* thanks!")["ts"]


def _own_mirror_line(events, thread, web):
    """An edit of Baton's own shopper line (Slack reports it with Baton's user and bot id)."""
    changed = events.message_changed(channel=thread.slack_channel, thread_ts=thread.slack_ts, ts=mirrored_line(web, thread),
                                     user=BOT_USER_ID, text="*Jane Doe:* edited")
    changed["message"]["bot_id"] = BOT_ID
    return changed


def _other_app(events, thread, web):
    changed = events.message_changed(channel=thread.slack_channel, thread_ts=thread.slack_ts, ts=events.ts(), user=ALICE, text="beep")
    changed["message"] = {**changed["message"], "subtype": "bot_message", "bot_id": "B0OTHERBOT"}
    del changed["message"]["user"]
    return changed


def _parent_card(events, thread, web):
    """Slack re-sends the thread's parent (reply count) when replies come and go."""
    changed = events.message_changed(channel=thread.slack_channel, thread_ts=thread.slack_ts, ts=thread.slack_ts, user=ALICE, text="card")
    changed["message"].update({"reply_count": 5, "latest_reply": events.ts()})
    return changed


@pytest.mark.parametrize(
    "kind",
    ["note_edited", "reply_edited_into_a_note", "own_mirror_line", "other_app", "parent_card", "unknown_message", "same_text_unfurled"],
)
def test_edits_that_must_not_reach_the_shopper_change_nothing(bot, events, store, slack, web, thread, kind):
    """A note's edit, an edit that turns a reply into a note, Baton's or other apps' posts, the card,
    messages we never stored and link unfurls (same text): 200, no entry, no ephemeral."""
    if kind == "note_edited":
        sent = reply(bot, events, thread, "note: she bought it twice")
        changed = edit(events, thread, sent, "note: she bought it twice, refund one")
    elif kind == "reply_edited_into_a_note":
        sent = reply(bot, events, thread, "I'll refund one of them")
        changed = edit(events, thread, sent, "note: refund one of them tomorrow")
    elif kind == "same_text_unfurled":
        sent = reply(bot, events, thread, "See https://shop.example/refunds")
        changed = edit(events, thread, sent, "See https://shop.example/refunds")
        changed["message"]["attachments"] = [{"from_url": "https://shop.example/refunds", "title": "Refunds"}]
        del changed["message"]["edited"]
    elif kind == "unknown_message":
        changed = events.message_changed(channel=thread.slack_channel, thread_ts=thread.slack_ts, ts=events.ts(), user=ALICE, text="who?")
    else:
        changed = {"own_mirror_line": _own_mirror_line, "other_app": _other_app, "parent_card": _parent_card}[kind](events, thread, web)
    before, ephemerals = store.entries(thread.id), len(slack.calls("chat.postEphemeral"))

    assert bot.send(events.event(changed)).status_code == 200

    assert store.entries(thread.id) == before
    assert len(slack.calls("chat.postEphemeral")) == ephemerals


def test_overlong_edit_is_not_sent_and_its_author_is_told(bot, events, store, slack, thread):
    """An edit past the message limit leaves the shopper's copy as it was; Alice gets an ephemeral note."""
    sent = reply(bot, events, thread, "Short answer")
    bot.send(events.event(edit(events, thread, sent, "x" * 4001)))

    assert revisions(store, thread.id) == []
    told = slack.calls("chat.postEphemeral")[-1].params
    assert (told["user"], told["channel"], told["thread_ts"]) == (ALICE, thread.slack_channel, thread.slack_ts)
    assert told["text"] == messages.EDIT_TOO_LONG.format(limit=4000)


def test_deleted_reply_is_withdrawn_once_and_stays_withdrawn(bot, events, store, thread):
    """A delete entry names the reply (retries store one); the reply reads as deleted; a later edit is ignored."""
    sent = reply(bot, events, thread, "Here is the key of another customer: XYZ-999")
    original = agent_reply(store, thread.id, "Here is the key of another customer: XYZ-999")
    gone = delete(events, thread, sent)
    for retry in (None, 1):
        assert bot.send(events.event(gone, event_id="Ev0DELETE001", retry_num=retry)).status_code == 200
    bot.send(events.event(edit(events, thread, sent, "raced edit")))

    [withdrawn] = revisions(store, thread.id)
    assert (withdrawn.type, withdrawn.target, withdrawn.text) == ("delete", original.id, "")
    now = [e for e in current(store.entries(thread.id)) if e.id == original.id][0]
    assert (now.text, now.revision) == ("", "deleted")
    assert all("XYZ-999" not in e.text for e in current(store.entries(thread.id, public_only=True)))
    assert store.get(thread.id).state == State.HUMAN


def test_a_deletion_that_names_only_the_ts_still_withdraws_the_reply(bot, events, store, thread):
    """Slack's documented minimal message_deleted has just ``deleted_ts``: the reply is still found."""
    sent = reply(bot, events, thread, "Wrong link, sorry")
    gone = delete(events, thread, sent)
    del gone["previous_message"]

    bot.send(events.event(gone))

    [withdrawn] = revisions(store, thread.id)
    assert (withdrawn.type, withdrawn.target) == ("delete", agent_reply(store, thread.id, "Wrong link, sorry").id)


@pytest.mark.parametrize("kind", ["note", "own_mirror_line", "unknown_message", "parent_card"])
def test_deletes_of_what_the_shopper_never_got_change_nothing(bot, events, store, web, thread, kind):
    """Deleting a note, Baton's own line, the card or a message we never stored: 200, nothing logged."""
    if kind == "note":
        ts = reply(bot, events, thread, "note: internal only")["ts"]
    elif kind == "own_mirror_line":
        ts = mirrored_line(web, thread)
    elif kind == "parent_card":
        ts = thread.slack_ts
    else:
        ts = events.ts()
    gone = events.message_deleted(channel=thread.slack_channel, thread_ts=thread.slack_ts, ts=ts)
    before = store.entries(thread.id)

    assert bot.send(events.event(gone)).status_code == 200

    assert store.entries(thread.id) == before


def test_edit_after_a_hand_back_still_reaches_the_shopper_and_moves_nothing(bot, events, store, thread):
    """Fixing a typo after handing back corrects the shopper's copy without taking the conversation again."""
    sent = reply(bot, events, thread, "Refund sent, have a nice dya")
    store.transition(thread.id, Event.HAND_BACK, actor="Alice")

    bot.send(events.event(edit(events, thread, sent, "Refund sent, have a nice day")))

    assert [e.text for e in revisions(store, thread.id)] == ["Refund sent, have a nice day"]
    assert store.get(thread.id).state == State.AI


def test_a_question_whose_only_answer_was_deleted_counts_as_unanswered_at_hand_back(bot, events, store, thread):
    """The shopper asks, Alice answers, then deletes her answer: at hand-back the AI should take the
    question up again, and its history must not hold the withdrawn text."""
    from bot.handoff import unanswered_question

    asked, _ = store.append(thread.id, role="customer", text="does the bundle include the italic weights?")
    sent = reply(bot, events, thread, "Yes, all italics are in the bundle")
    assert unanswered_question(store, thread.id) is None  # Alice's reply answered it
    assert bot.send(events.event(delete(events, thread, sent))).status_code == 200
    assert unanswered_question(store, thread.id) == asked
