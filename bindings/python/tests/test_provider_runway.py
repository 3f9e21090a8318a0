"""Runway through the binding and the CLI against the emulator (X-Runway-Version on every request, the three task
routes, progress as a fraction, THROTTLED as queued, failure codes, credits as usage, several outputs, DELETE as
the remote cancel, resume, the key kept out of everything), and the real `runwayml` SDK's create / retrieve /
wait path, unchanged, against the emulator."""

from __future__ import annotations

import json

import pytest
from cli_support import FAST, key_in_environment, videogen as cli  # noqa: F401  (the key in the environment)
from conftest import API_KEY, PNG, call, wait_until
from provider_support import CANARY, assert_no_canary, client_for, resume_in_new_process, run_sdk, sdk_python

import videogen
from test_emulator import SAMPLE

RUNWAYML = "runwayml==5.24.0"


def test_image_to_video_progress_usage_and_download(emu, tmp_path):
    with client_for(emu, "runway", runway_version="2024-11-06") as client:
        # a task that stays running at half way: Runway says 0.5, the task is at 50 %
        stuck = client.submit(model="gen4_turbo-emu-stuck", prompt="a fox")
        running = wait_until(stuck.poll, lambda t: t.state is videogen.State.RUNNING, timeout=10)
        assert running.progress == 50 and running.record()["usage"] == {"estimatedCost": {"credits": 25}}
        task = client.submit(model="gen4_turbo", prompt="a fox", image=PNG, aspect_ratio="1280:720", duration=5, seed=7)
        task.wait(timeout=20)
        assert task.state is videogen.State.SUCCEEDED and task.record()["usage"] == {"cost": {"credits": 25}}
        assert task.download(tmp_path / "v.mp4").path.read_bytes() == SAMPLE
    # The emulator answers 400 to any request without X-Runway-Version: every poll and the download went through.
    log = [r for r in emu.requests() if r["origin"] == "api"]
    assert [r["path"] for r in log if r["method"] == "POST"] == ["/v1/text_to_video", "/v1/image_to_video"]
    assert all(r["status"] == 200 for r in log)
    assert emu.store.get(task.id).extra["version"] == "2024-11-06"
    unversioned = call("GET", f"{emu.base_url}/v1/tasks/{task.id}", headers={"Authorization": f"Bearer {API_KEY}"})
    assert unversioned.status == 400 and "X-Runway-Version" in unversioned.json()["error"]
    body = emu.store.get(task.id).extra["request"]
    assert body["promptImage"].startswith("data:image/png;base64,") and body["ratio"] == "1280:720"


def test_routes_first_and_last_frames_and_several_outputs(emu):
    with client_for(emu, "runway") as client:
        text = client.submit(model="gen4.5-emu-multi", prompt="a fox", size="1280x720").wait(timeout=20)
        frames = client.submit(model="veo3.1", prompt="a fox", image="https://img.example/a.png",
                               image_tail="https://img.example/b.png")
        video = client.submit(model="gen4_aleph", prompt="a fox", extra={"videoUri": "https://v.example/in.mp4"})
    assert emu.store.get(text.id).extra["route"] == "text_to_video" and len(text.record()["outputs"]) == 2
    assert emu.store.get(frames.id).extra["request"]["promptImage"] == [
        {"uri": "https://img.example/a.png", "position": "first"}, {"uri": "https://img.example/b.png", "position": "last"}]
    assert emu.store.get(video.id).extra["route"] == "video_to_video"


def test_throttled_is_queued_and_a_safety_failure_is_content_policy(emu, make_emu):
    slow = make_emu(task_seconds=3600)   # queued for its first 720 s
    with client_for(slow, "runway") as client:
        throttled = client.submit(model="gen4_turbo-emu-throttled", prompt="a fox").poll()
        assert throttled.state is videogen.State.QUEUED and throttled.provider_status == "THROTTLED"
    with client_for(emu, "runway") as client:
        task = client.submit(model="gen4_turbo-emu-fail", prompt="a fox")
        with pytest.raises(videogen.ContentPolicyError) as caught:
            task.wait(timeout=20)
    assert caught.value.provider_code == "SAFETY.INPUT.TEXT"


