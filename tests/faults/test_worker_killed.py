"""A worker killed with SIGKILL in the middle of an AI turn: after a restart the work is done, and stored once."""

from __future__ import annotations

import os
import signal

from conversations import ConversationStore
from jobs import queues
from tests.agent.fake_anthropic import FakeAnthropic, slow, text_message
from tests.faults.conftest import start_worker, stop, wait_until, worker_env

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
