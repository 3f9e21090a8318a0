"""asyncio: awaitable waits, downloads and generations that never block the loop, 200 tasks at once from one
loop without a thread per task, progress on the loop's thread, callbacks that raise, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import time

import pytest
from conftest import API_KEY, EMULATOR_PYTHONPATH, FAST_POLL, ROOT, SAMPLE_MP4, make_client

import videogen
from videogen import ErrorCode, Progress, State

PYTHON_DIR = os.path.join(ROOT, "bindings", "python")


def sample_bytes() -> bytes:
    with open(SAMPLE_MP4, "rb") as f:
        return f.read()


def os_threads() -> int:
    return len(os.listdir("/proc/self/task"))


def test_generate_async_reports_progress_on_the_loop_thread(client, tmp_path):
    seen: list[Progress] = []
    threads: set[int] = set()

    def on_progress(progress: Progress) -> None:
        seen.append(progress)
        threads.add(threading.get_ident())

    async def main() -> videogen.Task:
        return await client.generate_async(model="sora-2", prompt="a fox", output=tmp_path / "a.mp4",
                                           on_progress=on_progress, timeout=20, duration=4)

    task = asyncio.run(main())
    assert task.state is State.SUCCEEDED and task.file.path.read_bytes() == sample_bytes()
    assert threads == {threading.get_ident()}
    kinds = [p.kind for p in seen]
    assert kinds[0] == "status" and kinds[-1] == "download"
    assert seen[-1].bytes_received == seen[-1].bytes_total == len(sample_bytes())
    assert [p.state for p in seen if p.kind == "status"][-1] is State.SUCCEEDED


def test_the_separate_async_steps(client, tmp_path):
    async def main() -> None:
        task = await client.submit_async(model="sora-2", prompt="a fox")
        assert task.id.startswith("video_") and task.state in (State.QUEUED, State.RUNNING)
        assert await task.wait_async(timeout=20) is task and task.state is State.SUCCEEDED
        video = await task.download_async(tmp_path / "steps.mp4")
        assert video == task.file and video.size == len(sample_bytes())

    asyncio.run(main())


def test_waiting_does_not_block_the_loop(client):
    """The loop keeps turning while a wait is pending. Checked by order, not by tick rates: the wait is on a task
    that never ends (30 s deadline), so a wait that blocked the loop would hold it until then and be done by the
    time the loop turned again; a wait that does not block is still pending after any number of turns."""
    async def main() -> tuple[int, bool, State]:
        stuck = await client.submit_async(model="emu-stuck", prompt="a fox")
        waiting = asyncio.ensure_future(stuck.wait_async(timeout=30))
        turns = 0
        while turns < 20 and not waiting.done():
            await asyncio.sleep(0.01)
            turns += 1
        pending = not waiting.done()
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        task = await client.submit_async(model="sora-2", prompt="a fox")  # and an ordinary wait ends
        await task.wait_async(timeout=20)
        return turns, pending, task.state

    turns, pending, state = asyncio.run(main())
    assert turns == 20 and pending, "the loop turned 20 times while the wait was pending"
    assert state is State.SUCCEEDED


@pytest.fixture
def emulator_process():
    """The emulator in a child process, so this process's threads are the binding's and the library's only."""
    process = subprocess.Popen(
        [sys.executable, "-m", "videogen_emulator", "--port", "0", "--task-seconds", "0.5", "--api-key", API_KEY],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PYTHON_DIR,
        env=dict(os.environ, PYTHONPATH=EMULATOR_PYTHONPATH))
    try:
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://"), process.stderr.read()
        yield base_url
    finally:
        process.terminate()
        process.wait(10)


def test_200_concurrent_generations_from_one_loop(emulator_process, tmp_path):
    threads_before, python_before = os_threads(), threading.active_count()
    peak = {"os": 0, "python": 0}

    async def main() -> list[videogen.Task]:
        with videogen.Client(dialect="openai", base_url=emulator_process, api_key=API_KEY,
                             poll=FAST_POLL) as client:
            async def one(index: int) -> videogen.Task:
                task = await client.generate_async(model="sora-2", prompt=f"fox {index}",
                                                   output=tmp_path / f"{index}.mp4", timeout=60)
                peak["os"] = max(peak["os"], os_threads())
                peak["python"] = max(peak["python"], threading.active_count())
                return task

            return await asyncio.gather(*(one(i) for i in range(200)))

    started = time.monotonic()
    tasks = asyncio.run(main())
    wall = time.monotonic() - started
    print(f"\n200 concurrent generate_async: {wall:.2f} s wall; OS threads {threads_before} before, "
          f"{peak['os']} peak; Python threads {python_before} before, {peak['python']} peak")
    assert [t.state for t in tasks] == [State.SUCCEEDED] * 200
    assert len({t.id for t in tasks}) == 200
    sample = sample_bytes()
    assert all((tmp_path / f"{i}.mp4").read_bytes() == sample for i in range(200))
    assert peak["python"] == python_before  # the binding starts no Python thread
    assert peak["os"] - threads_before < 50  # the library's pool, not a thread per task
    assert wall < 30


