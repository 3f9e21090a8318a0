"""What the batch keeps in Redis: each job's entry (a ``videogen.RecordStore``), the manifest, and the jobs in
flight with the phase each is in.

Keys (``PREFIX`` = ``vgbatch:``):

- ``vgbatch:job:<job id>``: the job's entry, JSON: ``job_id``, ``idempotency_key`` (saved before the submit is
  sent), ``record`` (the task's record, saved as soon as the submit returns, again after the wait and the
  download).
- ``vgbatch:manifest``: a hash, job id -> the job's manifest line (JSON), written when the job is done.
- ``vgbatch:inflight``: a hash, job id -> ``{"worker", "pid", "phase", "task_id", "since"}`` while a worker runs it
  (``submit``, ``wait``, ``download``). The library has no registry of the tasks a process has in flight, so the
  batch keeps its own here, across processes and machines.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from typing import Any

import redis

PREFIX = "vgbatch:"
MANIFEST = PREFIX + "manifest"
INFLIGHT = PREFIX + "inflight"


class RedisRecordStore:
    """A ``videogen.RecordStore`` in Redis: one string key per job, replaced whole (``SET`` is atomic; with the
    server's ``appendfsync always`` it is on disk before the call returns)."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def load(self, job_id: str) -> dict[str, Any] | None:
        data = self.redis.get(PREFIX + "job:" + job_id)
        return None if data is None else json.loads(data)

    def save(self, job_id: str, entry: Mapping[str, Any]) -> None:
        self.redis.set(PREFIX + "job:" + job_id, json.dumps(dict(entry, job_id=job_id), allow_nan=False))


def mark(client: redis.Redis, job_id: str, worker: str, phase: str, task_id: str | None = None) -> None:
    """Note that ``worker`` (this process) runs ``job_id`` and is in ``phase``. An entry whose process died stays
    until another process runs the job again."""
    client.hset(INFLIGHT, job_id, json.dumps({"worker": worker, "pid": os.getpid(), "phase": phase,
                                              "task_id": task_id, "since": time.time()}))


def finish(client: redis.Redis, job_id: str, line: Mapping[str, Any]) -> None:
    """Write the job's manifest line and take it out of the jobs in flight, in one transaction."""
    pipe = client.pipeline(transaction=True)
    pipe.hset(MANIFEST, job_id, json.dumps(line, allow_nan=False))
    pipe.hdel(INFLIGHT, job_id)
    pipe.execute()


def manifest(client: redis.Redis) -> list[dict[str, Any]]:
    """Every manifest line, ordered by job id."""
    return [json.loads(v) for _, v in sorted(client.hgetall(MANIFEST).items())]


def inflight(client: redis.Redis) -> dict[str, dict[str, Any]]:
    """The jobs in flight: job id -> worker, phase, task id, since."""
    return {k.decode(): json.loads(v) for k, v in client.hgetall(INFLIGHT).items()}
