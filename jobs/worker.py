"""The worker class the Procfile runs: rq's SimpleWorker, with Baton's logging.

SimpleWorker runs each job in the worker process instead of forking a child per job: LanceDB 0.40
warns that using a table across fork() can deadlock, and a forked child would reload the embedding
model and reopen the index for every job (see docs/architecture.md).
"""

from __future__ import annotations

import logging

from rq.worker import SimpleWorker

import config


class Worker(SimpleWorker):
    def __init__(self, *args, **kwargs):
        config.configure_logging()
        logging.getLogger("rq").propagate = False  # rq prints its own lines; don't print them twice
        super().__init__(*args, **kwargs)