def test_async_failures_raise_the_mapped_exceptions(client, emu, tmp_path):
    async def main() -> None:
        with pytest.raises(videogen.ContentPolicyError) as caught:
            await client.generate_async(model="emu-fail", prompt="a fox", output=tmp_path / "x.mp4")
        assert caught.value.task is not None and caught.value.task.state is State.FAILED
        with pytest.raises(videogen.InvalidArgumentError, match="'colour'"):
            await client.submit_async(model="sora-2", prompt="a fox", colour="red")
        task = await client.submit_async(model="emu-stuck", prompt="a fox")
        with pytest.raises(videogen.TimeoutError) as caught:
            await task.wait_async(timeout=0.4)
        assert caught.value.code == ErrorCode.DEADLINE
        with pytest.raises(videogen.VideoGenError) as caught:
            await task.download_async(tmp_path / "y.mp4")
        assert caught.value.code == ErrorCode.NOT_READY
        with make_client(emu, api_key="sk-wrong") as wrong:
            with pytest.raises(videogen.AuthenticationError) as caught:
                await wrong.submit_async(model="sora-2", prompt="a fox")
            assert caught.value.task is not None and caught.value.task.state is State.FAILED

    asyncio.run(main())


def test_an_exception_in_an_async_callback_stops_the_operation(client, tmp_path):
    class Stop(Exception):
        pass

    async def main() -> None:
        task = await client.submit_async(model="emu-stuck", prompt="a fox")
        calls: list[Progress] = []

        def on_progress(progress: Progress) -> None:
            calls.append(progress)
            raise Stop("from the callback")

        with pytest.raises(Stop):
            await task.wait_async(timeout=30, on_progress=on_progress)
        assert len(calls) == 1
        done = await client.submit_async(model="sora-2", prompt="a fox")
        await done.wait_async(timeout=20)

        def on_bytes(progress: Progress) -> None:
            raise Stop("from the download")

        with pytest.raises(Stop):
            await done.download_async(tmp_path / "z.mp4", on_progress=on_bytes)
        assert not (tmp_path / "z.mp4").exists()

    asyncio.run(main())


def test_cancelling_the_coroutine_cancels_the_task(client):
    async def main() -> None:
        task = await client.submit_async(model="emu-stuck", prompt="a fox")
        started = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(task.wait_async(timeout=30), 0.4)
        assert time.monotonic() - started < 15  # a hang guard: without the cancel it lasts the wait's 30 s
        with pytest.raises(videogen.TaskCancelledError):  # the native task was cancelled locally
            await task.wait_async(timeout=30)
        resumed = client.resume(task.record())  # ... and goes on from its record
        assert resumed.poll().state is State.RUNNING

    asyncio.run(main())


def test_a_second_operation_on_a_busy_task_is_refused(client):
    async def main() -> None:
        task = await client.submit_async(model="emu-stuck", prompt="a fox")
        first = asyncio.create_task(task.wait_async(timeout=30))
        await asyncio.sleep(0.2)
        with pytest.raises(videogen.VideoGenError) as caught:
            await task.wait_async(timeout=30)
        assert caught.value.code == ErrorCode.BUSY
        with pytest.raises(videogen.VideoGenError) as caught:  # a blocking call too (refused by the library)
            task.poll()
        assert caught.value.code == ErrorCode.BUSY
        task.cancel()
        with pytest.raises(videogen.TaskCancelledError):
            await first

    asyncio.run(main())


def test_closing_the_client_ends_pending_operations(emu):
    async def main() -> None:
        client = make_client(emu)
        task = await client.submit_async(model="emu-stuck", prompt="a fox")
        waiting = asyncio.create_task(task.wait_async(timeout=30))
        await asyncio.sleep(0.2)
        client.close()
        with pytest.raises(videogen.TaskCancelledError):
            await asyncio.wait_for(waiting, 5)

    asyncio.run(main())


def test_closing_the_task_ends_its_pending_operation(client):
    async def main() -> None:
        task = await client.submit_async(model="emu-stuck", prompt="a fox")
        waiting = asyncio.create_task(task.wait_async(timeout=30))
        await asyncio.sleep(0.2)
        task.close()
        with pytest.raises(videogen.TaskCancelledError):
            await asyncio.wait_for(waiting, 5)

    asyncio.run(main())


def test_one_client_serves_successive_event_loops(client):
    for _ in range(3):
        task = asyncio.run(client.submit_async(model="sora-2", prompt="a fox"))
        assert asyncio.run(task.wait_async(timeout=20)).state is State.SUCCEEDED


def test_sync_and_async_use_of_one_client_mix(client, tmp_path):
    blocking = client.submit(model="sora-2", prompt="blocking")

    async def main() -> videogen.Task:
        return await client.generate_async(model="sora-2", prompt="async", output=tmp_path / "m.mp4")

    task = asyncio.run(main())
    assert blocking.wait(timeout=20).state is task.state is State.SUCCEEDED
