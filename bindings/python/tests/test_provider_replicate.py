"""Replicate predictions through the Python binding and the command line against the emulator, and the official
replicate SDK (pinned, in its own venv under .build/sdk-venvs) running its own create / wait / get / cancel path
unchanged against the same emulator (``replicate.Client(api_token=..., base_url=...)``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from cli_support import FAST, key_in_environment  # noqa: F401 (the fixture is autouse)
from cli_support import videogen as cli
from conftest import API_KEY, EMULATOR_PYTHONPATH, call, make_client, post_json
from provider_sdk_venv import run_sdk, sdk_python

import videogen
from test_emulator import SAMPLE

PINNED = "1.0.7"
VERSION = "5c7d" * 16
BEARER = {"Authorization": f"Bearer {API_KEY}"}


@pytest.fixture
def replicate(emu):
    with make_client(emu, "replicate", prefer_wait=0) as client:
        yield client


@pytest.mark.parametrize("model, path", [
    ("kwaivgi/kling-v2.1", "/v1/models/kwaivgi/kling-v2.1/predictions"),
    (f"kwaivgi/kling-v2.1:{VERSION}", "/v1/predictions"),
    ("deployments/acme/video", "/v1/deployments/acme/video/predictions"),
])
def test_models_versions_and_deployments_end_to_end(emu, replicate, tmp_path, model, path):
    seen = []
    task = replicate.submit(model=model, prompt="a paper boat", duration=5, seed=3)
    task.wait(timeout=20, on_progress=seen.append)
    assert task.state is videogen.State.SUCCEEDED
    assert task.download(tmp_path / "v.mp4").path.read_bytes() == SAMPLE
    record = task.record()
    assert record["usage"] == {"predict_time": 0.4, "total_time": 0.5}
    assert record["links"]["get"].endswith(f"/v1/predictions/{task.id}")
    assert [r["path"] for r in emu.requests() if r["method"] == "POST"] == [path]
    assert emu.store.get(task.id).extra["input"] == {"prompt": "a paper boat", "duration": 5, "seed": 3}
    running = [p.percent for p in seen if p.state is videogen.State.RUNNING and p.percent is not None]
    assert running == sorted(running)


def test_prefer_wait_answers_a_quick_prediction_finished(emu):
    with make_client(emu, "replicate", prefer_wait=5) as client:
        task = client.submit(model="owner/model", prompt="p")
        assert task.state is videogen.State.SUCCEEDED
        task.wait(timeout=5)
    assert [r["method"] for r in emu.requests() if r["origin"] == "api"] == ["POST"]


def test_cancel_after_from_the_wait_deadline_aborts_a_prediction_that_never_started(make_emu):
    emu = make_emu(task_seconds=60)
    with make_client(emu, "replicate", prefer_wait=0, server_deadline=True, wait_timeout=5) as client:
        task = client.submit(model="owner/model", prompt="p")
        with pytest.raises(videogen.VideoGenError) as caught:
            task.wait(timeout=20)
    assert task.state is videogen.State.CANCELLED and task.record()["provider_status"] == "aborted"
    assert caught.value.code is videogen.ErrorCode.DEADLINE and caught.value.provider_code == "aborted"
    assert emu.store.get(task.id).extra["cancel_after"] == 5


def test_remote_cancel_and_several_outputs_and_resume_in_a_new_process(emu, replicate):
    stuck = replicate.submit(model="owner/model-emu-stuck", prompt="p")
    stuck.cancel(remote=True)
    with make_client(emu, "replicate") as other:
        assert other.resume(stuck.record()).poll().state is videogen.State.CANCELLED
    record = replicate.submit(model="deployments/acme/video-emu-multi", prompt="p").record()
    script = ("import json, sys, videogen\n"
              "with videogen.Client(provider='replicate', base_url=sys.argv[1], api_key_env='KFR_REPLICATE',"
              " poll={'interval': 0.1, 'max_interval': 0.3}) as client:\n"
              "    print(json.dumps(client.resume(json.loads(sys.argv[2])).wait(timeout=20).record()))\n")
    done = subprocess.run([sys.executable, "-c", script, emu.base_url, json.dumps(record)], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": EMULATOR_PYTHONPATH,
                                                      "KFR_REPLICATE": API_KEY})
    assert done.returncode == 0, done.stderr
    final = json.loads(done.stdout)
    assert final["state"] == "succeeded" and len(final["outputs"]) == 2 and final["video_url"] == final["outputs"][0]
    assert API_KEY not in done.stdout


def test_failures_and_problem_documents(emu, replicate):
    with pytest.raises(videogen.ContentPolicyError):
        replicate.submit(model="owner/model-emu-fail", prompt="p").wait(timeout=20)
    with pytest.raises(videogen.TaskFailedError):
        replicate.submit(model="owner/model-emu-empty", prompt="p").wait(timeout=20)
    with pytest.raises(videogen.QuotaExceededError) as quota:
        replicate.submit(model="owner/m-emu-error-insufficient_credit", prompt="p")
    assert quota.value.http_status == 402 and quota.value.provider_code == "Insufficient credit"
    with pytest.raises(videogen.VideoGenError) as invalid:
        replicate.submit(model="owner/m-emu-error-invalid", prompt="p")
    assert invalid.value.http_status == 422 and "input.duration" in invalid.value.message
    with pytest.raises(videogen.VideoGenError) as refused:
        replicate.submit(model="owner/model", prompt="p", image_tail="https://img.example/z.png")
    assert refused.value.code is videogen.ErrorCode.UNSUPPORTED and "'image_tail'" in refused.value.message
    with make_client(emu, "replicate", api_key="r8-wrong-token") as wrong:
        with pytest.raises(videogen.AuthenticationError) as auth:
            wrong.submit(model="owner/model", prompt="p")
    assert "r8-wrong-token" not in str(auth.value)


def test_the_emulator_speaks_replicates_shapes(emu):
    url = f"{emu.base_url}/v1/models/o/m/predictions"
    unauth = post_json(url, {"input": {"prompt": "p"}}, headers={})
    assert unauth.status == 401 and unauth.json()["title"] == "Unauthenticated"
    assert post_json(url, {"input": {}}, headers=BEARER).json()["invalid_fields"][0]["field"] == "input.prompt"
    assert post_json(url, {"input": {"prompt": "p"}}, headers={**BEARER, "Prefer": "wait=99"}).status == 400
    assert post_json(url, {"input": {"prompt": "p"}}, headers={**BEARER, "Cancel-After": "2s"}).status == 400
    created = post_json(url, {"input": {"prompt": "p"}}, headers={**BEARER, "Cancel-After": "1h30m"})
    assert created.status == 201 and created.json()["status"] == "starting"
    assert emu.store.get(created.json()["id"]).extra["cancel_after"] == 5400
    assert call("GET", f"{emu.base_url}/v1/predictions/nope", headers=BEARER).status == 404


def test_the_command_line(emu, tmp_path):
    run = cli("generate", "--provider", "replicate", "--base-url", emu.base_url, *FAST, "--option", "prefer_wait=1",
              "-m", "kwaivgi/kling-v2.1", "-p", "a fox", "--duration", "5", "-o", str(tmp_path / "r.mp4"),
              "--json", "--quiet")
    assert run.status == 0, run.err
    assert json.loads(run.out)["usage"]["predict_time"] == 0.4 and (tmp_path / "r.mp4").read_bytes() == SAMPLE


REPLICATE_SCRIPT = r"""
import json, os
import replicate
client = replicate.Client(api_token=os.environ["TOKEN"], base_url=os.environ["EMU"])
out = {}
created = client.predictions.create(model="kwaivgi/kling-v2.1", input={"prompt": "a fox", "duration": 5})
out["created"] = created.status
created.wait()
out["model"] = [created.status, created.output, created.metrics, created.urls["get"], created.urls["cancel"]]
held = client.predictions.create(version="kwaivgi/kling-v2.1:" + "5c7d" * 16, input={"prompt": "a fox"}, wait=5)
out["version_wait"] = [held.status, held.output]
deployed = client.deployments.predictions.create("acme/video-emu-multi", input={"prompt": "a fox"})
deployed.wait()
out["deployment"] = [deployed.status, deployed.output]
stuck = client.predictions.create(model="owner/model-emu-stuck", input={"prompt": "a fox"})
stuck.cancel()
stuck.reload()
out["cancel"] = stuck.status
failing = client.predictions.create(model="owner/model-emu-fail", input={"prompt": "a fox"})
failing.wait()
out["fail"] = [failing.status, failing.error]
out["get"] = client.predictions.get(created.id).status
try:
    client.predictions.create(model="owner/m-emu-error-insufficient_credit", input={"prompt": "x"})
