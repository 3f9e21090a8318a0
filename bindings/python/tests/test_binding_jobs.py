"""Jobs that survive crashes: ``videogen.idempotency_key`` (the library's ``vg_idempotency_key``), the
``RecordStore`` interface with ``DirectoryRecordStore``, and ``Client.submit_once`` against the emulator: resumed
from the stored record, re-sent with the same key after an unknown outcome, never a second task."""

from __future__ import annotations

import json
import os
import threading

import pytest

import videogen
from conftest import call, get, make_client, post_json

# Known answers computed apart from the library (hashlib + uuid: RFC 9562's SHA-256 name-based version-8 UUID over
# the namespace 33ff1169-419f-45f2-9c2a-14dd7fcf6f7c, the scope, a zero byte and the job id).
KNOWN = [("order-42", "", "e2489364-9895-8ee0-8db3-7ffd4e039868"),
         ("order-42", "batch-2026-12", "be18f1c0-9ac7-8dea-a32a-3fae0141c839"),
         ("é/ü 漢", "", "b1f3028a-46f2-886f-a2d8-9d3c26f0223a")]


@pytest.mark.parametrize("job, scope, key", KNOWN)
def test_idempotency_key_known_answers(job, scope, key):
    assert videogen.idempotency_key(job, scope) == key


def test_idempotency_key_is_the_jobs_own():
    first = videogen.idempotency_key("job-1", scope="s")
    assert videogen.idempotency_key("job-1", scope="s") == first
    assert videogen.idempotency_key("job-2", scope="s") != first
    assert videogen.idempotency_key("job-1", scope="t") != first
    assert videogen.idempotency_key("b", "a") != videogen.idempotency_key("ab", "")
    # The same in another process (a worker on another machine runs the same code).
    import subprocess
    import sys
    from conftest import EMULATOR_PYTHONPATH
    other = subprocess.run([sys.executable, "-c", "import videogen; print(videogen.idempotency_key('job-1', 's'))"],
                           env=dict(os.environ, PYTHONPATH=EMULATOR_PYTHONPATH), capture_output=True, text=True,
                           check=True)
    assert other.stdout.strip() == first


@pytest.mark.parametrize("job, scope, field", [("", "", "job_id"), ("j" * 4097, "", "job_id"),
                                               ("j", "s" * 4097, "scope"), ("a\0b", "", "job_id"),
                                               ("j", "\udcff", "scope")])
def test_idempotency_key_refusals(job, scope, field):
    with pytest.raises(videogen.InvalidArgumentError, match=field):
        videogen.idempotency_key(job, scope)


def test_idempotency_key_types():
    assert len(videogen.idempotency_key("j" * 4096, "s" * 4096)) == 36
    with pytest.raises(TypeError):
        videogen.idempotency_key(42)            # type: ignore[arg-type]


# -- DirectoryRecordStore ----------------------------------------------------------------------------------------

def test_directory_store_round_trip(tmp_path):
    store = videogen.DirectoryRecordStore(tmp_path / "jobs")
    assert isinstance(store, videogen.RecordStore)
    assert store.load("job/../1") is None
    store.save("job/../1", {"idempotency_key": "k", "record": None, "mine": [1, 2]})
    assert store.load("job/../1") == {"idempotency_key": "k", "record": None, "mine": [1, 2], "job_id": "job/../1"}
    store.save("job/../1", {"idempotency_key": "k", "record": {"id": "t"}})
    assert store.load("job/../1")["record"] == {"id": "t"}
    # One file per job inside the directory (the id never becomes a path), no temporary file left.
    assert os.listdir(tmp_path / "jobs") == [os.path.basename(store.path("job/../1"))]
    assert os.path.dirname(store.path("job/../1")) == str(tmp_path / "jobs")


def test_directory_store_never_follows_a_planted_link(tmp_path):
    store = videogen.DirectoryRecordStore(tmp_path)
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps({"job_id": "j", "record": None}))
    os.symlink(target, store.path("j"))
    with pytest.raises(OSError):
        store.load("j")
    store.save("j", {"record": None})           # replaces the link (rename), never writes through it
    assert not os.path.islink(store.path("j"))
    assert json.loads(target.read_text()) == {"job_id": "j", "record": None}


def test_directory_store_refuses_a_foreign_entry(tmp_path):
    store = videogen.DirectoryRecordStore(tmp_path)
    with open(store.path("a"), "w") as file:
        json.dump({"job_id": "b"}, file)
    with pytest.raises(ValueError, match="does not hold"):
        store.load("a")


# -- Client.submit_once ------------------------------------------------------------------------------------------

def stats(emu):
    return get(f"{emu.base_url}/_emulator/stats", headers={}).json()["submits"]


