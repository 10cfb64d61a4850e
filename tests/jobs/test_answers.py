"""The AI's turn as the worker runs it: answers, escalations, silence while a human has the chat."""

from __future__ import annotations

import pytest
from rq import SimpleWorker

from conversations import ConversationStore, Event, State
from jobs.queues import ANSWERS, SLACK, enqueue_answer, queue


@pytest.fixture
def store(redis_client, redis_url, demo_index, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("BATON_DATA_DIR", demo_index)
    return ConversationStore(redis_client)


def run_worker(store):
    SimpleWorker([queue(store.r, ANSWERS)], connection=store.r).work(burst=True)


def ask(store, conv_id, text, n):
    entry_id, _ = store.append(conv_id, role="customer", text=text, client_id=f"c{n}")
    enqueue_answer(store.r, conv_id, entry_id)
    return entry_id


def test_a_how_to_question_gets_a_cited_answer(store):
    """The worker answers from the demo docs and the entry carries its source."""
    conv, _ = store.create({"name": "Ada"})
    ask(store, conv.id, "How do I install a font on my Mac?", 1)
    run_worker(store)
    ai = [e for e in store.entries(conv.id) if e.role == "ai"]
    assert len(ai) == 1 and ai[0].sources
    assert any("font" in s["title"].lower() for s in ai[0].sources)
    assert store.get(conv.id).state == State.AI


def test_a_refund_request_escalates_and_queues_the_slack_mirror(store):
    """A rule fires: state becomes waiting, the escalation is recorded, a mirror job is queued."""
    conv, _ = store.create({"name": "Ada"})
    ask(store, conv.id, "I want a refund for the font bundle I bought yesterday", 1)
    run_worker(store)
    conv = store.get(conv.id)
    assert conv.state == State.WAITING
    assert conv.escalation["category"] == "refund_request" and conv.escalation["rule"]
    assert [j.func_name for j in queue(store.r, SLACK).get_jobs()] == ["jobs.slack.mirror"]


@pytest.mark.parametrize("state_event", [Event.ESCALATE, Event.TAKE_OVER])
def test_the_ai_stays_silent_while_a_person_has_the_conversation(store, state_event):
    """In waiting or human, a shopper's question gets no AI answer."""
    conv, _ = store.create()
    store.transition(conv.id, state_event, actor="Maya")
    ask(store, conv.id, "How do I install a font on my Mac?", 1)
    run_worker(store)
    assert not [e for e in store.entries(conv.id) if e.role == "ai"]


def test_several_quick_messages_get_one_answer(store):
    """Three lines sent in a row are answered once, after the last."""
    conv, _ = store.create()
    for n, text in enumerate(["hi", "I bought a font", "how do I install it on Windows?"]):
        ask(store, conv.id, text, n)
    run_worker(store)
    ai = [e for e in store.entries(conv.id) if e.role == "ai"]
    assert len(ai) == 1


def test_a_rerun_job_does_not_answer_twice(store):
    """Running the same turn again (a retry) adds nothing."""
    conv, _ = store.create()
    entry_id = ask(store, conv.id, "How do I install a font on my Mac?", 1)
    run_worker(store)
    enqueue_answer(store.r, conv.id, entry_id)
    run_worker(store)
    assert len([e for e in store.entries(conv.id) if e.role == "ai"]) == 1


def test_a_retry_after_a_crash_mid_turn_still_hands_over(store):
    """If the first attempt stored the AI's "a person will reply" and then died, the retry escalates."""
    conv, _ = store.create({"name": "Ada"})
    entry_id = ask(store, conv.id, "I want a refund for the font bundle I bought yesterday", 1)
    # What the crashed first attempt left behind: its reply is in the log, the state change is not.
    store.append(conv.id, role="ai", text="I've passed this to our team.", author={"name": "AI assistant"},
                 client_id=f"ai:{entry_id}", require_state=State.AI)
    run_worker(store)
    conv = store.get(conv.id)
    assert conv.state == State.WAITING
    assert conv.escalation["category"] == "refund_request"
    assert len([e for e in store.entries(conv.id) if e.role == "ai"]) == 1
    assert [j.func_name for j in queue(store.r, SLACK).get_jobs()] == ["jobs.slack.mirror"]


def ask_for_a_person(store, conv_id, text, n):
    """What the widget's "Talk to a person" stores: the shopper's words, flagged as a request for a person."""
    entry_id, _ = store.append(conv_id, role="customer", text=text, meta={"request": "human"}, client_id=f"h{n}")
    enqueue_answer(store.r, conv_id, entry_id)
    return entry_id


def test_talk_to_a_person_hands_off_even_when_no_rule_asks_for_it(store, tmp_path, monkeypatch):
    """A store whose rules have no human-request rule: the button still hands off, and the AI does not answer instead."""
    rules = tmp_path / "rules.toml"
    rules.write_text('[store]\ntimezone = "Europe/Berlin"\n')
    monkeypatch.setenv("BATON_RULES", str(rules))
    conv, _ = store.create({"name": "Ada"})
    ask_for_a_person(store, conv.id, "I'd like to talk to a person, please.", 1)
    run_worker(store)
    conv = store.get(conv.id)
    assert conv.state == State.WAITING
    assert conv.escalation["category"] == "human_request" and not conv.escalation["rule"]
    assert not [e for e in store.entries(conv.id) if e.role == "ai"]


def test_talk_to_a_person_goes_through_the_stores_rules_first(store):
    """Words a rule knows (the human-request rule) decide the handoff: the rule's escalation is the one recorded."""
    conv, _ = store.create({"name": "Ada"})
    ask_for_a_person(store, conv.id, "I'd like to talk to a person, please.", 1)
    run_worker(store)
    conv = store.get(conv.id)
    assert conv.state == State.WAITING
    assert conv.escalation["rule"] == "human-request"
