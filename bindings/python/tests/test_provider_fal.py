"""fal's queue through the Python binding and the command line against the emulator, and the official fal-client
SDK (pinned, in its own venv under .build/sdk-venvs) running its own submit / status / result / cancel path
unchanged against the same emulator.

fal-client builds its queue address from the module attribute ``fal_client.client.QUEUE_URL_FORMAT``
(``https://{FAL_QUEUE_RUN_HOST}/``, read from the environment at import, https only); the fidelity test points that
one attribute at the emulator before any call. Every later address the SDK uses is the one the emulator answered
(``status_url``, ``response_url``, ``cancel_url``), as with the real service.
"""

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

PINNED = "1.0.3"
APP = "fal-ai/kling-video/v2.1/standard/text-to-video"


@pytest.fixture
def fal(emu):
    with make_client(emu, "fal") as client:
        yield client


def key(extra: dict | None = None) -> dict:
    return {"Authorization": f"Key {API_KEY}", **(extra or {})}


def test_a_whole_job_with_queue_positions_and_usage(emu, fal, tmp_path):
    seen = []
    task = fal.submit(model=APP, prompt="a paper boat", duration=5, aspect_ratio="16:9", seed=7)
    assert task.state is videogen.State.QUEUED and task.record()["provider_status"] == "IN_QUEUE"
    task.wait(timeout=20, on_progress=lambda p: seen.append(p))
    assert task.state is videogen.State.SUCCEEDED
    assert any(p.queue_position is not None for p in seen)
    assert task.download(tmp_path / "v.mp4").path.read_bytes() == SAMPLE
    record = task.record()
    assert set(record["links"]) == {"status_url", "response_url", "cancel_url"}
    assert record["usage"] == {"inference_time": 0.5}
    stored = emu.store.get(task.id)
    assert stored.extra["fields"] == ["aspect_ratio", "duration", "prompt", "seed"]
    api = [r for r in emu.requests() if r["origin"] == "api"]
    assert api[0]["path"] == f"/{APP}" and api[-1]["path"] == f"/fal-ai/kling-video/requests/{task.id}"


def test_a_record_resumes_in_a_new_process_through_its_links(emu, fal):
    record = fal.submit(model=APP, prompt="a boat").record()
    script = ("import json, sys, videogen\n"
              "with videogen.Client(dialect='fal', base_url=sys.argv[1], api_key_env='KFR_FAL_KEY',"
              " poll={'interval': 0.1, 'max_interval': 0.3}) as client:\n"
              "    print(json.dumps(client.resume(json.loads(sys.argv[2])).wait(timeout=20).record()))\n")
    done = subprocess.run([sys.executable, "-c", script, emu.base_url, json.dumps(record)], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": EMULATOR_PYTHONPATH,
                                                      "KFR_FAL_KEY": API_KEY})
    assert done.returncode == 0, done.stderr
    final = json.loads(done.stdout)
    assert final["state"] == "succeeded" and final["video_url"] and API_KEY not in done.stdout


def test_remote_cancel_failures_and_errors(emu, fal):
    stuck = fal.submit(model="fal-ai/app-emu-stuck", prompt="p")
    record = stuck.record()
    stuck.cancel(remote=True)
    with make_client(emu, "fal") as other:
        resumed = other.resume(record).poll()
        assert resumed.state is videogen.State.CANCELLED
        with pytest.raises(videogen.VideoGenError) as again:
            resumed.cancel(remote=True)
        assert again.value.provider_code == "ALREADY_COMPLETED"
    with pytest.raises(videogen.ContentPolicyError) as refused:
        fal.submit(model="fal-ai/app-emu-fail", prompt="p").wait(timeout=20)
    assert refused.value.provider_code == "content_policy_violation"
    with pytest.raises(videogen.TaskFailedError) as empty:
        fal.submit(model="fal-ai/app-emu-empty", prompt="p").wait(timeout=20)
    assert "no video" in empty.value.message
    with pytest.raises(videogen.VideoGenError) as invalid:
        fal.submit(model="fal-ai/app-emu-error-validation", prompt="p")
    assert invalid.value.http_status == 422 and invalid.value.provider_code == "string_too_long"
    with pytest.raises(videogen.PermissionDeniedError):
        fal.submit(model="fal-ai/app-emu-error-locked", prompt="p")
    with pytest.raises(videogen.VideoGenError) as unsupported:
        fal.submit(model=APP, prompt="p", n=2)
    assert unsupported.value.code is videogen.ErrorCode.UNSUPPORTED and "'n'" in unsupported.value.message