def test_submit_once_submits_then_resumes(emu, tmp_path):
    store = videogen.DirectoryRecordStore(tmp_path)
    with make_client(emu) as client:
        task = client.submit_once("job-7", store, model="sora-2", prompt="a fox", scope="b1")
        entry = store.load("job-7")
        assert entry["idempotency_key"] == videogen.idempotency_key("job-7", "b1")
        assert entry["record"]["id"] == task.id and entry["record"]["idempotency_key"] == entry["idempotency_key"]
        again = client.submit_once("job-7", store, model="sora-2", prompt="a fox", scope="b1")
        assert again.id == task.id
        again.wait(timeout=30)
        assert again.state is videogen.State.SUCCEEDED
    assert stats(emu) == {"received": 1, "replayed": 0, "created": 1}
    log = [e for e in get(f"{emu.base_url}/_emulator/requests", headers={}).json() if e["method"] == "POST"]
    assert [e["idempotency_key"] for e in log] == [entry["idempotency_key"]]


def test_submit_once_keeps_the_callers_members(emu, tmp_path):
    store = videogen.DirectoryRecordStore(tmp_path)
    store.save("job-8", {"stage": "queued", "request": {"prompt": "p"}})
    with make_client(emu) as client:
        client.submit_once("job-8", store, model="sora-2", prompt="p")
    entry = store.load("job-8")
    assert entry["stage"] == "queued" and entry["request"] == {"prompt": "p"} and entry["record"]


def test_submit_once_after_an_unknown_outcome_resends_the_same_key(emu, tmp_path):
    # The first submit reaches the service, which makes the task, and the answer is lost (the connection reset
    # after the route ran): UNKNOWN_OUTCOME, the entry has the key and no record. The job run again re-sends the
    # same key and gets the task of the first attempt: two requests, one task.
    store = videogen.DirectoryRecordStore(tmp_path)
    reply = post_json(f"{emu.base_url}/_emulator/control",
                      {"faults": [{"fault": "commit-drop", "match": "/v1/videos", "method": "POST", "count": 1}]},
                      headers={})
    assert reply.status == 200, reply.body
    with make_client(emu) as client:
        with pytest.raises(videogen.VideoGenError) as raised:
            client.submit_once("job-9", store, model="sora-2", prompt="p")
        assert raised.value.code is videogen.ErrorCode.UNKNOWN_OUTCOME
        entry = store.load("job-9")
        assert entry["record"] is None and entry["idempotency_key"] == videogen.idempotency_key("job-9")
        task = client.submit_once("job-9", store, model="sora-2", prompt="p")
    assert stats(emu) == {"received": 2, "replayed": 1, "created": 1}
    assert [t["id"] for t in get(f"{emu.base_url}/_emulator/tasks", headers={}).json()] == [task.id]
    assert store.load("job-9")["record"]["id"] == task.id


def test_submit_once_after_a_crash_before_the_record(emu, tmp_path):
    # A process that died after saving the key and before the submit went out: the re-run sends it once.
    store = videogen.DirectoryRecordStore(tmp_path)
    store.save("job-10", {"idempotency_key": videogen.idempotency_key("job-10"), "record": None})
    with make_client(emu) as client:
        task = client.submit_once("job-10", store, model="sora-2", prompt="p")
    assert stats(emu) == {"received": 1, "replayed": 0, "created": 1}
    assert store.load("job-10")["record"]["id"] == task.id


def test_submit_once_refuses_a_key_of_its_own(emu, tmp_path):
    with make_client(emu) as client:
        with pytest.raises(TypeError, match="idempotency_key"):
            client.submit_once("j", videogen.DirectoryRecordStore(tmp_path), model="m", prompt="p",
                               idempotency_key="k")     # type: ignore[call-arg]
    assert stats(emu)["received"] == 0


def test_submit_once_in_threads_of_many_jobs(emu, tmp_path):
    store = videogen.DirectoryRecordStore(tmp_path)
    with make_client(emu) as client:
        tasks: dict[str, str] = {}

        def run(n: int) -> None:
            tasks[f"job-{n}"] = client.submit_once(f"job-{n}", store, model="sora-2", prompt=f"p{n}").id

        threads = [threading.Thread(target=run, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for n in range(20):       # every job resumed, none sent again
            assert client.submit_once(f"job-{n}", store, model="sora-2", prompt=f"p{n}").id == tasks[f"job-{n}"]
    assert stats(emu) == {"received": 20, "replayed": 0, "created": 20}
    assert len(set(tasks.values())) == 20
    assert call("POST", f"{emu.base_url}/_emulator/reset", b"{}", {}).status == 200
