"""One writer at a time: an exclusive lock file in the index folder, held for a whole ingest.

``fcntl.flock`` works across processes on one machine (the web process's CLI, the RQ worker) and
is released by the kernel if the holder dies, so a crashed ingest never leaves the index locked.
An index on object storage (``s3://…``) has no local folder to lock: there, run ingests from the
``ingest`` queue only, whose single worker already serialises them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path

from knowledge.errors import IndexBusy


@contextlib.contextmanager
def writer_lock(index_dir: str, timeout: float):
    if "://" in index_dir:  # object storage: nothing local to lock (see module docstring)
        yield
        return
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    fd = os.open(os.path.join(index_dir, ".writer.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    started = time.monotonic()
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                if waited >= timeout:
                    raise IndexBusy(index_dir, waited) from None
                time.sleep(min(0.2, max(0.01, timeout - waited)))
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
