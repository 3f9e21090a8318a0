"""Every exception type of the binding, raised by real failures against the emulator (or, for the error answers
the emulator does not play, a scripted loopback server), with the details the header promises."""

from __future__ import annotations

import pickle
import socket
import threading
import time

import pytest
from conftest import API_KEY, make_client

import videogen
from videogen import ErrorCode
from videogen.errors import ERROR_CLASSES, error_for

UNUSED = {"retry": {"max_attempts": 1}}


def fault_client(fault_server, **options):
    options = {**UNUSED, **options}
    return videogen.Client(dialect="openai", base_url=fault_server.base_url, api_key=API_KEY, **options)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the hierarchy ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", list(ErrorCode)[1:])
def test_each_code_raises_its_class(code):
    error = error_for(code, "message", http_status=418, provider_code="p", retry_after=2.5, task_id="t")
    assert type(error) is ERROR_CLASSES.get(code, videogen.VideoGenError)
    assert isinstance(error, videogen.VideoGenError)
    assert (error.code, error.message, str(error)) == (code, "message", "message")
    assert (error.http_status, error.provider_code, error.retry_after, error.task_id) == (418, "p", 2.5, "t")


def test_the_subclasses_and_their_builtin_bases():
    assert issubclass(videogen.PermissionDeniedError, videogen.AuthenticationError)
    assert issubclass(videogen.TimeoutError, TimeoutError)
    assert issubclass(videogen.NetworkError, ConnectionError)
    assert issubclass(videogen.InvalidArgumentError, ValueError)
    for name in ("AuthenticationError", "RateLimitError", "QuotaExceededError", "NotFoundError",
                 "ContentPolicyError", "TaskFailedError", "TimeoutError", "TaskCancelledError", "NetworkError",
                 "InvalidArgumentError"):
        assert issubclass(getattr(videogen, name), videogen.VideoGenError), name
    assert videogen.RateLimitError("x").code == ErrorCode.RATE_LIMITED  # raisable by hand with its own code


def test_unknown_codes_keep_their_number():
    error = error_for(4242, "from a newer library")
    assert type(error) is videogen.VideoGenError and error.code == 4242
    assert "code=4242" in repr(error)


def test_errors_survive_pickling():
    error = error_for(ErrorCode.RATE_LIMITED, "slow down", http_status=429, retry_after=3.0, task_id="t1")
    error.task = object()  # a Task owns a native handle: it is not carried along
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is videogen.RateLimitError
    assert (copy.message, copy.code, copy.http_status, copy.retry_after, copy.task_id, copy.task) == \
        ("slow down", ErrorCode.RATE_LIMITED, 429, 3.0, "t1", None)


# -- raised by real failures -----------------------------------------------------------------------------------------

def test_authentication_error_for_a_wrong_key(emu):
    with make_client(emu, api_key="sk-wrong-key-456") as client:
        with pytest.raises(videogen.AuthenticationError) as caught:
            client.submit(model="sora-2", prompt="a fox")
    error = caught.value
    assert (error.code, error.http_status, error.provider_code) == (ErrorCode.AUTH, 401, "invalid_api_key")
    assert "sk-wrong-key-456" not in str(error) and "sk-wrong-key-456" not in repr(error)


def test_authentication_error_when_the_key_variable_is_unset(emu, monkeypatch):
    monkeypatch.delenv("VG_TEST_UNSET_KEY", raising=False)
    with pytest.raises(videogen.AuthenticationError, match="VG_TEST_UNSET_KEY"):
        videogen.Client(dialect="openai", base_url=emu.base_url, api_key_env="VG_TEST_UNSET_KEY")


def test_permission_denied(fault_server):
    fault_server.reply(403, {"error": {"message": "this key cannot make videos", "code": "forbidden"}})
    with fault_client(fault_server) as client, pytest.raises(videogen.PermissionDeniedError) as caught:
        client.submit(model="sora-2", prompt="a fox")
    assert (caught.value.code, caught.value.http_status) == (ErrorCode.PERMISSION, 403)
    assert isinstance(caught.value, videogen.AuthenticationError)


def test_rate_limit_error_carries_retry_after(fault_server):
    fault_server.reply(429, {"error": {"message": "slow down", "code": "rate_limit_exceeded"}},
                       {"Retry-After": "300"})
    with fault_client(fault_server, retry={"max_attempts": 4, "max_retry_after": 120}) as client:
        started = time.monotonic()
        with pytest.raises(videogen.RateLimitError) as caught:
            client.submit(model="sora-2", prompt="a fox")
    assert time.monotonic() - started < 5  # a hint above max_retry_after fails at once
    error = caught.value
    assert (error.retry_after, error.http_status, error.provider_code) == (300.0, 429, "rate_limit_exceeded")
    assert len(fault_server.requests) == 1


def test_quota_exceeded(fault_server):
    fault_server.reply(402, {"error": {"message": "add credits", "code": "insufficient_quota"}})
    with fault_client(fault_server) as client, pytest.raises(videogen.QuotaExceededError) as caught:
        client.submit(model="sora-2", prompt="a fox")
    assert (caught.value.message, caught.value.provider_code) == ("add credits", "insufficient_quota")


def test_not_found_for_an_unknown_task(client):
    with pytest.raises(videogen.NotFoundError) as caught:
        client.retrieve("video_000000000000000000000000")
    assert (caught.value.http_status, caught.value.task_id) == (404, "video_000000000000000000000000")


def test_content_policy_error_from_the_task_end(client):
    task = client.submit(model="emu-fail", prompt="a fox")
    with pytest.raises(videogen.ContentPolicyError) as caught:
        task.wait(timeout=20)
    error = caught.value
    assert error.provider_code == "content_policy_violation"
    assert error.task is task and error.task_id == task.id
    assert task.state is videogen.State.FAILED
    assert type(task.error) is videogen.ContentPolicyError and task.error.message == error.message


