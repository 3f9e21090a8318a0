"""The examples in examples/python run as documented against the emulator."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import API_KEY, ROOT, SAMPLE_MP4

EXAMPLES = os.path.join(ROOT, "examples", "python")
PYTHON_DIR = os.path.join(ROOT, "bindings", "python")


def run_example(name: str, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, os.path.join(EXAMPLES, name), *argv], capture_output=True, text=True,
                          timeout=90, env=dict(os.environ, PYTHONPATH=PYTHON_DIR, VIDEOGEN_API_KEY=API_KEY))


def sample() -> bytes:
    with open(SAMPLE_MP4, "rb") as f:
        return f.read()


def test_generate_example(emu, tmp_path):
    output = tmp_path / "boat.mp4"
    result = run_example("generate.py", emu.base_url, str(output))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("queued") and "succeeded 100%" in lines
    assert lines[-1].startswith(f"saved {output} ({len(sample())} bytes, sha256 ")
    assert output.read_bytes() == sample()


def test_generate_example_without_arguments_prints_its_usage():
    result = run_example("generate.py")
    assert result.returncode == 1 and "Usage:" in result.stderr


def test_many_async_example(emu, tmp_path):
    result = run_example("many_async.py", emu.base_url, str(tmp_path / "out"), "5")
    assert result.returncode == 0, result.stderr
    saved = sorted(line for line in result.stdout.splitlines() if " saved " in line)
    assert len(saved) == 5
    assert all((tmp_path / "out" / f"boat-{i}.mp4").read_bytes() == sample() for i in range(5))


def test_webhook_receiver_example(tmp_path):
    import base64

    from videogen_emulator import Emulator
    secret = "whsec_" + base64.b64encode(b"example-webhook-secret-01234567").decode()
    output = tmp_path / "boat.mp4"
    with Emulator(api_key=API_KEY, task_seconds=0.5) as emu:
        emu.webhooks.configure(secret=secret)
        result = subprocess.run([sys.executable, os.path.join(EXAMPLES, "webhook_receiver.py"), emu.base_url,
                                 str(output)], capture_output=True, text=True, timeout=90,
                                env=dict(os.environ, PYTHONPATH=PYTHON_DIR, VIDEOGEN_API_KEY=API_KEY,
                                         VIDEOGEN_WEBHOOK_SECRET=secret))
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        task_id = lines[0].split()[1].rstrip(";")
        # The callback's line and the wait's end race (the wait may end before the receiver prints).
        assert sorted(lines[1:]) == ["callback accepted: applied", "saved " + str(output) + f" ({len(sample())} bytes)",
                                      "succeeded"]
        # The callback ended the wait: the task's status was never polled.
        assert not [e for e in emu.requests() if e["method"] == "GET" and e["path"].endswith("/" + task_id)]
    assert output.read_bytes() == sample()