except replicate.exceptions.ReplicateError as exc:
    out["error"] = [exc.status, exc.title]
print(json.dumps(out))
"""


def test_the_replicate_sdk_runs_unchanged_against_the_emulator(emu):
    python = sdk_python("replicate", "replicate", PINNED)
    out = run_sdk(python, REPLICATE_SCRIPT, {"EMU": emu.base_url, "TOKEN": API_KEY, "REPLICATE_POLL_INTERVAL": "0.05"})
    assert out["created"] == "starting"
    status, output, metrics, get_url, cancel_url = out["model"]
    assert status == "succeeded" and call("GET", output).body == SAMPLE
    assert set(metrics) == {"predict_time", "total_time"} and cancel_url == get_url + "/cancel"
    assert out["version_wait"][0] == "succeeded", "Prefer: wait=5 answered the finished prediction"
    assert out["deployment"][0] == "succeeded" and len(out["deployment"][1]) == 2
    assert out["cancel"] == "canceled" and out["fail"][0] == "failed" and out["get"] == "succeeded"
    assert out["error"] == [402, "Insufficient credit"]
    pinned = subprocess.run([python, "-c", "import importlib.metadata as m; print(m.version('replicate'))"],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert pinned == PINNED


def test_canary_an_echoed_token_is_scrubbed_and_never_kept(emu, replicate):
    with pytest.raises(videogen.VideoGenError) as caught:
        replicate.submit(model="owner/model-emu-echo-auth", prompt="p")
    assert "<redacted>" in caught.value.message and API_KEY not in str(caught.value) + repr(caught.value)
    record = json.dumps(replicate.submit(model="owner/model", prompt="p").wait(timeout=20).record())
    assert API_KEY not in record
