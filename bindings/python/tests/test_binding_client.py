"""Client: construction from keyword arguments, key sources, lifecycle (close, with, use after close,
finalizers), and its thread safety."""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys
import threading

import pytest
from conftest import API_KEY, FAST_POLL, ROOT, make_client

import videogen
from videogen.config import config_document

PYTHON_DIR = os.path.join(ROOT, "bindings", "python")


def test_client_is_a_context_manager_and_close_is_idempotent(emu):
    client = make_client(emu)
    assert not client.closed
    with client as entered:
        assert entered is client
    assert client.closed
    client.close()
    client.close()
    assert client.closed and "closed" in repr(client)


def test_using_a_closed_client_raises_value_error(emu):
    client = make_client(emu)
    task = client.submit(model="sora-2", prompt="a fox")
    record = task.record()
    client.close()
    calls = [
        lambda: client.submit(model="sora-2", prompt="a fox"),
        lambda: client.resume(record),
        lambda: client.retrieve(task.id),
        lambda: client.generate(model="sora-2", prompt="a fox", output="x.mp4"),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="closed videogen.Client"):
            call()
    with pytest.raises(ValueError, match="closed videogen.Client"):
        import asyncio
        asyncio.run(client.submit_async(model="sora-2", prompt="a fox"))


def test_tasks_outlive_their_client(emu, tmp_path):
    client = make_client(emu)
    task = client.submit(model="sora-2", prompt="a fox")
    client.close()
    task.wait(timeout=20)
    assert task.download(tmp_path / "after-close.mp4").size > 0
    task.close()


def test_repr_never_shows_the_key(emu):
    with make_client(emu) as client:
        text = repr(client)
    assert API_KEY not in text and "dialect='openai'" in text and emu.base_url in text


def test_key_from_the_default_variable(emu, monkeypatch):
    monkeypatch.setenv("VIDEOGEN_API_KEY", API_KEY)
    with videogen.Client(dialect="openai", base_url=emu.base_url, poll=FAST_POLL) as client:
        assert client.submit(model="sora-2", prompt="a fox").id
    monkeypatch.delenv("VIDEOGEN_API_KEY")
    with pytest.raises(videogen.AuthenticationError, match="VIDEOGEN_API_KEY"):
        videogen.Client(dialect="openai", base_url=emu.base_url)


def test_key_from_a_named_variable_read_once(emu, monkeypatch):
    monkeypatch.setenv("VG_TEST_KEY", API_KEY)
    with videogen.Client(dialect="unified", base_url=emu.base_url, api_key_env="VG_TEST_KEY") as client:
        monkeypatch.setenv("VG_TEST_KEY", "sk-changed-later")  # read at construction only
        assert client.submit(model="kling-v1", prompt="a fox").id
    assert [e["authorization"] for e in emu.requests()] == ["valid"]


def test_key_and_key_variable_exclude_each_other(emu, monkeypatch):
    monkeypatch.setenv("VG_TEST_KEY", API_KEY)
    with pytest.raises(videogen.InvalidArgumentError, match="exclude"):
        videogen.Client(dialect="openai", base_url=emu.base_url, api_key=API_KEY, api_key_env="VG_TEST_KEY")


def test_options_reach_the_library(emu):
    with pytest.raises(videogen.InvalidArgumentError, match="poll"):
        make_client(emu, poll={"interval": "soon"})
    with pytest.raises(videogen.VideoGenError, match="dialect"):
        videogen.Client(dialect="smoke-signals", base_url=emu.base_url, api_key=API_KEY)
    with make_client(emu, wait_timeout=0.3) as client:  # the client's default deadline of a wait
        with pytest.raises(videogen.TimeoutError):
            client.submit(model="emu-stuck", prompt="a fox").wait()


def test_an_expired_deadline_fails_at_once(emu):
    """A wait whose deadline has already passed (timeout 0 or less) raises TimeoutError at once, blocking and
    asynchronous. The library's 0 means "the client's wait_timeout", and the binding used to pass 0 through: such a
    wait ran for the client's whole wait_timeout (an hour here; the thread's join below bounds the test instead)."""
    with make_client(emu, wait_timeout=3600) as client, client.submit(model="emu-stuck", prompt="a fox") as task:
        for timeout in (0, -1, 0.0):
            outcome: list[BaseException] = []

            def wait() -> None:
                try:
                    task.wait(timeout=timeout)
                except BaseException as error:  # noqa: BLE001 - handed to the test thread
                    outcome.append(error)

            waiter = threading.Thread(target=wait)
            waiter.start()
            waiter.join(60)
            if waiter.is_alive():
                task.cancel()
                waiter.join()
                pytest.fail(f"wait(timeout={timeout!r}) did not fail at once")
            assert len(outcome) == 1 and isinstance(outcome[0], videogen.TimeoutError), outcome
            assert not task.done

        async def wait_async() -> None:
            with pytest.raises(videogen.TimeoutError):
                await asyncio.wait_for(task.wait_async(timeout=0), 60)

        asyncio.run(wait_async())


def test_configuration_document():
    document = config_document(provider="openai", dialect=None, base_url=None, api_key=None, api_key_env=None,
                               options={"request_timeout": 5, "poll": {"interval": 1}, "user_agent": None})
    assert document == {"provider": "openai", "api_key_env": "VIDEOGEN_API_KEY", "request_timeout": 5,
                        "poll": {"interval": 1}}
    document = config_document(provider=None, dialect="openai", base_url="https://x", api_key=None,
                               api_key_env=None, options={})
    assert document == {"dialect": "openai", "base_url": "https://x", "api_key_env": "VIDEOGEN_API_KEY"}


def test_provider_presets(emu, tmp_path):
    # the "openai" preset with base_url overriding its address (the emulator stands in for the service)
    with videogen.Client(provider="openai", base_url=emu.base_url, api_key=API_KEY, poll=FAST_POLL) as client:
        assert "provider='openai'" in repr(client)
        task = client.generate(model="sora-2", prompt="a fox", output=tmp_path / "preset.mp4", timeout=20)
        assert task.record()["dialect"] == "openai" and task.file.size > 0
    with pytest.raises(videogen.VideoGenError) as caught:
        videogen.Client(provider="no-such-provider", api_key=API_KEY)
    assert caught.value.code == videogen.ErrorCode.UNSUPPORTED and "openai" in caught.value.message


def test_a_client_is_shared_by_threads(client):
    results: list[str] = []
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            with client.submit(model="sora-2", prompt=f"fox {index}") as task:
                results.append(task.wait(timeout=30).state.value)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and results == ["succeeded"] * 12


def test_garbage_collection_frees_the_handles(emu):
    client = make_client(emu)
    task = client.submit(model="sora-2", prompt="a fox")
    client_finalizer, task_finalizer = client._finalizer, task._finalizer
    del client, task
    gc.collect()
    assert not client_finalizer.alive and not task_finalizer.alive


def test_interpreter_exit_with_live_handles_and_a_waiting_thread(emu):
    """Unclosed clients and tasks, and a daemon thread blocked in a wait, at interpreter exit: no crash, no hang."""
    code = f"""
import threading, time, videogen
client = videogen.Client(dialect="openai", base_url={emu.base_url!r}, api_key={API_KEY!r})
idle = client.submit(model="sora-2", prompt="left open")
stuck = client.submit(model="emu-stuck", prompt="waited on at exit")
threading.Thread(target=stuck.wait, kwargs={{"timeout": 60}}, daemon=True).start()
time.sleep(0.3)
print("exiting", flush=True)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, PYTHONPATH=PYTHON_DIR))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "exiting\n" and "Traceback" not in result.stderr
