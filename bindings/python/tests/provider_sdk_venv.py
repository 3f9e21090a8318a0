"""A provider's official Python SDK in its own virtual environment under ``.build/sdk-venvs/<name>`` (pinned,
reused when present), and a way to run a script with it against the emulator.

The SDKs are not dependencies of the binding: each lives in its own venv, so their dependency trees never meet
ours. A missing venv is created with the pinned version from the package index; the test is skipped (with the
reason) only when the index cannot be reached, which is checked explicitly first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from conftest import ROOT

VENVS = os.path.join(ROOT, ".build", "sdk-venvs")
INDEX = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")


def _index_reachable(package: str) -> str | None:
    """None when the package index answers for ``package``, else why not."""
    try:
        with urllib.request.urlopen(f"{INDEX}/{package}/", timeout=15) as answer:
            return None if answer.status == 200 else f"HTTP {answer.status}"
    except (urllib.error.URLError, OSError) as exc:
        return str(exc)


def sdk_python(name: str, package: str, version: str) -> str:
    """The python of the venv holding ``package==version`` (created on first use), or a skip when the index is out
    of reach and the venv is not there yet."""
    venv = os.path.join(VENVS, f"{name}-{version}")
    python = os.path.join(venv, "bin", "python")
    marker = os.path.join(venv, ".installed")
    if os.path.exists(marker):
        return python
    problem = _index_reachable(package)
    if problem is not None:
        pytest.skip(f"the package index ({INDEX}) cannot be reached to install {package}=={version}: {problem}")
    subprocess.run([sys.executable, "-m", "venv", "--clear", venv], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    f"{package}=={version}"], check=True, timeout=600)
    with open(marker, "w") as note:
        note.write(f"{package}=={version}\n")
    return python


def run_sdk(python: str, script: str, env: dict[str, str], timeout: float = 60) -> dict:
    """Runs ``script`` with the SDK's python; it prints one JSON document as its last line, returned here."""
    completed = subprocess.run([python, "-c", script], env={**os.environ, **env}, capture_output=True, text=True,
                               timeout=timeout)
    assert completed.returncode == 0, f"the SDK script failed:\n{completed.stderr[-4000:]}"
    return json.loads(completed.stdout.strip().splitlines()[-1])
