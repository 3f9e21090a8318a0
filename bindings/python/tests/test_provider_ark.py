"""Seedance on Volcengine Ark / BytePlus ModelArk through the binding and the CLI against the emulator (content[]
with roles, usage in the record, refusals as content policy, DELETE of a queued task as the remote cancel, the
regional presets, resume, the key kept out of everything), and the real Ark runtime SDK's create / get path,
unchanged, against the emulator."""

from __future__ import annotations

import json

import pytest
from cli_support import FAST, key_in_environment, videogen as cli  # noqa: F401  (the key in the environment)
from conftest import API_KEY, PNG
from provider_support import CANARY, assert_no_canary, client_for, resume_in_new_process, run_sdk, sdk_python

import videogen
from test_emulator import SAMPLE

# volcengine-python-sdk 5.0.54 installs its Ark client (volcenginesdkarkruntime) from this package, one of its
# ~140 dependencies; installing it alone gives the same module without the other 139.
ARK_RUNTIME = "volcengine-ark-runtime==5.0.54"


def test_content_roles_usage_and_download(emu, tmp_path):
    with client_for(emu, "ark") as client:
        task = client.submit(model="doubao-seedance-1-0-pro-250528", prompt="a fox", image=PNG,
                             image_tail="https://img.example/last.png", duration=5, aspect_ratio="16:9",
                             resolution="1080p", seed=3, watermark=False, extra={"camera_fixed": True})
        task.wait(timeout=20)
        assert task.state is videogen.State.SUCCEEDED
        assert task.record()["usage"] == {"completion_tokens": 108000, "total_tokens": 108000}
        assert task.download(tmp_path / "v.mp4").path.read_bytes() == SAMPLE
        refs = client.submit(model="doubao-seedance-1-0-lite-i2v", prompt="a fox",
                             images=["https://img.example/1.png", "https://img.example/2.png"])
    body = emu.store.get(task.id).extra["request"]
    assert [(i["type"], i.get("role")) for i in body["content"]] == [("text", None), ("image_url", "first_frame"),
                                                                    ("image_url", "last_frame")]
    assert body["content"][1]["image_url"]["url"].startswith("data:image/png;base64,") and body["camera_fixed"] is True
    assert [i.get("role") for i in emu.store.get(refs.id).extra["request"]["content"]][1:] == ["reference_image"] * 2


def test_refusals_errors_and_cancel(emu, make_emu):
    slow = make_emu(task_seconds=3600)   # queued for its first 720 s: Ark cancels queued tasks only
    with client_for(slow, "ark") as client:
        queued = client.submit(model="seedance", prompt="a fox")
        queued.cancel(remote=True)
        assert client.resume(queued.record()).poll().state is videogen.State.CANCELLED
    with client_for(emu, "ark", retry={"max_attempts": 1}) as client:
        failed = client.submit(model="seedance-emu-fail", prompt="a fox")
        with pytest.raises(videogen.ContentPolicyError) as caught:
            failed.wait(timeout=20)
        assert caught.value.provider_code == "OutputVideoSensitiveContentDetected"
        with pytest.raises(videogen.ContentPolicyError):
            client.submit(model="seedance-emu-error-inputtextsensitivecontentdetected", prompt="a fox")
        with pytest.raises(videogen.QuotaExceededError):
            client.submit(model="seedance-emu-error-accountoverdueerror", prompt="a fox")
        with pytest.raises(videogen.PermissionDeniedError):
            client.submit(model="seedance-emu-error-modelnotopen", prompt="a fox")
        with pytest.raises(videogen.VideoGenError, match="'negative_prompt'"):
            client.submit(model="m", prompt="p", negative_prompt="blur")


@pytest.mark.parametrize("provider, host", [("ark", "ark.cn-beijing.volces.com"),
                                            ("byteplus", "ark.ap-southeast.bytepluses.com")])
