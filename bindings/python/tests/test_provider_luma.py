"""Luma Dream Machine through the binding and the CLI against the emulator (keyframes as images, `dreaming` as
running, `assets.video`, `failure_reason`, DELETE as the remote cancel, resume, the key kept out of everything),
and the real `lumaai` SDK's create / get path, unchanged, against the emulator."""

from __future__ import annotations

import json

import pytest
from cli_support import FAST, key_in_environment, videogen as cli  # noqa: F401  (the key in the environment)
from conftest import API_KEY, PNG, wait_until
from provider_support import CANARY, assert_no_canary, client_for, resume_in_new_process, run_sdk, sdk_python

import videogen
from test_emulator import SAMPLE

LUMAAI = "lumaai==1.21.0"


def test_keyframes_dreaming_and_download(emu, tmp_path):
    with client_for(emu, "luma") as client:
        stuck = client.submit(model="ray-2-emu-stuck", prompt="a fox")
        dreaming = wait_until(stuck.poll, lambda t: t.state is not videogen.State.QUEUED, timeout=10)
        assert dreaming.state is videogen.State.RUNNING and dreaming.provider_status == "dreaming"
        task = client.submit(model="ray-2", prompt="a fox", image="https://img.example/a.png",
                             image_tail="https://img.example/b.png", duration=5, aspect_ratio="16:9",
                             resolution="720p", extra={"loop": True})
        task.wait(timeout=20)
        assert task.state is videogen.State.SUCCEEDED and task.video_url.startswith(emu.cdn_url)
        assert task.download(tmp_path / "v.mp4").path.read_bytes() == SAMPLE
    body = emu.store.get(task.id).extra["request"]
    assert body["keyframes"] == {"frame0": {"type": "image", "url": "https://img.example/a.png"},
                                 "frame1": {"type": "image", "url": "https://img.example/b.png"}}
    assert body["duration"] == "5s" and body["loop"] is True


def test_a_generation_keyframe_goes_through_extra_and_local_images_are_refused(emu):
    with client_for(emu, "luma") as client:
        task = client.submit(model="ray-2", prompt="extend",
                             extra={"keyframes": {"frame0": {"type": "generation", "id": "abc-123"}}})
        assert emu.store.get(task.id).extra["request"]["keyframes"]["frame0"]["type"] == "generation"
        with pytest.raises(videogen.VideoGenError, match="image URLs only"):
            client.submit(model="ray-2", prompt="a fox", image=PNG)
        with pytest.raises(videogen.VideoGenError, match="'seed'"):
            client.submit(model="ray-2", prompt="a fox", seed=1)


def test_a_moderation_failure_is_content_policy_and_cancel_is_delete(emu):
    with client_for(emu, "luma") as client:
        failed = client.submit(model="ray-2-emu-fail", prompt="a fox")
        with pytest.raises(videogen.ContentPolicyError, match="moderation"):
            failed.wait(timeout=20)
        stuck = client.submit(model="ray-2-emu-stuck", prompt="a fox")
        stuck.cancel(remote=True)
        with pytest.raises(videogen.NotFoundError):
            client.resume(stuck.record()).poll()
    assert [r["path"] for r in emu.requests() if r["method"] == "DELETE"] == [f"/dream-machine/v1/generations/{stuck.id}"]


def test_resume_and_the_key_never_appears(make_emu, tmp_path):
    emu = make_emu(api_key=CANARY, task_seconds=0.3)
    with client_for(emu, "luma", api_key=CANARY) as client:
        record = client.submit(model="ray-2", prompt="a fox").record()
    with client_for(emu, "luma", api_key=CANARY) as other:
        task = other.resume(record).wait(timeout=20)
        task.download(tmp_path / "v.mp4")
        with pytest.raises(videogen.VideoGenError) as caught:
            other.submit(model="ray-2-emu-error-400", prompt="a fox")
    assert_no_canary(json.dumps(task.record()), str(caught.value))


def test_cli_generate(emu, tmp_path):
    run = cli("generate", "--dialect", "luma", "--base-url", emu.base_url, *FAST, "-m", "ray-flash-2",
              "-p", "a fox", "-o", str(tmp_path / "v.mp4"), "--json", "-q")
    assert run.status == 0, run.err
    assert json.loads(run.out)["provider_status"] == "completed" and (tmp_path / "v.mp4").read_bytes() == SAMPLE



def test_resume_in_a_new_process(emu, tmp_path):
    with client_for(emu, "luma") as client:
        record = client.submit(model="ray-2", prompt="a fox").record()
    assert resume_in_new_process(emu, "luma", record, str(tmp_path / "r.mp4")) == "SUCCEEDED"
    assert (tmp_path / "r.mp4").read_bytes() == SAMPLE


SDK_SCRIPT = """
import json, os, time
from lumaai import LumaAI
client = LumaAI(base_url=os.environ["BASE"] + "/dream-machine/v1", auth_token=os.environ["KEY"])
generation = client.generations.create(model="ray-2", prompt="a fox", aspect_ratio="16:9", duration="5s",
                                       keyframes={"frame0": {"type": "image", "url": "https://img.example/a.png"}})
states = [generation.state]
while generation.state not in ("completed", "failed"):
    time.sleep(0.1)
    generation = client.generations.get(generation.id)
    states.append(generation.state)
client.generations.delete(generation.id)
print(json.dumps({"states": states, "video": generation.assets.video, "kind": generation.request.generation_type}))
"""


def test_the_lumaai_sdk_parses_the_emulator(make_emu):
    python = sdk_python("lumaai", LUMAAI, "lumaai")
    emu = make_emu(task_seconds=0.5)
    result = run_sdk(python, SDK_SCRIPT, {"BASE": emu.base_url, "KEY": API_KEY})
    assert result["states"][0] == "queued" and result["states"][-1] == "completed"
    assert result["video"].startswith(emu.cdn_url) and result["kind"] == "video"
