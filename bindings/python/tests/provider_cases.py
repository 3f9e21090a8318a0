"""Shared by test_provider_*.py: the whole-job, command-line, new-process resume and canary-key checks that every
direct provider passes through the binding and the C library against the emulator, and the virtual environment
in which a provider's official SDK runs unchanged against the emulator."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from cli_support import service, videogen
from conftest import API_KEY, EMULATOR_PYTHONPATH, ROOT, SAMPLE_MP4, make_client

import videogen as vg

SAMPLE = Path(SAMPLE_MP4).read_bytes()
INDEX = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple")


def whole_job(emu, dialect: str, tmp_path: Path, usage_key: str, **fields) -> vg.Task:
    """Submit, wait and download through the binding; the usage arrives under the provider's name."""
    with make_client(emu, dialect) as client:
        task = client.submit(model=fields.pop("model", "m"), prompt="a paper lantern", **fields).wait(timeout=30)
        assert task.state is vg.State.SUCCEEDED
        assert task.usage is not None and usage_key in task.usage
        file = task.download(tmp_path / "job.mp4")
        assert file.path.read_bytes() == SAMPLE and file.output == 0
        record = task.record()
        assert record["usage"] == task.usage and record["dialect"] == dialect
        return task


def cli_generate(emu, dialect: str, tmp_path: Path) -> None:
    """``videogen generate`` prints the video's path; ``--json`` gives the record."""
    out = tmp_path / "cli.mp4"
    run = videogen("generate", *service(emu, dialect), "--model", "m", "--prompt", "a lantern", "--output", str(out),
                   "--quiet")
    assert run.status == 0, run.err
    assert run.out.strip() == str(out) and out.read_bytes() == SAMPLE


def resume_in_new_process(emu, dialect: str, tmp_path: Path, model: str = "m") -> dict:
    """A record written by this process is resumed by ``videogen resume`` in another one, which downloads."""
    with make_client(emu, dialect) as client:
        task = client.submit(model=model, prompt="a lantern")
        record_path = tmp_path / "task.json"
        record_path.write_text(json.dumps(task.record()))
    out = tmp_path / "resumed.mp4"
    env = dict(os.environ, VIDEOGEN_API_KEY=API_KEY, PYTHONPATH=EMULATOR_PYTHONPATH)
    for name in ("VIDEOGEN_PROVIDER", "VIDEOGEN_DIALECT", "VIDEOGEN_BASE_URL"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-m", "videogen", "resume", str(record_path), "--output", str(out),
                           "--quiet", "--json", "--option", 'poll={"interval": 0.1, "max_interval": 0.3}'],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == SAMPLE
    final = json.loads(done.stdout)
    assert final["state"] == "succeeded" and final["download"]["path"] == str(out)
    return final


def canary_key(emu, dialect: str) -> None:
    """A wrong key is an AuthenticationError; the key appears in no message, repr or record."""
    canary = "sk-canary-5f0c2a9e77d1"
    with vg.Client(dialect=dialect, base_url=emu.base_url, api_key=canary) as client:
        with pytest.raises(vg.AuthenticationError) as caught:
            client.submit(model="m", prompt="p")
    assert canary not in str(caught.value) and canary not in repr(caught.value)
    with make_client(emu, dialect) as client:
        task = client.submit(model="m", prompt="p")
        assert API_KEY not in json.dumps(task.record())


def index_reachable(timeout: float = 5.0) -> bool:
    """True when the package index answers a TCP connection (checked explicitly before an SDK is installed)."""
    parts = urllib.parse.urlsplit(INDEX)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


def sdk_python(name: str, requirement: str) -> Path:
    """The Python of ``.build/sdk-venvs/<name>`` with ``requirement`` (pinned) installed; made once and reused.
    Skips, saying so, only when the package index cannot be reached."""
    venv = Path(ROOT) / ".build" / "sdk-venvs" / name
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if marker.exists() and marker.read_text() == requirement and python.exists():
        return python
    if not index_reachable():
        pytest.skip(f"the package index ({INDEX}) cannot be reached: {requirement} cannot be installed")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", requirement],
                   check=True, timeout=900)
    marker.write_text(requirement)
    return python


def run_sdk(python: Path, script: str, env: dict[str, str]) -> dict:
    """Run ``script`` with the SDK's Python; its last stdout line is a JSON object."""
    done = subprocess.run([str(python), "-c", script], env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