def test_task_failed_error_for_a_task_without_video(unified_client):
    task = unified_client.submit(model="emu-empty", prompt="a fox")
    with pytest.raises(videogen.TaskFailedError, match="no video") as caught:
        task.wait(timeout=20)
    assert caught.value.code == ErrorCode.TASK_FAILED and task.state is videogen.State.FAILED


def test_timeout_error_for_a_stalled_request(fault_server):
    fault_server.reply(200, {}, delay=30)
    # request_timeout is 1 s, not less: see test_sub_second_request_timeout (a library bug)
    with fault_client(fault_server, request_timeout=1) as client:
        task = client.resume({"record_version": 1, "id": "video_1", "dialect": "openai",
                              "base_url": fault_server.base_url, "state": "queued"})
        started = time.monotonic()
        with pytest.raises(videogen.TimeoutError) as caught:
            task.poll()
    assert 0.8 < time.monotonic() - started < 10
    assert caught.value.code == ErrorCode.TIMEOUT


def test_sub_second_request_timeout_is_honoured(fault_server):
    """The configuration accepts request_timeout from 0.1 s; a request must then wait about that long."""
    fault_server.reply(200, {}, delay=30)
    with fault_client(fault_server, request_timeout=0.5) as client:
        task = client.resume({"record_version": 1, "id": "video_1", "dialect": "openai",
                              "base_url": fault_server.base_url, "state": "queued"})
        started = time.monotonic()
        with pytest.raises(videogen.TimeoutError):
            task.poll()
    assert time.monotonic() - started > 0.4


def test_timeout_error_for_a_passed_deadline_leaves_the_task_waitable(client):
    task = client.submit(model="emu-stuck", prompt="a fox")
    for _ in range(2):
        started = time.monotonic()
        with pytest.raises(videogen.TimeoutError) as caught:
            task.wait(timeout=0.4)
        assert caught.value.code == ErrorCode.DEADLINE
        assert 0.3 < time.monotonic() - started < 5
        assert not task.done


def test_task_cancelled_error_from_another_thread(client):
    task = client.submit(model="emu-stuck", prompt="a fox")
    timer = threading.Timer(0.4, task.cancel)
    timer.start()
    started = time.monotonic()
    with pytest.raises(videogen.TaskCancelledError):
        task.wait(timeout=30)
    assert time.monotonic() - started < 15  # a hang guard: without the cancel the wait lasts 30 s
    with pytest.raises(videogen.TaskCancelledError):  # later network calls are refused too
        task.poll()
    assert task.record()["id"] == task.id  # the record survives, to resume elsewhere


def test_network_error_when_nothing_listens():
    with videogen.Client(dialect="openai", base_url=f"http://127.0.0.1:{closed_port()}", api_key=API_KEY,
                         **UNUSED) as client:
        with pytest.raises(videogen.NetworkError) as caught:
            client.submit(model="sora-2", prompt="a fox")
    assert isinstance(caught.value, ConnectionError) and caught.value.http_status is None


def test_invalid_argument_errors_name_the_field(client, emu):
    with pytest.raises(videogen.InvalidArgumentError, match="'colour'") as caught:
        client.submit(model="sora-2", prompt="a fox", colour="red")
    assert caught.value.code == ErrorCode.INVALID_ARGUMENT and isinstance(caught.value, ValueError)
    with pytest.raises(videogen.InvalidArgumentError, match="'size'"):
        client.submit(model="sora-2", prompt="a fox", size="big")
    with pytest.raises(videogen.InvalidArgumentError, match="request_timeout"):
        make_client(emu, request_timeout=-1)
    with pytest.raises(videogen.InvalidArgumentError, match="'colour'"):
        make_client(emu, colour="red")
    with pytest.raises(videogen.InvalidArgumentError) as caught:
        client.resume("{not json")
    assert caught.value.code == ErrorCode.INVALID_JSON
    with pytest.raises(videogen.InvalidArgumentError, match="JSON"):
        client.submit(model="sora-2", prompt="a fox", duration=float("nan"))


def test_codes_without_a_subclass_raise_the_base_class(client, fault_server, emu):
    with pytest.raises(videogen.VideoGenError) as caught:
        client.submit(model="sora-2", prompt="a fox", aspect_ratio="16:9")  # openai cannot carry it
    assert type(caught.value) is videogen.VideoGenError and caught.value.code == ErrorCode.UNSUPPORTED
    assert "aspect_ratio" in caught.value.message

    with pytest.raises(videogen.VideoGenError) as caught:
        client.submit(model="emu-stuck", prompt="a fox").download("never.mp4")
    assert type(caught.value) is videogen.VideoGenError and caught.value.code == ErrorCode.NOT_READY

    fault_server.reply(500, {"error": {"message": "upstream exploded"}})
    with fault_client(fault_server) as faulty, pytest.raises(videogen.VideoGenError) as caught:
        faulty.submit(model="sora-2", prompt="a fox")
    assert type(caught.value) is videogen.VideoGenError
    assert (caught.value.code, caught.value.http_status, caught.value.message) == \
        (ErrorCode.SERVER, 500, "upstream exploded")

    with pytest.raises(videogen.VideoGenError) as caught:
        videogen.Client(dialect="openai", base_url="http://example.com", api_key=API_KEY)
    assert type(caught.value) is videogen.VideoGenError and caught.value.code == ErrorCode.INSECURE

    with pytest.raises(videogen.VideoGenError) as caught:
        client.submit(model="sora-2", prompt="a fox").cancel(remote=True)
    assert caught.value.code == ErrorCode.UNSUPPORTED and "cancel" in caught.value.message
