"""OpenRouter's video API through the binding, the C library and the command line against the emulator, and the
official ``openrouter`` SDK (pinned), unchanged, against the same emulator: its video_generation generate /
get_generation / get_video_content path pointed at it with ``server_url``."""

from __future__ import annotations

import pytest
from cli_support import key_in_environment  # noqa: F401  (autouse: the key in $VIDEOGEN_API_KEY)
from conftest import API_KEY, make_client
from provider_cases import SAMPLE, canary_key, cli_generate, resume_in_new_process, run_sdk, sdk_python, whole_job

import videogen as vg
from videogen_emulator import Emulator

DIALECT = "openrouter"
SDK = "openrouter==1.3.84"


def test_a_whole_job_with_its_cost(emu, tmp_path):
    task = whole_job(emu, DIALECT, tmp_path, "cost", model="google/veo-3.1", duration=8, aspect_ratio="16:9",
                     resolution="720p", image="https://img.example.com/first.png", extra={"generate_audio": True})
    assert task.usage["is_byok"] is False
    content = [r for r in emu.requests() if r["path"].endswith("/content")]
    assert [r["authorization"] for r in content] == ["valid"]   # the unsigned URL, with the key, on the origin


def test_several_outputs_by_index(emu, tmp_path):
    with make_client(emu, DIALECT) as client:
        task = client.submit(model="m emu-outputs-2", prompt="two").wait(timeout=30)
        assert len(task.outputs) == 2
        file = task.download(tmp_path / "second.mp4", output=1)
        assert file.output == 1 and file.path.read_bytes() == SAMPLE
    content = [r for r in emu.requests() if r["path"] == f"/api/v1/videos/{task.id}/content"]
    assert [r["query"] for r in content] == [{"index": "1"}]


def test_the_command_line(emu, tmp_path):
    cli_generate(emu, DIALECT, tmp_path)


def test_a_record_resumes_in_a_new_process(emu, tmp_path):
    final = resume_in_new_process(emu, DIALECT, tmp_path)
    assert "cost" in final["usage"]


def test_the_key_appears_nowhere(emu):
    canary_key(emu, DIALECT)


def test_no_remote_cancel_and_refusals(emu):
    with make_client(emu, DIALECT) as client:
        task = client.submit(model="m", prompt="p")
        with pytest.raises(vg.VideoGenError) as caught:
            task.cancel(remote=True)
        assert caught.value.code is vg.ErrorCode.UNSUPPORTED
        with pytest.raises(vg.ContentPolicyError):
            client.submit(model="m emu-error-moderation", prompt="p")
        with pytest.raises(vg.QuotaExceededError):
            client.submit(model="m emu-error-insufficient_credits", prompt="p")
        with pytest.raises(vg.VideoGenError, match="'n'"):
            client.submit(model="m", prompt="p", n=2)
        with pytest.raises(vg.ContentPolicyError):
            client.submit(model="m emu-fail", prompt="p").wait(timeout=30)


SDK_SCRIPT = r"""
import json, os, time
from openrouter import OpenRouter, errors
url, key = os.environ["EMU_URL"], os.environ["EMU_KEY"]
out = {}
with OpenRouter(api_key=key, server_url=url + "/api/v1") as client:
    job = client.video_generation.generate(
        model="google/veo-3.1 emu-outputs-2", prompt="a serene lake", aspect_ratio="16:9", duration=8,
        resolution="720p", seed=3,
        frame_images=[{"type": "image_url", "image_url": {"url": "https://img.example.com/f.png"}, "frame_type": "first_frame"}],
        input_references=[{"type": "image_url", "image_url": {"url": "https://img.example.com/r.png"}}])
    out["submit"] = [job.id.startswith("gen-vid-"), job.status, job.polling_url]
    status = client.video_generation.get_generation(job_id=job.id)
    for _ in range(200):
        if status.status in ("completed", "failed", "cancelled", "expired"):
            break
        time.sleep(0.05)
        status = client.video_generation.get_generation(job_id=job.id)
    out["final"] = [status.status, len(status.unsigned_urls or []), len(status.urls or []), status.usage.cost,
                    status.usage.is_byok, status.expires_at is not None, status.generation_id is not None]
    response = client.video_generation.get_video_content(job_id=job.id, index=1)
    out["content"] = [response.status_code, len(response.read())]
    try:
        client.video_generation.get_generation(job_id="gen-vid-0-nope")
        out["missing"] = None
    except errors.NotFoundResponseError as exc:
        out["missing"] = [exc.data.error.code, exc.data.error.message]
    try:
        client.video_generation.generate(model="m emu-error-insufficient_credits", prompt="p")
        out["credits"] = None
    except errors.PaymentRequiredResponseError as exc:
        out["credits"] = exc.data.error.code
with OpenRouter(api_key="sk-wrong", server_url=url + "/api/v1") as client:
    try:
        client.video_generation.generate(model="m", prompt="p")
        out["bad_key"] = None
    except errors.UnauthorizedResponseError as exc:
        out["bad_key"] = exc.data.error.code
print(json.dumps(out))
"""


def test_the_official_sdk_parses_the_emulator():
    python = sdk_python("openrouter", SDK)
    with Emulator(api_key=API_KEY, task_seconds=0.5) as emu:
        out = run_sdk(python, SDK_SCRIPT, {"EMU_URL": emu.base_url, "EMU_KEY": API_KEY})
        sent = next(r for r in emu.requests() if r["method"] == "POST")
    assert out["submit"][0] is True and out["submit"][1] == "pending" and out["submit"][2].startswith("/api/v1/videos/")
    assert out["final"] == ["completed", 2, 2, pytest.approx(0.64), False, True, True]
    assert out["content"] == [200, len(SAMPLE)]
    assert out["missing"] == [404, "Video generation job not found"]
    assert out["credits"] == 402 and out["bad_key"] == 401
    assert sent["path"] == "/api/v1/videos"
