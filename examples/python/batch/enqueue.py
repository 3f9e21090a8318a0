"""Send jobs to the batch's queue, and send again those the queue lost.

    VIDEOGEN_BATCH_REDIS=redis://... python3 enqueue.py jobs.jsonl     # one {"job_id", "request"} per line
    VIDEOGEN_BATCH_REDIS=redis://... python3 enqueue.py --reconcile    # a watcher: re-sends lost jobs, every 30 s

Celery over Redis delivers at least once *after* a worker holds a message (``acks_late``: kombu keeps it in its
``unacked`` hash, and the visibility timeout brings back what a dead worker held), but not in the moment between a
worker popping the message off the queue (``BRPOP``) and noting it as unacknowledged: a worker killed then loses it
(the test sees this happen). So the batch keeps its own ledger in Redis: every job (``vgbatch:jobs``) and the id of
the message that last carried it (``vgbatch:sent``). :class:`Reconciler` sends again every job without a manifest
line whose message the broker holds neither in the queue nor as unacknowledged, twice in a row (a live worker's
pop-to-note moment lasts microseconds). Sending a job twice is safe: a job runs once to its manifest line, and a
second run finds it done or resumes its stored record (no second submit).
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Iterable
from typing import Any

import redis

from celeryapp import QUEUE, REDIS_URL, generate
from records import MANIFEST, PREFIX

JOBS = PREFIX + "jobs"
SENT = PREFIX + "sent"
#: kombu's Redis transport keeps delivered, unacknowledged messages here (its ``unacked_key`` default).
UNACKED = "unacked"


def send(db: redis.Redis, jobs: Iterable[dict[str, Any]]) -> int:
    """Record each job in the ledger with the id of its message, then put it on the queue. Returns how many."""
    count = 0
    for job in jobs:
        message_id = str(uuid.uuid4())
        db.hset(JOBS, job["job_id"], json.dumps(job))
        db.hset(SENT, job["job_id"], message_id)
        generate.apply_async((job,), task_id=message_id)
        count += 1
    return count


def held_by_broker(db: redis.Redis) -> set[str]:
    """The ids of the messages the broker holds, queued or delivered and unacknowledged, read in one transaction
    (a message moving between the two is seen in one of them). A Celery retry keeps its message's id."""
    pipe = db.pipeline(transaction=True)
    pipe.lrange(QUEUE, 0, -1)
    pipe.hvals(UNACKED)
    queued, unacked = pipe.execute()
    ids = {json.loads(raw)["headers"]["id"] for raw in queued}
    ids.update(json.loads(raw)[0]["headers"]["id"] for raw in unacked)
    return ids


class Reconciler:
    """Finds jobs the queue lost and sends them again (see the module's text). Call :meth:`run` every few seconds,
    from one process."""

    def __init__(self, db: redis.Redis) -> None:
        self.db = db
        self.suspects: set[str] = set()

    def run(self) -> list[str]:
        """One pass; returns the ids of the jobs sent again."""
        sent = {k.decode(): v.decode() for k, v in self.db.hgetall(SENT).items()}
        held = held_by_broker(self.db)
        done = {k.decode() for k in self.db.hkeys(MANIFEST)}
        missing = {job_id for job_id, message_id in sent.items() if job_id not in done and message_id not in held}
        lost, self.suspects = sorted(missing & self.suspects), missing - self.suspects
        # Done meanwhile (its message was acknowledged after it wrote its line): not lost.
        lost = [job_id for job_id in lost if not self.db.hexists(MANIFEST, job_id)]
        jobs = [json.loads(self.db.hget(JOBS, job_id)) for job_id in lost]
        send(self.db, jobs)
        return lost


if __name__ == "__main__":
    database = redis.Redis.from_url(REDIS_URL)
    if sys.argv[1:2] == ["--reconcile"]:
        reconciler = Reconciler(database)
        while True:
            for job_id in reconciler.run():
                print("sent again:", job_id, flush=True)
            time.sleep(30)
    with open(sys.argv[1], encoding="utf-8") as file:
        print(send(database, (json.loads(line) for line in file if line.strip())), "jobs sent")
