"""Housekeeping jobs, run by a real RQ worker."""

import time

from rq import SimpleWorker

from conversations import ConversationStore, Event, State
from jobs.queues import DIGESTS, SLACK, queue


def test_idle_conversations_close_and_the_shopper_is_told(redis_client, redis_url, monkeypatch):
    """A conversation untouched for a day is closed by the cron job; a fresh one stays open."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    store = ConversationStore(redis_client)
    old, _ = store.create()
    store.transition(old.id, Event.ESCALATE)
    store.update(old.id, updated_at=time.time() - 2 * 86400)
    redis_client.zadd("baton:open", {old.id: time.time() - 2 * 86400})
    fresh, _ = store.create()
    job = queue(redis_client, DIGESTS).enqueue("jobs.maintenance.close_idle")
    SimpleWorker([DIGESTS], connection=redis_client).work(burst=True)
    assert job.return_value() == 1
    assert store.get(old.id).state == State.CLOSED
    assert "closed after a day" in store.entries(old.id)[-1].text
    assert store.get(fresh.id).state == State.AI


def test_the_cron_schedule_loads_the_way_rq_cron_loads_it(redis_client):
    """`rq cron jobs/schedule.py` can import the schedule: it registers the idle close, the Slack sweep and the unanswered sweep."""
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=redis_client)
    scheduler.load_config_from_file("jobs/schedule.py")
    registered = {(job.func.__name__, job.queue_name, job.interval) for job in scheduler.get_jobs()}
    assert {("close_idle", DIGESTS, 900), ("sweep", SLACK, 60), ("sweep_unanswered", "answers", 60)} <= registered
