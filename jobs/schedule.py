"""The cron process's schedule (`rq cron jobs/schedule.py`)."""

from rq import cron

from jobs.maintenance import close_idle
from jobs.queues import DIGESTS, SLACK
from jobs.reminders import remind
from jobs.slack import sweep

# Close conversations nobody has touched for a day, every 15 minutes.
cron.register(close_idle, DIGESTS, interval=15 * 60)

# Re-mirror conversations whose Slack thread fell behind (Slack trouble, a lost job), every minute.
cron.register(sweep, SLACK, interval=60)

# Remind the team of conversations left waiting (BATON_REMIND_AFTER / BATON_REMIND_AGAIN), every minute.
cron.register(remind, SLACK, interval=60)