def test_remote_cancel_is_delete(emu):
    with client_for(emu, "runway") as client:
        task = client.submit(model="gen4_turbo-emu-stuck", prompt="a fox")
        task.cancel(remote=True)
        assert client.resume(task.record()).poll().state is videogen.State.CANCELLED
    deletes = [r for r in emu.requests() if r["method"] == "DELETE"]
    assert [r["path"] for r in deletes] == [f"/v1/tasks/{task.id}"]


def test_errors_resume_and_refusals(emu):
    with client_for(emu, "runway", retry={"max_attempts": 1}) as client:
        with pytest.raises(videogen.RateLimitError):
            client.submit(model="gen4_turbo-emu-error-429", prompt="a fox")
        with pytest.raises(videogen.VideoGenError, match="'negative_prompt'"):
            client.submit(model="gen4_turbo", prompt="a fox", negative_prompt="blur")
        record = client.submit(model="gen4_turbo", prompt="a fox").record()
    with client_for(emu, "runway") as other:
        assert other.resume(record).wait(timeout=20).state is videogen.State.SUCCEEDED
    with pytest.raises(videogen.InvalidArgumentError, match="runway_version"):
        client_for(emu, "runway", runway_version="latest")


def test_the_key_never_appears(make_emu, tmp_path):
    emu = make_emu(api_key=CANARY, task_seconds=0.3)
    with client_for(emu, "runway", api_key=CANARY) as client:
        task = client.submit(model="gen4_turbo", prompt="a fox").wait(timeout=20)
        task.download(tmp_path / "v.mp4")
    with client_for(emu, "runway", api_key="sk-wrong-" + CANARY[3:]) as wrong:
        with pytest.raises(videogen.AuthenticationError) as caught:
            wrong.submit(model="gen4_turbo", prompt="a fox")
    assert_no_canary(json.dumps(task.record()), str(caught.value))


def test_cli_generate(emu, tmp_path):
    run = cli("generate", "--dialect", "runway", "--base-url", emu.base_url, *FAST, "-m", "gen4_turbo",
              "-p", "a fox", "-o", str(tmp_path / "v.mp4"), "--json", "-q")
    assert run.status == 0, run.err
    assert json.loads(run.out)["usage"]["cost"]["credits"] > 0 and (tmp_path / "v.mp4").read_bytes() == SAMPLE



def test_resume_in_a_new_process(emu, tmp_path):
    with client_for(emu, "runway") as client:
        record = client.submit(model="gen4_turbo", prompt="a fox").record()
    assert resume_in_new_process(emu, "runway", record, str(tmp_path / "r.mp4")) == "SUCCEEDED"
    assert (tmp_path / "r.mp4").read_bytes() == SAMPLE


SDK_SCRIPT = """
import json, os
import runwayml
client = runwayml.RunwayML(base_url=os.environ["BASE"], api_key=os.environ["KEY"])
created = client.image_to_video.create(model="gen4_turbo", prompt_image="https://img.example/a.png",
                                       prompt_text="a fox", ratio="1280:720", duration=5)
task = created.wait_for_task_output(timeout=60)
again = client.tasks.retrieve(task.id)
stuck = client.text_to_video.create(model="gen4.5", prompt_text="a fox", ratio="1280:720", duration=5,
                                    extra_headers={"X-Emulator-Scenario": "stuck"})
client.tasks.delete(stuck.id)
print(json.dumps({"id": created.id, "status": task.status, "output": task.output, "again": again.status,
                  "credits": task.cost.credits, "cancelled": client.tasks.retrieve(stuck.id).status}))
"""


def test_the_runwayml_sdk_parses_the_emulator(make_emu):
    python = sdk_python("runwayml", RUNWAYML, "runwayml")
    emu = make_emu(task_seconds=0.3)
    # The SDK polls every 6 s (± 1.5 s) by design; one poll after a 0.3 s task is enough.
    result = run_sdk(python, SDK_SCRIPT, {"BASE": emu.base_url, "KEY": API_KEY})
    assert result["status"] == "SUCCEEDED" and result["again"] == "SUCCEEDED" and result["credits"] == 25
    assert result["output"][0].startswith(emu.cdn_url) and result["cancelled"] == "CANCELLED"
