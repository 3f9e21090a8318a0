"""Wan on DashScope through the binding, the C library and the command line against the emulator, and the official
``dashscope`` SDK (pinned), unchanged, against the same emulator: its VideoSynthesis async_call / fetch / wait /
cancel path pointed at it with ``dashscope.base_http_api_url``."""

from __future__ import annotations

import json

import pytest
from cli_support import key_in_environment  # noqa: F401  (autouse: the key in $VIDEOGEN_API_KEY)
from conftest import API_KEY, make_client
from provider_cases import canary_key, cli_generate, resume_in_new_process, run_sdk, sdk_python, whole_job

import videogen as vg
from videogen_emulator import Emulator

DIALECT = "dashscope"
SDK = "dashscope==2.0.2"


def test_a_whole_job_with_its_usage(emu, tmp_path):
    task = whole_job(emu, DIALECT, tmp_path, "video_duration", model="wan2.2-t2v-plus", duration=5, seed=3,
                     size="1280x720", negative_prompt="blur")
    assert task.usage["video_count"] == 1 and task.provider_status == "SUCCEEDED"
    submit = next(r for r in emu.requests() if r["method"] == "POST")
    assert submit["path"] == "/api/v1/services/aigc/video-generation/video-synthesis"


def test_the_command_line(emu, tmp_path):
    cli_generate(emu, DIALECT, tmp_path)


def test_a_record_resumes_in_a_new_process(emu, tmp_path):
    final = resume_in_new_process(emu, DIALECT, tmp_path)
    assert final["usage"]["video_duration"] == 5


def test_the_key_appears_nowhere(emu):
    canary_key(emu, DIALECT)


def test_remote_cancel_of_a_pending_task_and_refusal_of_a_second():
    with Emulator(api_key=API_KEY, task_seconds=600) as slow, make_client(slow, DIALECT) as client:
        task = client.submit(model="m", prompt="p")
        task.cancel(remote=True)
        with make_client(slow, DIALECT) as other:
            again = other.resume(task.record())
            again.poll()
            assert again.state is vg.State.CANCELLED and again.provider_status == "CANCELED"
            with pytest.raises(vg.VideoGenError) as caught:
                again.cancel(remote=True)
            assert caught.value.provider_code == "UnsupportedOperation"


def test_failures_and_refusals(emu):
    with make_client(emu, DIALECT) as client:
        with pytest.raises(vg.ContentPolicyError):
            client.submit(model="m emu-error-datainspectionfailed", prompt="p")
        with pytest.raises(vg.QuotaExceededError):
            client.submit(model="m emu-error-arrearage", prompt="p")
        with pytest.raises(vg.VideoGenError) as refused:
            client.submit(model="m", prompt="p", fps=24)
        assert refused.value.code is vg.ErrorCode.UNSUPPORTED and "'fps'" in str(refused.value)
        with pytest.raises(vg.ContentPolicyError):
            client.submit(model="m emu-fail", prompt="p").wait(timeout=30)
        gone = client.resume({"record_version": 1, "id": "4a1f0000-0000-4000-8000-000000000000", "state": "running"})
        gone.poll()
        assert gone.state is vg.State.EXPIRED and gone.error.provider_code == "UNKNOWN"


SDK_SCRIPT = r"""
import json, os
import dashscope
from dashscope import VideoSynthesis
dashscope.base_http_api_url = os.environ["EMU_URL"] + "/api/v1"
key = os.environ["EMU_KEY"]
out = {}
rsp = VideoSynthesis.async_call(model="wan2.2-t2v-plus", prompt="a paper boat", api_key=key, duration=5,
                                size="1280*720", negative_prompt="blur", seed=7)
out["submit"] = [rsp.status_code, rsp.output.task_status, rsp.output.task_id]
fetched = VideoSynthesis.fetch(rsp, api_key=key)
out["fetch"] = [fetched.status_code, fetched.output.task_status]
done = VideoSynthesis.wait(rsp, api_key=key)
out["wait"] = [done.status_code, done.output.task_status, done.output.video_url, done.usage.video_duration,
               done.usage.video_count]
image = VideoSynthesis.call(model="wan2.2-i2v-plus", prompt="go", img_url="https://img.example.com/a.png",
                            api_key=key)
out["call"] = [image.status_code, image.output.task_status, bool(image.output.video_url)]
failed = VideoSynthesis.wait(VideoSynthesis.async_call(model="m emu-fail", prompt="p", api_key=key), api_key=key)
out["failed"] = [failed.output.task_status, failed.output.code]
bad = VideoSynthesis.async_call(model="m", prompt="p", api_key="sk-wrong")
out["bad_key"] = [bad.status_code, bad.code]
throttled = VideoSynthesis.async_call(model="m emu-error-throttling", prompt="p", api_key=key)
out["throttled"] = [throttled.status_code, throttled.code]
unknown = VideoSynthesis.fetch("0d6d3f6c-0000-4000-8000-000000000000", api_key=key)
out["unknown"] = [unknown.status_code, unknown.output.task_status]
dashscope.base_http_api_url = os.environ["EMU_SLOW_URL"] + "/api/v1"
pending = VideoSynthesis.async_call(model="m", prompt="p", api_key=key)
cancelled = VideoSynthesis.cancel(pending, api_key=key)
out["cancel"] = [cancelled.status_code, VideoSynthesis.fetch(pending, api_key=key).output.task_status]
refused = VideoSynthesis.cancel(pending, api_key=key)
out["cancel_again"] = [refused.status_code, refused.code]
print(json.dumps(out))
"""


def test_the_official_sdk_parses_the_emulator(tmp_path):
    python = sdk_python("dashscope", SDK)
    with Emulator(api_key=API_KEY, task_seconds=0.5) as emu, Emulator(api_key=API_KEY, task_seconds=600) as slow:
        out = run_sdk(python, SDK_SCRIPT, {"EMU_URL": emu.base_url, "EMU_SLOW_URL": slow.base_url, "EMU_KEY": API_KEY,
                                           "DASHSCOPE_API_KEY": ""})
        submitted = [r for r in emu.requests() if r["method"] == "POST"]
    assert out["submit"][:2] == [200, "PENDING"]
    assert out["fetch"][0] == 200 and out["fetch"][1] in ("PENDING", "RUNNING", "SUCCEEDED")
    status, word, url, duration, count = out["wait"]
    assert (status, word, duration, count) == (200, "SUCCEEDED", 5, 1) and "/files/" in url
    assert out["call"] == [200, "SUCCEEDED", True]
    assert out["failed"] == ["FAILED", "DataInspectionFailed"]
    assert out["bad_key"] == [401, "InvalidApiKey"]
    assert out["throttled"] == [429, "Throttling.RateQuota"]
    assert out["unknown"] == [200, "UNKNOWN"]
    assert out["cancel"] == [200, "CANCELED"]
    assert out["cancel_again"] == [400, "UnsupportedOperation"]
    # The SDK sent what the adapter sends: the async header, model, input and parameters.
    assert all(r["path"] == "/api/v1/services/aigc/video-generation/video-synthesis" for r in submitted)
    assert json.dumps(out).count("sk-wrong") == 0
