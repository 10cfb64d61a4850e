"""A worker killed with SIGKILL in the middle of an AI turn or a Slack mirror run: after a restart
the work is done, and stored or posted once, in order."""

from __future__ import annotations

import os
import signal

from conversations import ConversationStore, Event
from jobs import queues
from tests.agent.fake_anthropic import FakeAnthropic, slow, text_message
from tests.faults.conftest import INBOX, start_worker, stop, wait_until, worker_env

QUESTION = "Which file formats come with the font licence?"
ANSWER = "Every font comes as OTF, TTF and WOFF2 files in one zip."


def test_a_worker_killed_mid_answer_answers_once_after_restart(fault_settings, redis_proc, tmp_path):
    """SIGKILL while Claude is still answering: the restarted worker picks the job up at once (not after
    rq's 10-minute maintenance) and the shopper gets exactly one answer. The model is asked twice:
    the turn is at-least-once, the log exactly-once."""
    fake = FakeAnthropic()
    try:
        fake.reply(slow(4.0, text_message("(this answer is never delivered: its worker is dead)")), text_message(ANSWER))
        env = worker_env(fault_settings, ANTHROPIC_API_KEY="sk-ant-test", ANTHROPIC_BASE_URL=fake.base_url, BATON_ANTHROPIC_MAX_RETRIES="0")
        store = ConversationStore.from_url(redis_proc.url)
        conv, _ = store.create(customer={"name": "Ada"})
        entry_id, _ = store.append(conv.id, role="customer", text=QUESTION, client_id="widget:q1")
        queues.enqueue_answer(store.r, conv.id, entry_id)

        first = start_worker(env, tmp_path / "worker.log", "answers")
        try:
            wait_until(lambda: len(fake.requests) >= 1, 60, "the first call to the model")
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            assert [e.role for e in store.entries(conv.id)] == ["customer"]  # died before answering

            second = start_worker(env, tmp_path / "worker.log", "answers")
            try:
                wait_until(lambda: any(e.role == "ai" for e in store.entries(conv.id)), 60, "the answer")
                wait_until(lambda: queues.queue(store.r, "answers").started_job_registry.count == 0, 10, "the job to end")
            finally:
                stop(second)
        finally:
            stop(first)
        ai = [e.text for e in store.entries(conv.id) if e.role == "ai"]
        assert ai == [ANSWER]
        assert len(fake.requests) == 2
    finally:
        fake.close()


def test_a_worker_killed_mid_mirror_posts_every_line_once_in_order_after_restart(fault_settings, redis_proc, slack, tmp_path):
    """SIGKILL after Slack stored a thread line but before the worker heard back: after the restart the
    thread has every line exactly once, in the log's order (the line is found by its metadata)."""
    store = ConversationStore.from_url(redis_proc.url)
    conv, _ = store.create(customer={"name": "Ada"})
    lines = [f"line {i:02d} of the transcript" for i in range(12)]
    for i, text in enumerate(lines):
        store.append(conv.id, role="customer" if i % 2 == 0 else "ai", text=text)
    store.update(conv.id, escalation={"reason": "The shopper asks for a person.", "channel": INBOX})
    store.transition(conv.id, Event.ESCALATE)
    # The 6th post (the card, then line 04) reaches Slack, but the worker dies before it hears back:
    # the one moment a cursor cannot tell whether the line is in the thread.
    slack.stall("chat.postMessage", 6)
    queues.enqueue_mirror(store.r, conv.id)
    env = worker_env(fault_settings)

    first = start_worker(env, tmp_path / "worker.log", "slack")
    try:
        assert slack.stalled.wait(60), "the mirror never got to its 6th post"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        slack.release()
        stop(first)
    posted_before = len(slack.calls("chat.postMessage"))
    assert posted_before < 1 + len(lines) + 1  # the run was cut short

    second = start_worker(env, tmp_path / "worker.log", "slack")
    try:
        conv = wait_until(lambda: store.get(conv.id) if store.get(conv.id).slack_ts else None, 30, "the thread")
        expected = len(lines) + 1  # the transcript and the escalation line

        def thread_texts():
            return [p.get("text", "") for p in slack.posts(INBOX, conv.slack_ts)]

        wait_until(lambda: len([t for t in thread_texts() if "line " in t]) >= len(lines) and len(thread_texts()) >= expected, 90, "the rest of the transcript")
        wait_until(lambda: queues.queue(store.r, "slack").started_job_registry.count == 0, 10, "the job to end")
    finally:
        stop(second)
    transcript = [next((line for line in lines if line in t), None) for t in thread_texts()]
    transcript = [t for t in transcript if t]
    assert transcript == lines, thread_texts()
    assert len([c for c in slack.calls("chat.postMessage") if not c.params.get("thread_ts")]) == 1  # one card
