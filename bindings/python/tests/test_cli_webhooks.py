"""``videogen webhook serve`` as a process: it prints its URL, the emulator posts its signed callback there, the
command verifies and applies it, reads the task once and downloads the video; forged callbacks are refused with
their reason on stderr and never acted on."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest

from conftest import API_KEY, EMULATOR_PYTHONPATH, SAMPLE_MP4, make_client
from videogen_emulator import Emulator

SECRET = "whsec_" + base64.b64encode(b"cli-webhook-secret-0123456789ab").decode()


def start_serve(emu, tmp_path, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, VIDEOGEN_API_KEY=API_KEY, VIDEOGEN_WEBHOOK_SECRET=SECRET, PYTHONPATH=EMULATOR_PYTHONPATH)
    return subprocess.Popen(
        [sys.executable, "-m", "videogen", "webhook", "serve", "--dialect", "openai", "--base-url", emu.base_url,
         "--option", 'poll={"interval": 60, "max_interval": 60}', "--scheme", "standard_webhooks",
         "--output-dir", str(tmp_path), "--timeout", "60", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


@pytest.fixture
def emulator():
    with Emulator(api_key=API_KEY, task_seconds=0.5) as instance:
        instance.webhooks.configure(scheme="standard_webhooks", secret=SECRET)
        yield instance


def test_serve_verifies_applies_and_downloads(emulator, tmp_path):
    process = start_serve(emulator, tmp_path, "--count", "1")
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        emulator.webhooks.configure(url=url + "/openai")
        with make_client(emulator, "openai") as client:
            task = client.submit(model="sora-2", prompt="a fox")
        line = json.loads(process.stdout.readline())
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
    assert line == {"task_id": task.id, "state": "succeeded", "path": str(tmp_path / f"{task.id}.mp4")}
    assert open(line["path"], "rb").read() == open(SAMPLE_MP4, "rb").read()
    assert f"unwatched {task.id}" in process.stderr.read()   # no wait in this process: it reads the task
    polls = [e for e in emulator.requests() if e["method"] == "GET" and e["path"] == f"/v1/videos/{task.id}"]
    assert len(polls) == 1      # the one read after the callback; the 60-s schedule never polled


def test_serve_refuses_forged_callbacks_with_their_reason(emulator, tmp_path):
    emulator.webhooks.configure(mode="forged", retries=1, retry_delay=0.01)
    process = start_serve(emulator, tmp_path)
    try:
        url = process.stdout.readline().strip()
        emulator.webhooks.configure(url=url + "/openai")
        with make_client(emulator, "openai") as client:
            task = client.submit(model="sora-2", prompt="a fox")
        deliveries = emulator.webhooks.wait_deliveries(2, timeout=30)
        assert [d["status"] for d in deliveries] == [401, 401]
    finally:
        process.kill()
        _, err = process.communicate(timeout=30)
    assert err.count("refused /openai: bad_signature") == 2
    assert SECRET not in err
    assert not any(e["path"] == f"/v1/videos/{task.id}" and e["method"] == "GET" for e in emulator.requests())


def test_serve_needs_the_secret(tmp_path, monkeypatch):
    from cli_support import videogen
    monkeypatch.setenv("VIDEOGEN_API_KEY", API_KEY)
    monkeypatch.delenv("VIDEOGEN_WEBHOOK_SECRET", raising=False)
    run = videogen("webhook", "serve", "--dialect", "openai", "--base-url", "http://127.0.0.1:9",
                   "--scheme", "standard_webhooks")
    assert run.status == 2 and "VIDEOGEN_WEBHOOK_SECRET" in run.err
