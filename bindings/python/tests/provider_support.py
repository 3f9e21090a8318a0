"""Shared by the direct-provider tests (test_provider_*.py): an emulator, binding clients of a dialect, the canary
key check, and a pinned SDK in a virtual environment under ``.build/sdk-venvs`` driven against the emulator."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.parse

import pytest
from conftest import API_KEY, FAST_POLL, ROOT

import videogen

CANARY = "sk-canary-" + "7f3a9c2e5b1d4086"


def client_for(emu, dialect: str, **options) -> videogen.Client:
    """A binding client of ``dialect`` for ``emu`` with the fast poll schedule."""
    options.setdefault("poll", FAST_POLL)
    options.setdefault("api_key", API_KEY)
    return videogen.Client(dialect=dialect, base_url=emu.base_url, **options)


def assert_no_canary(*texts: str) -> None:
    """None of ``texts`` holds the canary key."""
    for text in texts:
        assert CANARY not in text


def index_reachable(host: str = "pypi.org", port: int = 443, timeout: float = 5.0) -> bool:
    """True when the package index answers a TCP connection (checked before an SDK install is tried)."""
    index = os.environ.get("PIP_INDEX_URL")
    if index:
        parts = urllib.parse.urlsplit(index)
        host, port = parts.hostname or host, parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def sdk_python(name: str, requirement: str, module: str) -> str:
    """The Python of ``.build/sdk-venvs/<name>`` with ``requirement`` installed (reused when present); skips the
    test only when the package index cannot be reached."""
    venv = os.path.join(ROOT, ".build", "sdk-venvs", name)
    python = os.path.join(venv, "bin", "python")
    marker = os.path.join(venv, "installed.txt")
    if os.path.exists(marker) and open(marker).read().strip() == requirement:
        return python
    if not index_reachable():
        pytest.skip(f"the package index cannot be reached: {requirement} cannot be installed")
    subprocess.run([sys.executable, "-m", "venv", "--clear", venv], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", requirement],
                   check=True, timeout=900)
    subprocess.run([python, "-c", f"import {module}"], check=True)
    with open(marker, "w") as handle:
        handle.write(requirement)
    return python


def run_sdk(python: str, script: str, env: dict[str, str]) -> dict:
    """Runs ``script`` with the SDK's Python; its last stdout line is JSON."""
    done = subprocess.run([python, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}, **env})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def resume_in_new_process(emu, dialect: str, record: dict, output: str, **options) -> str:
    """Resumes ``record`` in a new Python process (a client of ``dialect`` with ``options``), waits for it and
    downloads its video to ``output``; returns the final state's name."""
    from conftest import EMULATOR_PYTHONPATH
    settings = {"dialect": dialect, "base_url": emu.base_url, "api_key": API_KEY, "poll": FAST_POLL, **options}
    script = ("import json, sys, videogen\n"
              "settings, record, output = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]\n"
              "with videogen.Client(**settings) as client:\n"
              "    task = client.resume(record).wait(timeout=20)\n"
              "    task.download(output)\n"
              "    print(task.state.name)\n")
    done = subprocess.run([sys.executable, "-c", script, json.dumps(settings), json.dumps(record), output],
                          capture_output=True, text=True, env={"PYTHONPATH": EMULATOR_PYTHONPATH}, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
