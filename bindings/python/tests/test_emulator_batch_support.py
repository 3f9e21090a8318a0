"""What the emulator offers a batch run: counted submits (received, replayed, tasks created) and tasks' own videos
(``video_bytes``), deterministic per task, Range-aware, with their SHA-256 in ``GET /_emulator/tasks``."""

from __future__ import annotations

import hashlib

import pytest

from conftest import AUTH, call, get, post_json
from test_emulator import assert_openai_error, set_control
from videogen_emulator import media


def submit(emu, prompt: str, key: str | None = None):
    headers = dict(AUTH, **({"Idempotency-Key": key} if key else {}))
    return post_json(f"{emu.base_url}/v1/videos", {"model": "sora-2", "prompt": prompt}, headers=headers)


def stats(emu):
    return get(f"{emu.base_url}/_emulator/stats", headers={}).json()


def test_submits_are_counted_received_replayed_created(make_emu):
    emu = make_emu(task_seconds=0.0)
    assert stats(emu)["submits"] == {"received": 0, "replayed": 0, "created": 0}
    first = submit(emu, "a", key="job-1")
    again = submit(emu, "a", key="job-1")            # the same key and body: the first answer, replayed
    other = submit(emu, "b")
    refused = post_json(f"{emu.base_url}/v1/videos", {"model": "sora-2", "prompt": "c"}, headers={})   # no key: 401
    assert (first.status, again.status, other.status, refused.status) == (200, 200, 200, 401)
    assert again.json()["id"] == first.json()["id"] and again.headers.get("Idempotent-Replayed") == "true"
    get(f"{emu.base_url}/v1/videos/{first.json()['id']}")            # polls and control calls are not submits
    set_control(emu, task_seconds=0.0)
    assert stats(emu)["submits"] == {"received": 4, "replayed": 1, "created": 2}
    assert call("POST", f"{emu.base_url}/_emulator/reset", b"{}", {}).status == 200
    assert stats(emu)["submits"] == {"received": 0, "replayed": 0, "created": 0}


def test_submits_are_counted_with_the_request_log_off(make_emu):
    emu = make_emu(task_seconds=0.0, request_log=False)
    for n in range(3):
        assert submit(emu, f"p{n}").status == 200
    assert stats(emu)["submits"] == {"received": 3, "replayed": 0, "created": 3}
    assert get(f"{emu.base_url}/_emulator/requests", headers={}).json() == []


def content(emu, task_id: str, headers: dict | None = None):
    return call("GET", f"{emu.base_url}/v1/videos/{task_id}/content", headers=dict(AUTH, **(headers or {})))


def test_tasks_own_videos(make_emu):
    emu = make_emu(task_seconds=0.0)
    size = 200_000
    assert set_control(emu, video_bytes=size)["video_bytes"] == size
    ids = [submit(emu, f"p{n}").json()["id"] for n in range(2)]
    bodies = [content(emu, task_id) for task_id in ids]
    assert [b.status for b in bodies] == [200, 200]
    assert [len(b.body) for b in bodies] == [size, size]
    assert bodies[0].body != bodies[1].body                        # each task its own bytes
    assert content(emu, ids[0]).body == bodies[0].body             # the same on every request
    assert bodies[0].body == media.task_video_bytes(ids[0], 0, size)
    assert bodies[0].headers["ETag"] != bodies[1].headers["ETag"]
    rows = {row["id"]: row for row in get(f"{emu.base_url}/_emulator/tasks?include=video", headers={}).json()}
    for task_id, body in zip(ids, bodies):
        assert rows[task_id]["video_bytes"] == size
        assert rows[task_id]["video_sha256"] == hashlib.sha256(body.body).hexdigest()
    assert "video_sha256" not in get(f"{emu.base_url}/_emulator/tasks", headers={}).json()[0]
    # A resume against the task's ETag gets exactly the rest; a stale validator gets the whole video.
    etag = bodies[0].headers["ETag"]
    rest = content(emu, ids[0], {"Range": "bytes=131072-", "If-Range": etag})
    assert rest.status == 206 and rest.headers["Content-Range"] == f"bytes 131072-{size - 1}/{size}"
    assert rest.body == bodies[0].body[131072:]
    stale = content(emu, ids[0], {"Range": "bytes=131072-", "If-Range": bodies[1].headers["ETag"]})
    assert stale.status == 200 and stale.body == bodies[0].body
    # Back to the sample MP4 for every task.
    assert set_control(emu, video_bytes=None)["video_bytes"] is None
    assert content(emu, ids[0]).body == content(emu, ids[1]).body


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "10", 1 << 33])
def test_bad_video_sizes_are_refused(emu, value):
    reply = post_json(f"{emu.base_url}/_emulator/control", {"video_bytes": value}, headers={})
    assert_openai_error(reply, 400, "invalid_value")
    assert emu.settings.get("video_bytes") is None
