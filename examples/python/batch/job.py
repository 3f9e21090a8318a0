"""One job of the batch, whoever runs it (a Celery worker, or a plain process): submit once, wait, download,
manifest line. Every step can be cut by a kill and run again by another process:

- submit: ``Client.submit_once`` with the job's entry in Redis. A job whose entry holds a record resumes it (no
  second submit); one killed between sending and storing (or whose submit raised ``UNKNOWN_OUTCOME``) sends again
  with the same ``Idempotency-Key``, derived from the job id, so the service answers with the task it already made.
- wait: from the record, polling only.
- download: to ``<out>/<job>.mp4`` through ``<job>.mp4.part``. A part file left by a killed worker is continued
  (the library hashes it again and asks for the rest with ``Range`` + ``If-Range``), and a second download of the
  same file at the same moment fails with ``BUSY`` instead of interleaving. A video already downloaded (the record
  says so, and the file matches) is not fetched again.
- manifest: request, task id, file, size, SHA-256, cost units (the record's ``usage``, under the provider's own
  names, where the provider reports them; null otherwise), and how the job went: ``redelivered`` (its record was found: no submit), ``part_found`` (bytes of a part
  file another worker left, which the download continued when its note matched).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Any

import redis

import videogen
from records import MANIFEST, RedisRecordStore, finish, mark

#: Errors after which the job is run again later (the message is redelivered or retried), not given up.
RETRYABLE = {videogen.ErrorCode.NETWORK, videogen.ErrorCode.TIMEOUT, videogen.ErrorCode.UNKNOWN_OUTCOME,
             videogen.ErrorCode.RATE_LIMITED, videogen.ErrorCode.SERVER, videogen.ErrorCode.BUSY}

_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def file_name(job_id: str) -> str:
    """The video's file name: the job id when it is a plain name, else its SHA-256 (never a path)."""
    if _PLAIN.fullmatch(job_id):
        return job_id + ".mp4"
    return hashlib.sha256(job_id.encode("utf-8", "surrogatepass")).hexdigest()[:32] + ".mp4"


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _done_already(record: dict[str, Any], path: str) -> bool:
    """The record says this file was downloaded, and it is there with that size and hash."""
    download = record.get("download") or {}
    return (download.get("path") == path and os.path.isfile(path) and not os.path.islink(path)
            and os.path.getsize(path) == download.get("bytes") and _sha256(path) == download.get("sha256"))


def run_job(client: videogen.Client, db: redis.Redis, job: dict[str, Any], out_dir: str, worker: str,
            scope: str = "", wait_timeout: float = 600) -> dict[str, Any]:
    """Run ``job`` (``{"job_id", "request"}``) to its manifest line, which it returns. Raises
    ``videogen.VideoGenError`` for an error worth running the job again for (:data:`RETRYABLE`)."""
    job_id, request = job["job_id"], job["request"]
    done = db.hget(MANIFEST, job_id)
    if done is not None:                               # a message delivered again after its job ended
        return json.loads(done)
    store = RedisRecordStore(db)
    before = store.load(job_id) or {}
    line: dict[str, Any] = {"job_id": job_id, "request": request, "redelivered": bool(before.get("record")),
                            "worker": worker, "cost_units": None}
    mark(db, job_id, worker, "submit")
    with client.submit_once(job_id, store, scope=scope, **request) as task:
        line["task_id"] = task.id
        if not task.done:
            mark(db, job_id, worker, "wait", task.id)
            try:
                task.wait(timeout=wait_timeout)
            except videogen.VideoGenError:
                if not task.done:
                    raise
                # The task failed, was refused or expired: its end, recorded below.
        store.save(job_id, dict(store.load(job_id) or {}, record=task.record()))
        line["state"] = task.state.value
        if task.state is not videogen.State.SUCCEEDED:
            error = task.error
            line["error"] = None if error is None else {"code": error.code.name.lower(), "message": error.message}
            finish(db, job_id, line)
            return line
        path = os.path.join(out_dir, file_name(job_id))
        record = task.record()
        if not _done_already(record, path):
            part = path + ".part"
            line["part_found"] = os.path.getsize(part) if os.path.exists(part) else 0
            mark(db, job_id, worker, "download", task.id)
            task.download(path)
            record = task.record()
            store.save(job_id, dict(store.load(job_id) or {}, record=record))
        download = record["download"]
        line.update(file=path, size=download["bytes"], sha256=download["sha256"], cost_units=record.get("usage"))
    finish(db, job_id, line)
    return line
