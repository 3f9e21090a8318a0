"""Send jobs to the batch's queue, and send again those the queue lost.

    VIDEOGEN_BATCH_REDIS=redis://... python3 enqueue.py jobs.jsonl        # one {"job_id", "request"} per line
    VIDEOGEN_BATCH_REDIS=redis://... python3 enqueue.py --reconcile 3600  # every minute: re-send jobs silent 1 h

Celery over Redis delivers at least once *after* a worker holds a message (``acks_late``; the visibility timeout
brings back what a dead worker held), but not in the moment between the worker popping the message off the queue
and noting it as unacknowledged: a worker killed then loses it. So the batch keeps its own ledger in Redis, every
job (``vgbatch:jobs``) with when it was last sent (``vgbatch:sent``), and :func:`reconcile` sends again every job
that has no manifest line and has shown no sign of life (sent, or a phase change in ``vgbatch:inflight``) for longer
than the visibility timeout. Sending a job twice is safe: a job runs once to its manifest line, and a second run
finds it done, or resumes its stored record (no second submit).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable
from typing import Any

import redis

from celeryapp import REDIS_URL, VISIBILITY, generate
from records import INFLIGHT, MANIFEST, PREFIX

JOBS = PREFIX + "jobs"
SENT = PREFIX + "sent"


def send(db: redis.Redis, jobs: Iterable[dict[str, Any]]) -> int:
    """Record each job in the ledger, then put it on the queue. Returns how many were sent."""
    count = 0
    for job in jobs:
        db.hset(JOBS, job["job_id"], json.dumps(job))
        db.hset(SENT, job["job_id"], time.time())
        generate.apply_async((job,))
        count += 1
    return count


def reconcile(db: redis.Redis, silent_for: float = VISIBILITY) -> list[str]:
    """Send again every job of the ledger without a manifest line that nothing has touched for ``silent_for``
    seconds (sent, or a phase noted by a worker). Returns their ids."""
    now = time.time()
    done = set(db.hkeys(MANIFEST))
    sent = db.hgetall(SENT)
    inflight = db.hgetall(INFLIGHT)
    again = []
    for job_id, data in db.hgetall(JOBS).items():
        if job_id in done:
            continue
        last = float(sent.get(job_id, 0))
        if job_id in inflight:
            last = max(last, json.loads(inflight[job_id])["since"])
        if now - last > silent_for:
            again.append(json.loads(data))
    send(db, again)
    return [job["job_id"] for job in again]


if __name__ == "__main__":
    database = redis.Redis.from_url(REDIS_URL)
    if sys.argv[1:2] == ["--reconcile"]:
        silence = float(sys.argv[2]) if len(sys.argv) > 2 else VISIBILITY
        while True:
            for job_id in reconcile(database, silence):
                print("sent again:", job_id, flush=True)
            time.sleep(60)
    with open(sys.argv[1], encoding="utf-8") as file:
        print(send(database, (json.loads(line) for line in file if line.strip())), "jobs sent")
