"""Task: submit, poll, wait, download, cancel, record and resume (also in a new process), the progress callbacks
(including ones that raise), context managers and use after close."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from conftest import API_KEY, FAST_POLL, PNG, ROOT, SAMPLE_MP4, make_client

import videogen
from videogen import ErrorCode, Progress, State
from videogen.request import inline_images, request_document, split_images

PYTHON_DIR = os.path.join(ROOT, "bindings", "python")


def sample_bytes() -> bytes:
    with open(SAMPLE_MP4, "rb") as f:
        return f.read()


def test_submit_returns_a_task_in_its_first_state(client, emu):
    task = client.submit(model="sora-2", prompt="a fox", duration=8, size="1280x720")
    assert task.id.startswith("video_") and task.state in (State.QUEUED, State.RUNNING)
    assert not task.done and task.model == "sora-2" and task.video_url is None and task.error is None
    assert task.file is None and task.bytes_received == 0 and task.bytes_total is None
    assert task.id in repr(task)
    stored = emu.store.get(task.id)
    assert (stored.prompt, stored.seconds, stored.size) == ("a fox", "8", "1280x720")


def test_request_fields_reach_the_service(unified_client, emu, tmp_path):
    image = tmp_path / "ref.png"
    image.write_bytes(PNG)
    task = unified_client.submit(model="kling-v1", prompt="a fox", image=image, seed=7, fps=30, n=None,
                                 metadata={"tag": "t"}, extra={"mode": "pro"})
    stored = emu.store.get(task.id)
    assert (stored.seed, stored.fps, stored.extra["mode"]) == (7, 30, "pro")
    assert stored.extra["metadata"]["tag"] == "t"


VIDEO_OBJECT = {"id": "video_1", "object": "video", "status": "queued", "progress": 0, "model": "sora-2",
                "created_at": 1}


@pytest.mark.parametrize("dialect, body_has", [
    ("openai", PNG),  # uploaded as a multipart file part
    ("unified", base64.b64encode(PNG)),  # sent inside the JSON (a data: URI)
])
def test_images_given_as_bytes(fault_server, dialect, body_has):
    fault_server.reply(200, VIDEO_OBJECT if dialect == "openai" else {"task_id": "task_1", "status": "queued"})
    with videogen.Client(dialect=dialect, base_url=fault_server.base_url, api_key=API_KEY) as client:
        task = client.submit(model="sora-2", prompt="a fox", image=bytearray(PNG))
        assert task.id in ("video_1", "task_1")
        assert body_has in fault_server.bodies[-1]
        asyncio.run(client.submit_async(model="sora-2", prompt="a fox", image=PNG))
        assert body_has in fault_server.bodies[-1]
        for submit in (client.submit, lambda **kw: asyncio.run(client.submit_async(**kw))):
            with pytest.raises(videogen.InvalidArgumentError, match="image"):
                submit(model="sora-2", prompt="a fox", image=b"not an image at all")


def test_split_images_keeps_order_and_paths(tmp_path):
    document = request_document("m", "p", {"image": PNG, "images": ["https://a/1.png", b"GIF89a", tmp_path],
                                           "image_tail": None, "input_reference": memoryview(PNG)})
    assert split_images(document) == [("image", PNG), ("images", b"GIF89a"), ("input_reference", PNG)]
    assert document == {"model": "m", "prompt": "p", "images": ["https://a/1.png", str(tmp_path)]}
    inlined = inline_images(request_document("m", "p", {"images": [b"GIF89a"], "image": b"\xff\xd8\xff"}))
    assert inlined["images"] == ["data:image/gif;base64," + base64.b64encode(b"GIF89a").decode()]
    assert inlined["image"].startswith("data:image/jpeg;base64,")


def test_poll_reads_the_status_once(client):
    task = client.submit(model="sora-2", prompt="a fox")
    assert task.poll() is task
    deadline = time.monotonic() + 10
    while not task.done and time.monotonic() < deadline:
        time.sleep(0.1)
        task.poll()
    assert task.state is State.SUCCEEDED and task.progress == 100 and task.done
    assert task.video_url and task.id in task.video_url
    assert task.provider_status == "completed"


def test_wait_reports_progress_on_the_calling_thread(client):
    task = client.submit(model="sora-2", prompt="a fox")
    seen: list[Progress] = []
    threads: set[int] = set()

    def on_progress(progress: Progress) -> None:
        seen.append(progress)
        threads.add(threading.get_ident())

    assert task.wait(timeout=20, on_progress=on_progress) is task
    assert threads == {threading.get_ident()}
    assert all(p.task is task and p.kind == "status" for p in seen)
    assert seen[-1].state is State.SUCCEEDED and seen[-1].percent == 100
    percents = [p.percent for p in seen if p.percent is not None]
    assert percents == sorted(percents) and len(seen) >= 2
    assert str(seen[-1]) == "succeeded 100%"


def test_queue_position_is_reported(make_emu):
    emu = make_emu(task_seconds=3, unified_shape="flat")  # the shape that carries queue_position
    with make_client(emu, "unified") as client:
        task = client.submit(model="kling-v1", prompt="a fox")
        positions: list[int | None] = []
        task.wait(timeout=20, on_progress=lambda p: positions.append(p.queue_position))
    queued = [p for p in positions if p is not None]
    assert queued and queued == sorted(queued, reverse=True) and positions[-1] is None
    assert task.queue_position is None


def test_download_streams_with_byte_progress(client, tmp_path):
    task = client.submit(model="sora-2", prompt="a fox").wait(timeout=20)
    reports: list[tuple[int, int | None]] = []
    video = task.download(tmp_path / "fox.mp4", on_progress=lambda p: reports.append((p.bytes_received,
                                                                                       p.bytes_total)))
    data = (tmp_path / "fox.mp4").read_bytes()
    assert data == sample_bytes()
    assert video == task.file
    assert (video.path, video.size, video.sha256) == (tmp_path / "fox.mp4", len(data), hashlib.sha256(data).hexdigest())
    assert reports[-1] == (len(data), len(data)) and task.bytes_received == len(data)
    assert not (tmp_path / "fox.mp4.part").exists()


def test_generate_does_the_whole_job(client, tmp_path):
    kinds: list[str] = []
    task = client.generate(model="sora-2", prompt="a fox", output=str(tmp_path / "gen.mp4"), duration=4,
                           on_progress=lambda p: kinds.append(p.kind), timeout=20)
    assert task.state is State.SUCCEEDED and task.file.path.read_bytes() == sample_bytes()
    assert kinds[0] == "status" and kinds[-1] == "download" and kinds == sorted(kinds, reverse=True)


def test_generate_failure_carries_the_task(client, tmp_path):
    with pytest.raises(videogen.ContentPolicyError) as caught:
        client.generate(model="emu-fail", prompt="a fox", output=tmp_path / "never.mp4")
    assert caught.value.task is not None and caught.value.task.id == caught.value.task_id
    assert caught.value.task.record()["state"] == "failed"
    assert not (tmp_path / "never.mp4").exists()


def test_an_exception_in_the_wait_callback_stops_the_wait_and_is_reraised(client):
    task = client.submit(model="emu-stuck", prompt="a fox")
    calls = []

    class Stop(Exception):
        pass

    def on_progress(progress: Progress) -> None:
        calls.append(progress)
        if progress.state is State.RUNNING:
            raise Stop("enough")

    started = time.monotonic()
    with pytest.raises(Stop, match="enough"):
        task.wait(timeout=30, on_progress=on_progress)
    assert time.monotonic() - started < 5 and calls[-1].state is State.RUNNING
    count = len(calls)
    time.sleep(0.4)
    assert len(calls) == count  # never called again
    assert task.poll().state is State.RUNNING  # the task itself is fine: only the wait stopped


def test_keyboard_interrupt_in_a_callback_propagates(client):
    task = client.submit(model="emu-stuck", prompt="a fox")

    def on_progress(progress: Progress) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        task.wait(timeout=30, on_progress=on_progress)


def test_an_exception_in_the_download_callback_leaves_no_final_file(client, tmp_path):
    task = client.submit(model="sora-2", prompt="a fox").wait(timeout=20)

    def on_progress(progress: Progress) -> None:
        raise RuntimeError("disk full, pretend")

    with pytest.raises(RuntimeError, match="pretend"):
        task.download(tmp_path / "v.mp4", on_progress=on_progress)
    left = sorted(os.listdir(tmp_path))
    # Nothing at the destination. Bytes already written stay only as a part file with its resume note (kept for
    # the next download of the task to continue), depending on when the callback stopped the transfer.
    assert left in ([], ["v.mp4.part", "v.mp4.part.resume"]), left
    assert task.download(tmp_path / "v.mp4").size == len(sample_bytes())  # and it can be retried
    assert sorted(os.listdir(tmp_path)) == ["v.mp4"]


def test_cancel_from_a_callback_stops_the_wait(client):
    task = client.submit(model="emu-stuck", prompt="a fox")
    with pytest.raises(videogen.TaskCancelledError):
        task.wait(timeout=30, on_progress=lambda p: task.cancel())
    task.cancel()  # any number of times


def test_one_operation_at_a_time_per_task(client):
    task = client.submit(model="emu-stuck", prompt="a fox")
    outcome: list[BaseException] = []

    started = threading.Event()

    def wait() -> None:
        try:
            task.wait(30, on_progress=lambda progress: progress.state is State.RUNNING and started.set())
        except BaseException as exc:  # noqa: BLE001
            outcome.append(exc)

    waiter = threading.Thread(target=wait)
    waiter.start()
    assert started.wait(20), "the wait saw the task running"  # an event, not a sleep: the wait is in progress
    with pytest.raises(videogen.VideoGenError) as caught:
        task.poll()
    assert caught.value.code == ErrorCode.BUSY
    assert task.state is State.RUNNING and task.record()["id"] == task.id  # the view stays readable
    task.cancel()
    waiter.join(15)  # a hang guard: without the cancel the wait lasts 30 s
    assert not waiter.is_alive() and [type(e) for e in outcome] == [videogen.TaskCancelledError]


def test_task_is_a_context_manager_and_close_is_idempotent(client, tmp_path):
    with client.submit(model="sora-2", prompt="a fox") as task:
        task_id = task.id
    assert task.closed and "closed" in repr(task)
    task.close()
    calls = [task.poll, task.wait, lambda: task.download(tmp_path / "x.mp4"), task.cancel, task.record,
             lambda: __import__("asyncio").run(task.wait_async())]
    for call in calls:
        with pytest.raises(ValueError, match="closed videogen.Task"):
            call()
    assert task.id == task_id  # the last view stays readable


def test_close_from_another_thread_stops_a_wait(client):
    task = client.submit(model="emu-stuck", prompt="a fox")
    threading.Timer(0.3, task.close).start()
    with pytest.raises(videogen.TaskCancelledError):
        task.wait(timeout=30)


def test_record_and_resume_in_this_process(client, tmp_path):
    task = client.submit(model="sora-2", prompt="a fox")
    record = task.record()
    assert record["id"] == task.id and record["record_version"] == 1 and API_KEY not in json.dumps(record)
    task.close()
    for form in (record, json.dumps(record), json.dumps(record).encode()):
        resumed = client.resume(form)
        assert resumed.id == record["id"]
        resumed.close()
    resumed = client.resume(record).wait(timeout=20)
    assert resumed.download(tmp_path / "resumed.mp4").size == len(sample_bytes())
    with pytest.raises(TypeError):
        client.resume(42)  # type: ignore[arg-type]


def test_retrieve_by_id(client):
    task = client.submit(model="sora-2", prompt="a fox").wait(timeout=20)
    other = client.retrieve(task.id)
    assert other.id == task.id and other.state is State.SUCCEEDED
    with pytest.raises(videogen.InvalidArgumentError):
        client.retrieve("")


def test_resume_from_a_record_in_a_new_process(client, emu, tmp_path):
    task = client.submit(model="sora-2", prompt="a fox from the parent")
    record_file = tmp_path / "record.json"
    record_file.write_text(json.dumps(task.record()))
    output = tmp_path / "child.mp4"
    code = f"""
