"""The batch's Celery application: one task, ``videogen_batch.generate``, that runs a job (``job.run_job``).

Run workers (as many as you like, on as many machines, against one Redis)::

    export VIDEOGEN_BATCH_REDIS=redis://127.0.0.1:6379/0        # broker and record store
    export VIDEOGEN_BATCH_CLIENT='{"provider": "applerouter", "dialect": "openai", "api_key_env": "APPLEROUTER_KEY"}'
    export VIDEOGEN_BATCH_OUT=/shared/videos                     # a directory every worker sees (see the README)
    celery -A celeryapp worker --pool threads --concurrency 8 -Q videogen-batch -n w1@%h

and send jobs with ``enqueue.py``. Delivery is at-least-once, which the job makes safe:

- ``acks_late``: a message is acknowledged when its job has ended, so a worker that dies (SIGKILL, a lost machine)
  leaves it unacknowledged; ``reject_on_worker_lost`` requeues it when a pool child dies under a live worker.
- Redis has no consumer leases: an unacknowledged message goes back to the queue once ``visibility_timeout``
  seconds have passed since it was delivered (swept every second here). It must exceed the longest job (submit,
  wait and download), or a live job is delivered twice: harmless here (the second run resumes the record and its
  download waits for the first's part file lock), but wasted. ``VIDEOGEN_BATCH_VISIBILITY`` sets it (default 3600
  s; the test uses 15 s with jobs of 2-4 s).
- A job that raised a retryable error (network, timeout, unknown outcome, rate limit, server, busy) is retried with
  backoff (the same message id); others end with a manifest line naming the error.
- What Redis itself can lose (a worker killed between popping a message and noting it unacknowledged) is found and
  sent again by ``enqueue.Reconciler`` from the batch's own ledger.
"""

from __future__ import annotations

import json
import os
import socket
import threading

import redis
from celery import Celery

import videogen
from job import RETRYABLE, run_job
from records import finish

REDIS_URL = os.environ.get("VIDEOGEN_BATCH_REDIS", "redis://127.0.0.1:6379/0")
VISIBILITY = float(os.environ.get("VIDEOGEN_BATCH_VISIBILITY", "3600"))
QUEUE = "videogen-batch"

app = Celery("videogen_batch", broker=REDIS_URL)
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_ignore_result=True,
    worker_prefetch_multiplier=1,
    task_default_queue=QUEUE,
    task_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    broker_transport_options={"visibility_timeout": VISIBILITY, "unacked_restore_interval": 1,
                              "unacked_restore_throttle": 1},
)

_lock = threading.Lock()
_shared: dict[str, object] = {}


def _resources() -> tuple[videogen.Client, redis.Redis]:
    """This process's client (thread-safe, one for every job) and Redis connection pool, made on first use."""
    with _lock:
        if not _shared:
            options = json.loads(os.environ.get("VIDEOGEN_BATCH_CLIENT", "{}"))
            _shared["client"] = videogen.Client(**options)
            _shared["redis"] = redis.Redis.from_url(REDIS_URL)
        return _shared["client"], _shared["redis"]        # type: ignore[return-value]


def worker_name() -> str:
    return os.environ.get("VIDEOGEN_BATCH_WORKER") or f"{socket.gethostname()}:{os.getpid()}"


@app.task(name="videogen_batch.generate", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def generate(self, job: dict) -> None:
    """Run one job (``{"job_id", "request"}``) to its manifest line."""
    client, db = _resources()
    try:
        run_job(client, db, job, os.environ["VIDEOGEN_BATCH_OUT"], worker_name(),
                scope=os.environ.get("VIDEOGEN_BATCH_SCOPE", ""))
    except videogen.VideoGenError as error:
        if error.code in RETRYABLE:
            raise self.retry(exc=error, countdown=min(30, 2 ** min(self.request.retries, 5)))
        # Not worth another run (a refused request, a bad key, ...): the job ends with a manifest line naming it.
        finish(db, job["job_id"], {"job_id": job["job_id"], "request": job["request"], "state": "error",
                                   "error": {"code": error.code.name.lower(), "message": error.message},
                                   "worker": worker_name(), "cost_units": None})
