"""Kling's own API (``kling_official``, the ``kling`` preset) through the Python binding and the command line
against the emulator: the JWT from an access key and a secret key, the three families, a task resumed by its
``external_task_id`` in a new process, the business codes, and the secret and the minted tokens kept out of errors
and records. There is no official Kling Python SDK on PyPI (Kling's docs show PyJWT snippets only), so there is no
SDK fidelity test here; the emulator's JWT check follows Kling's documented claims (iss, exp, nbf; HS256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time

import pytest
from cli_support import FAST, key_in_environment  # noqa: F401 (the fixture is autouse)
from cli_support import videogen as cli
from conftest import API_KEY, EMULATOR_PYTHONPATH, call, make_client

import videogen
from test_emulator import SAMPLE
from videogen_emulator.kling_official_routes import SECRET_KEY

IMAGE = "https://img.example.com/a.png"


@pytest.fixture
def kling(emu):
    with make_client(emu, "kling_official", secret_key=SECRET_KEY) as client:
        yield client


def jwt(claims: dict, secret: str = SECRET_KEY) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
    return head + "." + b64(hmac.new(secret.encode(), head.encode(), hashlib.sha256).digest())


@pytest.mark.parametrize("model, fields, family", [
    ("kling-v2-master", {"duration": 5, "mode": "pro", "negative_prompt": "blur"}, "text2video"),
    ("kling-v1", {"image": IMAGE, "image_tail": IMAGE}, "image2video"),
    ("kling-video-o1", {"image": IMAGE, "images": [IMAGE], "aspect_ratio": "9:16"}, "omni-video"),
])
def test_each_family_end_to_end(emu, kling, tmp_path, model, fields, family):
    task = kling.submit(model=model, prompt="a paper boat", **fields).wait(timeout=20)
    assert task.state is videogen.State.SUCCEEDED
    assert task.download(tmp_path / "v.mp4").path.read_bytes() == SAMPLE
    record = task.record()
    assert record["dialect"] == "kling_official" and record["route"] == family
    assert record["usage"] == {"final_unit_deduction": "1"}
    api = [r for r in emu.requests() if r["origin"] == "api"]
    assert api[0]["method"] == "POST" and api[0]["path"] == f"/v1/videos/{family}"
    assert all(r["path"].startswith(f"/v1/videos/{family}") and r["status"] == 200 for r in api)


def test_a_task_resumes_by_its_external_id_in_a_new_process(emu, kling):
    submitted = kling.submit(model="kling-v1", prompt="a boat", external_task_id="ext-py-1")
    record = {"record_version": 1, "id": "ext-py-1", "route": "text2video", "state": "queued",
              "dialect": "kling_official", "base_url": emu.base_url}
    script = (
        "import json, sys, videogen\n"
        "config = json.loads(sys.argv[1])\n"
        "with videogen.Client(**config) as client:\n"
        "    task = client.resume(json.loads(sys.argv[2])).wait(timeout=20)\n"
        "    print(json.dumps(task.record()))\n")
    config = {"dialect": "kling_official", "base_url": emu.base_url, "api_key_env": "KFR_KLING_AK",
              "secret_key_env": "KFR_KLING_SK", "poll": {"interval": 0.1, "max_interval": 0.3}}
    done = subprocess.run([sys.executable, "-c", script, json.dumps(config), json.dumps(record)], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": EMULATOR_PYTHONPATH,
                                                      "KFR_KLING_AK": API_KEY, "KFR_KLING_SK": SECRET_KEY})
    assert done.returncode == 0, done.stderr
    final = json.loads(done.stdout)
    assert final["id"] == submitted.id and final["state"] == "succeeded"
    assert final["links"] == {"external_task_id": "ext-py-1"}
    assert SECRET_KEY not in done.stdout + done.stderr


def test_business_codes_and_unknown_tasks(emu, kling):
    with pytest.raises(videogen.QuotaExceededError) as quota:
        kling.submit(model="kling-v1-emu-error-1102", prompt="p")
    assert quota.value.provider_code == "1102" and quota.value.http_status == 429
    with pytest.raises(videogen.ContentPolicyError):
        kling.submit(model="kling-v1-emu-error-1301", prompt="p")
    ghost = kling.resume({"record_version": 1, "id": "123456789012345678", "state": "queued"})
    with pytest.raises(videogen.NotFoundError):
        ghost.poll()
    with pytest.raises(videogen.ContentPolicyError):
        kling.submit(model="kling-v1-emu-fail", prompt="p").wait(timeout=20)


def test_fields_kling_does_not_take_are_refused_by_name(kling):
    with pytest.raises(videogen.VideoGenError) as caught:
        kling.submit(model="kling-v1", prompt="p", seed=1)
    assert caught.value.code is videogen.ErrorCode.UNSUPPORTED and "'seed'" in caught.value.message
    with pytest.raises(videogen.VideoGenError) as omni:
        kling.submit(model="kling-video-o1", prompt="p", negative_prompt="x")
    assert "'negative_prompt'" in omni.value.message
    with pytest.raises(videogen.VideoGenError) as cancel:
        kling.submit(model="kling-v1-emu-stuck", prompt="p").cancel(remote=True)
    assert cancel.value.code is videogen.ErrorCode.UNSUPPORTED


def test_the_emulator_checks_klings_jwt(emu):
    url = f"{emu.base_url}/v1/videos/text2video/1"
    now = int(time.time())
    cases = [
        (None, 1001), ("Bearer not.a.jwt", 1002),
        ("Bearer " + jwt({"iss": API_KEY, "exp": now + 1800, "nbf": now - 5}, secret="other"), 1002),
        ("Bearer " + jwt({"iss": "someone-else", "exp": now + 1800, "nbf": now - 5}), 1002),
        ("Bearer " + jwt({"iss": API_KEY, "exp": now + 1800, "nbf": now + 600}), 1003),
        ("Bearer " + jwt({"iss": API_KEY, "exp": now - 1, "nbf": now - 1800}), 1004),
    ]
    for header, code in cases:
        reply = call("GET", url, headers={} if header is None else {"Authorization": header})
        assert reply.status == 401 and reply.json()["code"] == code, (header, reply.body)
    valid = call("GET", url, headers={"Authorization": "Bearer " + jwt({"iss": API_KEY, "exp": now + 1800, "nbf": now - 5})})
    assert valid.status == 404 and valid.json()["code"] == 1203


def test_canary_the_secret_and_the_minted_token_stay_out_of_errors_and_records(emu, kling):
    with pytest.raises(videogen.VideoGenError) as caught:
        kling.submit(model="kling-v1-emu-echo-auth", prompt="p")
    text = str(caught.value) + caught.value.message
    assert "<redacted>" in text and "eyJ" not in text and SECRET_KEY not in text
    record = json.dumps(kling.submit(model="kling-v1", prompt="p").wait(timeout=20).record())
    assert SECRET_KEY not in record and API_KEY not in record and "eyJ" not in record


def test_configuration_needs_the_secret_key():
    with pytest.raises(videogen.AuthenticationError) as caught:
        videogen.Client(provider="kling", api_key="ak-123")
    assert "secret" in caught.value.message
    with pytest.raises(videogen.VideoGenError) as elsewhere:
        videogen.Client(provider="routerone", api_key="k-123", secret_key="s-1234567890")
    assert "'secret_key'" in elsewhere.value.message and "s-1234567890" not in elsewhere.value.message


def test_the_command_line(emu, tmp_path, monkeypatch):
    monkeypatch.setenv("KFR_KLING_SK", SECRET_KEY)
    output = tmp_path / "k.mp4"
    run = cli("generate", "--dialect", "kling_official", "--base-url", emu.base_url, *FAST,
                   "--option", 'secret_key_env="KFR_KLING_SK"', "-m", "kling-video-o1", "-p", "a fox",
                   "--image", IMAGE, "-o", str(output), "--json", "--quiet")
    assert run.status == 0, run.err
    snapshot = json.loads(run.out)
    assert snapshot["route"] == "omni-video" and snapshot["state"] == "succeeded"
    assert output.read_bytes() == SAMPLE and SECRET_KEY not in run.out + run.err