import json, sys, videogen
with videogen.Client(dialect="openai", base_url={emu.base_url!r}, api_key_env="VG_CHILD_KEY",
                     poll={FAST_POLL!r}) as client:
    with client.resume(json.load(open({str(record_file)!r}))) as task:
        task.wait(timeout=30)
        video = task.download({str(output)!r})
        print(json.dumps({{"id": task.id, "sha256": video.sha256}}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, PYTHONPATH=PYTHON_DIR, VG_CHILD_KEY=API_KEY))
    assert result.returncode == 0, result.stderr
    child = json.loads(result.stdout)
    assert child == {"id": task.id, "sha256": hashlib.sha256(sample_bytes()).hexdigest()}
    assert output.read_bytes() == sample_bytes()
    # the child's work is visible to the parent too: the task finished on the service
    assert task.poll().state is State.SUCCEEDED


def test_a_record_cannot_send_the_key_elsewhere(client):
    record = client.submit(model="sora-2", prompt="a fox").record()
    record["base_url"] = "https://attacker.example"
    with pytest.raises(videogen.InvalidArgumentError, match="attacker.example"):
        client.resume(record)


def test_ctrl_c_stops_a_blocking_wait_at_once(emu):
    """SIGINT during a long wait on the main thread (no progress change to deliver it) cancels the wait at once."""
    code = f"""
import json, sys, time, videogen
with videogen.Client(dialect="openai", base_url={emu.base_url!r}, api_key={API_KEY!r}) as client:
    task = client.submit(model="emu-stuck", prompt="a fox")
    started = time.monotonic()  # before "waiting": the parent's 1.5 s sleep then bounds the elapsed time from below
    print("waiting", flush=True)
    try:
        task.wait(timeout=60)
    except KeyboardInterrupt:
        print(json.dumps({{"elapsed": time.monotonic() - started, "state": task.record()["state"]}}))
"""
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=dict(os.environ, PYTHONPATH=PYTHON_DIR))
    assert child.stdout.readline() == "waiting\n"
    time.sleep(1.5)  # the task sits at 50 %: no progress callback will come
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 0, err
    assert time.monotonic() - sent < 15  # a hang guard: without the interrupt the wait lasts 60 s
    result = json.loads(out)
    assert result["state"] == "running" and 1.0 < result["elapsed"]
