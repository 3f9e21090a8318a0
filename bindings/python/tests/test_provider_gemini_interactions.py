"""Gemini Omni video through the Interactions API (dialect ``gemini_interactions``) through the binding, the command
line (resumed in a new process) and the official google-genai SDK, all against the emulator.

The SDK fidelity test installs google-genai (pinned) into ``.build/sdk-venvs/google-genai-interactions`` and runs its
own ``client.interactions.create(background=True)`` + ``client.interactions.get`` loop + ``output_video`` read +
``client.interactions.cancel`` unchanged, pointed at the emulator with ``http_options`` (``base_url``). It skips,
saying so, only when the package index cannot be reached. The pin differs from the Veo tests' (2.34.0): the
Interactions client with Gemini Omni's video types is a 3.x addition.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from conftest import EMULATOR_PYTHONPATH, FAST_POLL, PYTHON_DIR, ROOT, call

import videogen
from test_emulator import SAMPLE
from test_provider_google import index_reachable, storage_headers
from videogen_emulator import Emulator

SDK_VERSION = "3.6.1"
SDK_VENV = Path(ROOT) / ".build" / "sdk-venvs" / "google-genai-interactions"
MODEL = "gemini-omni-flash-preview"


@pytest.fixture
def emu():
    """An emulator with a canary key, whose tasks finish after 0.3 s."""
    with Emulator(api_key=f"AIza-CANARY-{uuid.uuid4()}", task_seconds=0.3) as instance:
        yield instance


def client_for(emu, **options) -> videogen.Client:
    return videogen.Client(dialect="gemini_interactions", base_url=emu.base_url, api_key=emu.api_key, poll=FAST_POLL,
                           **options)


def requests_sent(emu) -> list[dict]:
    """The emulator's request log (method, path, ...; no bodies)."""
    return json.loads(call("GET", f"{emu.base_url}/_emulator/requests").body)


def created_bodies(emu) -> list[dict]:
    """The create bodies the emulator's interactions were made from."""
    return [task.extra["body"] for task in emu.store.all() if task.dialect == "gemini_interactions"]


# -- the binding ---------------------------------------------------------------------------------------------------

def test_generate_inline_video_and_resume_in_a_fresh_client(emu, tmp_path):
    with client_for(emu) as client:
        task = client.submit(model=MODEL, prompt="a fox", aspect_ratio="16:9", duration=8, seed=4)
        record = task.record()
    assert task.state is videogen.State.QUEUED and record["dialect"] == "gemini_interactions"
    with client_for(emu) as fresh:
        done = fresh.resume(record).wait(timeout=20)
        assert done.state is videogen.State.SUCCEEDED and done.video_url == "inline:interaction/videos/0"
        text = json.dumps(done.record())
        assert len(text) < 2048 and emu.api_key not in text
        assert done.download(tmp_path / "v.mp4").path.read_bytes() == SAMPLE
    assert not (tmp_path / "v.mp4.part").exists()
    sent = requests_sent(emu)
    assert any(r["method"] == "POST" and r["path"] == "/v1/interactions" for r in sent)
    assert emu.api_key not in json.dumps(sent)
    [body] = created_bodies(emu)
    assert body == {"model": MODEL, "input": "a fox", "background": True, "generation_config": {"seed": 4},
                    "response_format": {"type": "video", "aspect_ratio": "16:9", "duration": "8s"}}


def test_uri_delivery_downloads_without_the_key_at_storage(emu, tmp_path):
    with client_for(emu) as client:
        task = client.submit(model=MODEL, prompt="a fox", extra={"response_format": {"delivery": "uri"}}).wait(timeout=20)
        assert task.video_url.startswith(f"{emu.base_url}/v1beta/files/ix")
        assert task.download(tmp_path / "v.mp4").path.read_bytes() == SAMPLE
    assert storage_headers(emu) == []


def test_remote_cancel(emu):
    with client_for(emu) as client:
        task = client.submit(model="gemini-omni-emu-stuck", prompt="p")
        record = task.record()
        task.cancel(remote=True)
    with client_for(emu) as fresh:
        assert fresh.resume(record).poll().state is videogen.State.CANCELLED


def test_refusals_and_failures(emu):
    with client_for(emu) as client:
        for field, value in (("negative_prompt", "blur"), ("n", 2), ("fps", 24), ("callback_url", "https://x.example/c")):
            with pytest.raises(videogen.VideoGenError, match=f"'{field}'") as refused:
                client.submit(model=MODEL, prompt="p", **{field: value})
            assert refused.value.code == videogen.ErrorCode.UNSUPPORTED
        with pytest.raises(videogen.VideoGenError, match="http") as url:
            client.submit(model=MODEL, prompt="p", image="https://img.example.com/a.png")
        assert url.value.code == videogen.ErrorCode.UNSUPPORTED
        with pytest.raises(videogen.ContentPolicyError) as caught:
            client.submit(model="gemini-omni-emu-rai", prompt="p").wait(timeout=20)
        assert caught.value.provider_code == "SAFETY" and "Support codes" in caught.value.message
        with pytest.raises(videogen.VideoGenError) as budget:
            client.submit(model="gemini-omni-emu-budget", prompt="p").wait(timeout=20)
        assert budget.value.provider_code == "BUDGET_EXCEEDED"
        with pytest.raises(videogen.RateLimitError):
            client.submit(model="gemini-omni-emu-error-429", prompt="p")
    with videogen.Client(dialect="gemini_interactions", base_url=emu.base_url, api_key="AIza-wrong-00000") as wrong:
        with pytest.raises(videogen.AuthenticationError) as refused:
            wrong.submit(model=MODEL, prompt="p")
        assert refused.value.provider_code == "API_KEY_INVALID" and "AIza-wrong" not in str(refused.value)


