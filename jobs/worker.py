"""The worker class the Procfile runs: rq's SimpleWorker, with Baton's logging and a quick recovery
of the jobs a killed worker left behind.

SimpleWorker runs each job in the worker process instead of forking a child per job: LanceDB 0.40
warns that using a table across fork() can deadlock, and a forked child would reload the embedding
model and reopen the index for every job (see docs/architecture.md).

A worker killed with SIGKILL (OOM killer, a host reboot) leaves its job in rq's "started" registry.
rq itself notices only when the job's heartbeat expires (about 90 s) and then at its next
maintenance run (every 10 minutes by default), and re-enqueues the job if it has retries left. On
start, this worker looks at once: a started job whose worker is gone (its registration expired, or
it ran on this host under a pid that is no longer alive) is put back at the front of its queue,
using one of its retries. Jobs are idempotent (they take ids and re-read state; the AI's reply has
``client_id = ai:<entry id>``, the mirror a cursor), so running the rest of a killed job again
stores nothing twice.
"""

from __future__ import annotations

import logging
import os
import socket

from rq.job import Job
from rq.worker import SimpleWorker

import config

log = logging.getLogger(__name__)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Worker(SimpleWorker):
    def __init__(self, *args, **kwargs):
        config.configure_logging()
        logging.getLogger("rq").propagate = False  # rq prints its own lines; don't print them twice
        super().__init__(*args, **kwargs)

    def register_birth(self):
        super().register_birth()
        try:
            self.recover_abandoned_jobs()
        except Exception:  # noqa: BLE001 - recovery is best effort; rq's own cleanup still runs later
            log.exception("could not check for jobs left by a killed worker")

    def _worker_gone(self, name: str) -> bool:
        if not name or name == self.name:
            return not name
        other = SimpleWorker.find_by_key(SimpleWorker.redis_worker_namespace_prefix + name, connection=self.connection)
        if other is None:
            return True  # its registration expired: it stopped heartbeating long ago
        if other.hostname == socket.gethostname() and other.pid:
            # Same host: a pid that is gone, or is ours (a restarted container reuses pids), is dead.
            return other.pid == os.getpid() or not _pid_alive(other.pid)
        return False  # another host: leave it to rq's heartbeat expiry

    def recover_abandoned_jobs(self) -> int:
        """Re-enqueue started jobs whose worker is dead; returns how many."""
        recovered = 0
        for queue in self.queues:
            registry = queue.started_job_registry
            for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
                job = Job.fetch(job_id, connection=self.connection) if Job.exists(job_id, connection=self.connection) else None
                if job is None or not self._worker_gone(job.worker_name or ""):
                    continue
                pipe = self.connection.pipeline()
                pipe.zrem(registry.key, f"{job_id}:{execution_id}")
                if job.retries_left:
                    job.retries_left -= 1
                    queue._enqueue_job(job, pipeline=pipe, at_front=True)  # rq's own retry path, without its delay
                    log.warning("re-enqueued job %s left by a killed worker (%s retries left)", job_id, job.retries_left)
                else:
                    job._handle_failure("its worker was killed and it has no retries left", pipe, worker_name="")
                    log.warning("job %s left by a killed worker has no retries left; moved to failed", job_id)
                pipe.execute()
                recovered += 1
        return recovered
