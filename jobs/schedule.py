"""The cron process's schedule (`rq cron jobs/schedule.py`)."""

from rq import cron

from jobs.answers import sweep_unanswered
from jobs.digest import POLL_SECONDS, scheduled
from jobs.maintenance import close_idle
from jobs.queues import ANSWERS, DIGESTS, SLACK
from jobs.reminders import remind
from jobs.slack import sweep

# Close conversations nobody has touched for a day, every 15 minutes.
cron.register(close_idle, DIGESTS, interval=15 * 60)

# Re-mirror conversations whose Slack thread fell behind (Slack trouble, a lost job), every minute.
cron.register(sweep, SLACK, interval=60)

# Remind the team of conversations left waiting (BATON_REMIND_AFTER / BATON_REMIND_AGAIN), every minute.
cron.register(remind, SLACK, interval=60)

# The managers' digest at BATON_DIGEST_CRON in the store's time zone. rq 2.12's own `cron=` argument
# evaluates the expression in UTC, so a short poll decides instead: `scheduled` posts the period
# that ended at the last scheduled time (daylight saving included), once per period key.
cron.register(scheduled, DIGESTS, interval=POLL_SECONDS, job_timeout=30 * 60)

# Answer shoppers whose message was stored but whose AI turn was never queued (a crash in between), every minute.
cron.register(sweep_unanswered, ANSWERS, interval=60)