def test_the_emulator_speaks_fals_shapes(emu):
    assert call("POST", f"{emu.base_url}/{APP}", b'{"prompt":"p"}', {"Authorization": f"Bearer {API_KEY}"}).status == 401
    assert post_json(f"{emu.base_url}/{APP}", {"prompt": "p"}, headers=key({"X-Fal-Request-Timeout": "0.5"})).status == 400
    reply = post_json(f"{emu.base_url}/{APP}", {"duration": 5}, headers=key())
    assert reply.status == 422 and reply.json()["detail"][0]["loc"] == ["body", "prompt"]
    submitted = post_json(f"{emu.base_url}/{APP}?fal_webhook=https%3A%2F%2Fhooks.example%2Fx", {"prompt": "p"},
                          headers=key({"X-Fal-Request-Timeout": "30"})).json()
    assert set(submitted) == {"request_id", "response_url", "status_url", "cancel_url", "queue_position"}
    stored = emu.store.get(submitted["request_id"])
    assert stored.extra["webhook"] == "https://hooks.example/x" and stored.extra["timeout"] == "30"
    status = call("GET", submitted["status_url"] + "?logs=1", headers=key()).json()
    assert status["status"] == "IN_QUEUE" and "queue_position" in status and status["logs"] == []
    assert call("GET", submitted["response_url"], headers=key()).status == 400
    assert call("GET", f"{emu.base_url}/fal-ai/kling-video/requests/nope/status", headers=key()).status == 404


def test_the_command_line_with_a_record(emu, tmp_path, monkeypatch):
    monkeypatch.setenv("VIDEOGEN_API_KEY", API_KEY)
    record = tmp_path / "task.json"
    run = cli("generate", "--dialect", "fal", "--base-url", emu.base_url, *FAST, "--option", "server_deadline=true",
              "-m", APP, "-p", "a fox", "--duration", "5", "-o", str(tmp_path / "f.mp4"), "--record", str(record),
              "--json", "--quiet")
    assert run.status == 0, run.err
    assert (tmp_path / "f.mp4").read_bytes() == SAMPLE
    assert json.loads(record.read_text())["links"]["status_url"].endswith("/status")
    again = cli("resume", str(record), *FAST, "-o", str(tmp_path / "again.mp4"), "--json", "--quiet")
    assert again.status == 0, again.err
    assert (tmp_path / "again.mp4").read_bytes() == SAMPLE


FAL_SCRIPT = r"""
import json, os
import fal_client
import fal_client.client as client_module
client_module.QUEUE_URL_FORMAT = os.environ["EMU"] + "/"   # the queue host; every later URL is the answer's
client = fal_client.SyncClient(key=os.environ["FAL_KEY"])
out = {"version": fal_client.__version__ if hasattr(fal_client, "__version__") else None}
handle = client.submit(os.environ["APP"], {"prompt": "a fox", "duration": "5"}, start_timeout=30,
                       webhook_url="https://hooks.example/fal")
events = [type(e).__name__ for e in handle.iter_events(with_logs=True, interval=0.05)]
out["events"] = events
out["result"] = handle.get()
out["status"] = type(handle.status()).__name__
stuck = client.submit("fal-ai/app-emu-stuck", {"prompt": "p"})
stuck.cancel()
done = stuck.status(with_logs=True)
out["cancelled"] = [type(done).__name__, done.error_type]
failing = client.submit("fal-ai/app-emu-fail", {"prompt": "p"})
completed = list(failing.iter_events(interval=0.05))[-1]
out["failed_status"] = [completed.error, completed.error_type]
try:
    failing.get()
except fal_client.client.FalClientHTTPError as exc:
    out["failed_result"] = [exc.status_code, exc.error_type]
try:
    fal_client.SyncClient(key="wrong-key").submit(os.environ["APP"], {"prompt": "p"})
except fal_client.client.FalClientHTTPError as exc:
    out["wrong_key"] = exc.status_code
print(json.dumps(out))
"""


def test_the_fal_client_sdk_runs_unchanged_against_the_emulator(emu):
    python = sdk_python("fal-client", "fal-client", PINNED)
    out = run_sdk(python, FAL_SCRIPT, {"EMU": emu.base_url, "FAL_KEY": API_KEY, "APP": APP})
    assert out["events"][0] == "Queued" and out["events"][-1] == "Completed" and "InProgress" in out["events"]
    video = out["result"]["video"]
    assert video["content_type"] == "video/mp4" and call("GET", video["url"]).body == SAMPLE
    assert out["status"] == "Completed"
    assert out["cancelled"] == ["Completed", "request_cancelled"]
    assert out["failed_status"][1] == "content_policy_violation"
    assert out["failed_result"] == [422, "content_policy_violation"]
    assert out["wrong_key"] == 401
    pinned = subprocess.run([python, "-c", "import importlib.metadata as m; print(m.version('fal-client'))"],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert pinned == PINNED


def test_canary_an_echoed_key_is_scrubbed_and_never_kept(emu, fal):
    with pytest.raises(videogen.VideoGenError) as caught:
        fal.submit(model="fal-ai/app-emu-echo-auth", prompt="p")
    assert "<redacted>" in caught.value.message and API_KEY not in str(caught.value) + repr(caught.value)
    record = json.dumps(fal.submit(model=APP, prompt="p").wait(timeout=20).record())
    assert API_KEY not in record