def test_preset_dialect_and_vertex_fields_refused(emu):
    with videogen.Client(provider="gemini", dialect="gemini_interactions", base_url=emu.base_url,
                         api_key=emu.api_key) as client:
        assert client.submit(model=MODEL, prompt="p").id
    with pytest.raises(videogen.VideoGenError, match="'project'") as misplaced:
        videogen.Client(dialect="gemini_interactions", base_url=emu.base_url, api_key="k-123456", project="p")
    assert misplaced.value.code == videogen.ErrorCode.UNSUPPORTED


# -- the command line, resumed in a new process ----------------------------------------------------------------------

def run_cli(*argv: str, key: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": EMULATOR_PYTHONPATH, "VIDEOGEN_API_KEY": key}
    for name in ("VIDEOGEN_PROVIDER", "VIDEOGEN_DIALECT", "VIDEOGEN_BASE_URL"):
        environment.pop(name, None)
    return subprocess.run([sys.executable, "-m", "videogen", *argv], capture_output=True, text=True, env=environment,
                          timeout=120, cwd=PYTHON_DIR)


FAST = ["--option", 'poll={"interval": 0.1, "max_interval": 0.3}']


def test_cli_generate_then_resume_the_record_in_a_new_process(emu, tmp_path):
    key = emu.api_key
    record = tmp_path / "record.json"
    first = run_cli("generate", "--dialect", "gemini_interactions", "--base-url", emu.base_url, *FAST, "-m", MODEL,
                    "-p", "a fox", "-o", str(tmp_path / "a.mp4"), "--record", str(record), "-q", key=key)
    assert first.returncode == 0, first.stderr[-2000:]
    assert (tmp_path / "a.mp4").read_bytes() == SAMPLE
    saved = record.read_text()
    assert key not in saved and key not in first.stdout and key not in first.stderr
    assert len(saved) < 4096, "the record holds no video bytes"
    # Another process, with nothing but the record and the key: dialect, address and interaction come from the record.
    second = run_cli("resume", str(record), "-o", str(tmp_path / "b.mp4"), "-q", *FAST, key=key)
    assert second.returncode == 0, second.stderr[-2000:]
    assert (tmp_path / "b.mp4").read_bytes() == SAMPLE
    assert key not in second.stdout and key not in second.stderr


# -- the official SDK, unchanged, against the emulator ----------------------------------------------------------------

@pytest.fixture(scope="module")
def sdk_python() -> str:
    """The venv's interpreter, with google-genai==SDK_VERSION (installed on first use, reused after)."""
    python = SDK_VENV / "bin" / "python"
    check = [str(python), "-c", f"import google.genai, sys; sys.exit(google.genai.__version__ != '{SDK_VERSION}')"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return str(python)
    if not index_reachable():
        pytest.skip("the package index cannot be reached: google-genai cannot be installed for the SDK fidelity test")
    subprocess.run([sys.executable, "-m", "venv", str(SDK_VENV)], check=True, timeout=300)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"google-genai=={SDK_VERSION}"], check=True,
                   timeout=600)
    assert subprocess.run(check, capture_output=True).returncode == 0
    return str(python)


SDK_SCRIPT = textwrap.dedent("""
    import base64, sys, time
    from google import genai
    from google.genai import types
    base, key, out = sys.argv[1:4]
    client = genai.Client(api_key=key, http_options=types.HttpOptions(base_url=base))
    interaction = client.interactions.create(
        model="gemini-omni-flash-preview", input="a red fox in the snow", background=True,
        response_format={"type": "video", "aspect_ratio": "16:9", "duration": "8s"})
    print(interaction.status)
    while interaction.status in ("queued", "in_progress"):
        time.sleep(0.1)
        interaction = client.interactions.get(interaction.id)
    video = interaction.output_video
    data = video.data
    open(out, "wb").write(base64.b64decode(data) if isinstance(data, str) else data)
    print(interaction.status, video.mime_type, interaction.usage.total_tokens)
    by_uri = client.interactions.create(
        model="gemini-omni-flash-preview", input="p", background=True,
        response_format={"type": "video", "delivery": "uri"})
    while by_uri.status in ("queued", "in_progress"):
        time.sleep(0.1)
        by_uri = client.interactions.get(by_uri.id)
    print(by_uri.output_video.uri)
    stuck = client.interactions.create(model="gemini-omni-emu-stuck", input="p", background=True)
    print(client.interactions.cancel(stuck.id).status, client.interactions.get(stuck.id).status)
    failed = client.interactions.create(model="gemini-omni-emu-rai", input="p", background=True)
    while failed.status in ("queued", "in_progress"):
        time.sleep(0.1)
        failed = client.interactions.get(failed.id)
    print(failed.status, failed.errors[0].code)
""")


def test_sdk_interactions_create_poll_cancel(sdk_python, emu, tmp_path):
    run = subprocess.run([sdk_python, "-c", SDK_SCRIPT, emu.base_url, emu.api_key, str(tmp_path / "sdk.mp4")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    created, done, uri, cancelled, failed = run.stdout.splitlines()
    assert created == "queued"
    assert done == "completed video/mp4 5412"
    assert uri.startswith(f"{emu.base_url}/v1beta/files/ix") and uri.endswith(":download?alt=media")
    assert cancelled == "cancelled cancelled"
    assert failed == "failed SAFETY"
    assert (tmp_path / "sdk.mp4").read_bytes() == SAMPLE
    # The SDK speaks the same paths videogen does (google-genai 3.6.1's default API version, v1).
    paths = {(r["method"], r["path"].rsplit("/", 1)[0] if r["path"].count("/") > 2 else r["path"])
             for r in requests_sent(emu)}
    assert ("POST", "/v1/interactions") in paths and ("GET", "/v1/interactions") in paths
