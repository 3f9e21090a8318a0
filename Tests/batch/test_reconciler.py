"""The batch's ledger (examples/python/batch/enqueue.py) against a real redis-server and Celery's real messages: a
job whose message the broker lost is sent again, once it has been missing on two passes; a queued, unacknowledged
or finished job never is."""

from __future__ import annotations

import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [os.path.join(ROOT, "examples", "python", "batch"), os.path.join(ROOT, "bindings", "python")]

import redis  # noqa: E402

from redis_server import RedisServer  # noqa: E402


@pytest.fixture(scope="module")
def server():
    with RedisServer() as instance:
        os.environ["VIDEOGEN_BATCH_REDIS"] = instance.url      # read by celeryapp at import
        yield instance


@pytest.fixture
def db(server):
    client = redis.Redis.from_url(server.url)
    client.flushdb()
    return client


def job(n: int) -> dict:
    return {"job_id": f"job-{n}", "request": {"model": "m", "prompt": f"p{n}"}}


def test_lost_messages_are_sent_again_and_only_they(db):
    import enqueue
    import records
    assert enqueue.send(db, [job(n) for n in range(4)]) == 4
    sent = {k.decode(): v.decode() for k, v in db.hgetall(enqueue.SENT).items()}
    assert set(sent) == {f"job-{n}" for n in range(4)}
    assert enqueue.held_by_broker(db) == set(sent.values())
    # Celery's queue is a list popped from the right: job-0 first. job-0 is delivered and noted unacknowledged, as
    # kombu does; job-1 is popped by a worker killed before noting it (lost); job-2 finished (its manifest line).
    first = db.rpop(enqueue.QUEUE)
    db.hset(enqueue.UNACKED, "tag-0", json.dumps([json.loads(first), "", enqueue.QUEUE]))
    lost = json.loads(db.rpop(enqueue.QUEUE))
    assert lost["headers"]["id"] == sent["job-1"]
    records.finish(db, "job-2", {"job_id": "job-2"})
    db.lrem(enqueue.QUEUE, 0, next(m for m in db.lrange(enqueue.QUEUE, 0, -1)
                                   if json.loads(m)["headers"]["id"] == sent["job-2"]))
    reconciler = enqueue.Reconciler(db)
    assert reconciler.run() == []                 # missing once: a live worker's pop-to-note moment, maybe
    assert reconciler.run() == ["job-1"]          # missing twice: lost, sent again under a new message id
    again = db.hget(enqueue.SENT, "job-1").decode()
    assert again != sent["job-1"] and again in enqueue.held_by_broker(db)
    queued = [json.loads(m) for m in db.lrange(enqueue.QUEUE, 0, -1)]
    assert [m["headers"]["id"] for m in queued if m["headers"]["id"] == again] == [again]
    assert reconciler.run() == [] and reconciler.run() == []


def test_a_job_that_reappears_is_not_sent(db):
    import enqueue
    enqueue.send(db, [job(9)])
    message = db.rpop(enqueue.QUEUE)
    reconciler = enqueue.Reconciler(db)
    assert reconciler.run() == []
    db.lpush(enqueue.QUEUE, message)              # restored by the visibility timeout meanwhile
    assert reconciler.run() == []
    assert reconciler.run() == []
    assert db.llen(enqueue.QUEUE) == 1
