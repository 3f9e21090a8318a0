"""Issue 11, points 7 and 9, through the binding and the CLI: text that is not UTF-8 is refused naming its field,
never sent with U+FFFD in place of the bad bytes, and a download path whose bytes are not UTF-8 is refused, never
rewritten to another name. In Python such text is a string with a lone surrogate: what ``surrogateescape`` makes
of undecodable bytes in ``sys.argv`` and file names."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import API_KEY

import videogen

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("fields, name", [
    ({"prompt": "a fox \udcff in the snow"}, "prompt"),
    ({"model": "sora\udcc3"}, "model"),
    ({"metadata": {"note": ["ok", "\ud800"]}}, "metadata.note[1]"),
])
def test_request_text_not_utf8_refused_by_field(emu, client, fields, name):
    with pytest.raises(videogen.InvalidArgumentError, match=f"field '{re.escape(name)}' is not valid UTF-8"):
        client.submit(**{"model": "sora-2", "prompt": "a fox", **fields})
    assert emu.requests() == [], "nothing reached the service"


def test_download_path_not_utf8_refused(client, tmp_path):
    task = client.submit(model="sora-2", prompt="a fox")
    task.wait(timeout=20)
    target = os.path.join(str(tmp_path), os.fsdecode(b"v\xff.mp4"))      # the bytes b".../v\xff.mp4"
    with pytest.raises(videogen.InvalidArgumentError, match="path is not valid UTF-8"):
        task.download(target)
    assert os.listdir(tmp_path) == [], "nothing written, in particular not at 'v\ufffd.mp4'"


def test_cli_refuses_arguments_not_utf8(emu, tmp_path):
    environment = {**os.environ, "PYTHONPATH": PYTHON_DIR, "VIDEOGEN_API_KEY": API_KEY}
    base = [sys.executable, "-m", "videogen", "generate", "--dialect", "openai", "--base-url", emu.base_url,
            "--model", "sora-2", "--quiet"]
    prompt = subprocess.run(base + ["--prompt", b"a fox \xff", "--output", str(tmp_path / "v.mp4")],
                            capture_output=True, env=environment, timeout=60)
    assert prompt.returncode == 2, prompt.stderr
    assert b"field 'prompt' is not valid UTF-8" in prompt.stderr, prompt.stderr
    assert emu.requests() == [], "nothing reached the service"
    output = subprocess.run(base + ["--prompt", "a fox", "--output", os.fsencode(str(tmp_path)) + b"/v\xff.mp4"],
                            capture_output=True, env=environment, timeout=60)
    assert output.returncode == 2, output.stderr
    assert b"path is not valid UTF-8" in output.stderr, output.stderr
    assert os.listdir(tmp_path) == []