def test_regional_presets(provider, host):
    record = {"record_version": 1, "id": "cgt-1", "dialect": "ark", "base_url": f"https://{host}", "state": "queued"}
    with videogen.Client(provider=provider, api_key="sk-x") as client:
        assert client.resume(record).id == "cgt-1"
        with pytest.raises(videogen.VideoGenError):
            client.resume({**record, "base_url": "https://elsewhere.example"})


def test_resume_and_the_key_never_appears(make_emu, tmp_path):
    emu = make_emu(api_key=CANARY, task_seconds=0.3)
    with client_for(emu, "ark", api_key=CANARY) as client:
        record = client.submit(model="doubao-seedance-1-0-pro", prompt="a fox").record()
    with client_for(emu, "ark", api_key=CANARY) as other:
        task = other.resume(record).wait(timeout=20)
        task.download(tmp_path / "v.mp4")
    with client_for(emu, "ark", api_key="sk-wrong") as wrong:
        with pytest.raises(videogen.AuthenticationError) as caught:
            wrong.submit(model="doubao-seedance-1-0-pro", prompt="a fox")
    assert caught.value.provider_code == "AuthenticationError"
    assert_no_canary(json.dumps(task.record()), str(caught.value))


def test_cli_generate(emu, tmp_path):
    run = cli("generate", "--dialect", "ark", "--base-url", emu.base_url, *FAST, "-m", "doubao-seedance-1-0-pro",
              "-p", "a fox", "-o", str(tmp_path / "v.mp4"), "--json", "-q")
    assert run.status == 0, run.err
    assert json.loads(run.out)["usage"]["completion_tokens"] > 0 and (tmp_path / "v.mp4").read_bytes() == SAMPLE



def test_resume_in_a_new_process(emu, tmp_path):
    with client_for(emu, "ark") as client:
        record = client.submit(model="doubao-seedance-1-0-pro", prompt="a fox").record()
    assert resume_in_new_process(emu, "ark", record, str(tmp_path / "r.mp4")) == "SUCCEEDED"
    assert (tmp_path / "r.mp4").read_bytes() == SAMPLE


SDK_SCRIPT = """
import json, os, time
from volcenginesdkarkruntime import Ark
client = Ark(base_url=os.environ["BASE"] + "/api/v3", api_key=os.environ["KEY"])
created = client.content_generation.tasks.create(model="doubao-seedance-1-0-pro", content=[
    {"type": "text", "text": "a fox --ratio 16:9"},
    {"type": "image_url", "image_url": {"url": "https://img.example/a.png"}, "role": "first_frame"}])
task = client.content_generation.tasks.get(task_id=created.id)
states = [task.status]
while task.status not in ("succeeded", "failed", "cancelled"):
    time.sleep(0.1)
    task = client.content_generation.tasks.get(task_id=created.id)
    states.append(task.status)
slow = Ark(base_url=os.environ["SLOW"] + "/api/v3", api_key=os.environ["KEY"])
queued = slow.content_generation.tasks.create(model="seedance", content=[{"type": "text", "text": "a fox"}])
slow.content_generation.tasks.delete(queued.id)
cancelled = slow.content_generation.tasks.get(task_id=queued.id).status
print(json.dumps({"states": states, "video": task.content.video_url, "tokens": task.usage.completion_tokens,
                  "cancelled": cancelled}))
"""


def test_the_ark_sdk_parses_the_emulator(make_emu):
    python = sdk_python("ark-runtime", ARK_RUNTIME, "volcenginesdkarkruntime")
    emu = make_emu(task_seconds=0.5)
    slow = make_emu(task_seconds=3600)   # queued for its first 720 s: Ark cancels queued tasks only
    result = run_sdk(python, SDK_SCRIPT, {"BASE": emu.base_url, "SLOW": slow.base_url, "KEY": API_KEY})
    assert result["states"][-1] == "succeeded" and result["video"].startswith(emu.cdn_url) and result["tokens"] > 0
    assert result["cancelled"] == "cancelled"
