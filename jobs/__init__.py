"""RQ entry points: thin module-level functions that take ids, load, call the packages, save.

Queues: ``answers`` (AI turns), ``slack`` (thread mirroring), ``digests``, ``ingest``.
The worker is rq's SimpleWorker (no fork per job): LanceDB 0.40 warns that using a table across
``fork()`` can deadlock, and a forking worker would also reload the embedding model for every job.
"""
