"""Veo on Google's Gemini API and Vertex AI through the binding, the command line (resumed in a new process) and the
official google-genai SDK, all against the emulator's Google routes.

The SDK fidelity tests install google-genai (pinned) into ``.build/sdk-venvs/google-genai`` and run its own
``client.models.generate_videos`` + ``client.operations.get`` loop + result read unchanged, pointed at the emulator
with ``http_options`` (``base_url``; ``api_version="v1"`` for Vertex, whose SDK default is ``v1beta1``). They skip,
saying so, only when the package index cannot be reached. google-genai 3.x refuses ``generate_videos`` on the Gemini
API ("only supported in Gemini Enterprise Agent Platform mode"), so the pin is the last 2.x release, which speaks both.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import urllib.parse
import uuid
from pathlib import Path

import pytest
from conftest import EMULATOR_PYTHONPATH, FAST_POLL, PYTHON_DIR, ROOT, call, post_json

import videogen
from test_emulator import SAMPLE
from videogen_emulator import Emulator

SDK_VERSION = "2.34.0"
SDK_VENV = Path(ROOT) / ".build" / "sdk-venvs" / "google-genai"
MODEL = "veo-3.0-generate-001"


@pytest.fixture
def google_emu():
    """An emulator with a canary key, whose tasks finish after 0.3 s."""
    with Emulator(api_key=f"AIza-CANARY-{uuid.uuid4()}", task_seconds=0.3) as instance:
        yield instance


def gemini_client(emu, **options) -> videogen.Client:
    return videogen.Client(dialect="gemini", base_url=emu.base_url, api_key=emu.api_key, poll=FAST_POLL, **options)


def vertex_client(emu, **options) -> videogen.Client:
    options.setdefault("access_token", emu.api_key)
    return videogen.Client(dialect="vertex", base_url=emu.base_url, project="proj-py", poll=FAST_POLL, **options)


def storage_headers(emu) -> list[str]:
    return json.loads(call("GET", f"{emu.base_url}/_emulator/google/accounts").body)["storage_credential_headers"]


def key_pair(directory: Path) -> tuple[Path, str]:
    """A fresh RSA key pair made with openssl at run time (no key is committed): private PEM path, public PEM."""
    private, public = directory / "key.pem", directory / "pub.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(private)],
                   check=True, capture_output=True, timeout=60)
    subprocess.run(["openssl", "pkey", "-in", str(private), "-pubout", "-out", str(public)],
                   check=True, capture_output=True, timeout=60)
    return private, public.read_text()


def service_account(emu, directory: Path, email: str = "py@proj-py.iam.gserviceaccount.com") -> Path:
    """A key file whose token_uri is the emulator's, its public key registered there."""
    private, public = key_pair(directory)
    assert post_json(f"{emu.base_url}/_emulator/google/accounts",
                     {"client_email": email, "public_key": public}, headers={}).status == 200
    path = directory / "sa.json"
    path.write_text(json.dumps({"type": "service_account", "project_id": "proj-py", "private_key_id": "kid-py",
                                "private_key": private.read_text(), "client_email": email,
                                "token_uri": f"{emu.base_url}/oauth2/token"}))
    return path


# -- the binding ---------------------------------------------------------------------------------------------------

def test_gemini_generate_downloads_through_storage_without_the_key(google_emu, tmp_path):
    with gemini_client(google_emu) as client:
        task = client.submit(model=MODEL, prompt="a fox", aspect_ratio="16:9", duration=8).wait(timeout=20)
        assert task.state is videogen.State.SUCCEEDED
        assert task.id.startswith(f"models/{MODEL}/operations/")
        assert task.download(tmp_path / "v.mp4").path.read_bytes() == SAMPLE
        record = json.dumps(task.record())
    assert storage_headers(google_emu) == [], "storage received no credential header"
    assert google_emu.api_key not in record


def test_gemini_refusals_and_failures(google_emu):
    with gemini_client(google_emu) as client:
        with pytest.raises(videogen.VideoGenError, match="'seed'") as seed:
            client.submit(model=MODEL, prompt="p", seed=3)
        assert seed.value.code == videogen.ErrorCode.UNSUPPORTED
        with pytest.raises(videogen.VideoGenError, match="http") as url:
            client.submit(model=MODEL, prompt="p", image="https://img.example.com/a.png")
        assert url.value.code == videogen.ErrorCode.UNSUPPORTED
        filtered = client.submit(model="veo-emu-rai", prompt="p")
        with pytest.raises(videogen.ContentPolicyError) as caught:
            filtered.wait(timeout=20)
        assert caught.value.provider_code == "raiMediaFiltered" and "Support codes" in caught.value.message
        with pytest.raises(videogen.RateLimitError):
            client.submit(model="veo-emu-error-429", prompt="p")
    with videogen.Client(dialect="gemini", base_url=google_emu.base_url, api_key="AIza-wrong-00000") as wrong:
        with pytest.raises(videogen.AuthenticationError) as refused:
            wrong.submit(model=MODEL, prompt="p")
        assert refused.value.provider_code == "API_KEY_INVALID" and "AIza-wrong" not in str(refused.value)


def test_vertex_inline_video_and_a_small_record(google_emu, tmp_path):
    with vertex_client(google_emu) as client:
        task = client.submit(model=MODEL, prompt="a fox", seed=5, fps=24).wait(timeout=20)
        assert task.video_url == "inline:videos/0"
        record = task.record()
        text = json.dumps(record)
        assert len(text) < 2048 and google_emu.api_key not in text
    with videogen.Client(dialect="vertex", base_url=google_emu.base_url, access_token=google_emu.api_key) as fresh:
        resumed = fresh.resume(record)          # no project: the operation name in the record holds it
        assert resumed.download(tmp_path / "v.mp4").path.read_bytes() == SAMPLE
        assert not (tmp_path / "v.mp4.part").exists()


def test_vertex_gcs_result_is_refused_at_download(google_emu, tmp_path):
    with vertex_client(google_emu) as client:
        task = client.submit(model=MODEL, prompt="p", extra={"storageUri": "gs://py-bucket/out"}).wait(timeout=20)
        assert task.video_url.startswith("gs://py-bucket/out/")
        with pytest.raises(videogen.VideoGenError, match="gs://py-bucket/out/") as refused:
            task.download(tmp_path / "v.mp4")
        assert refused.value.code == videogen.ErrorCode.UNSUPPORTED
    assert not (tmp_path / "v.mp4").exists()


def test_vertex_service_account_mints_one_token(google_emu, tmp_path):
    account = service_account(google_emu, tmp_path)
    with videogen.Client(dialect="vertex", base_url=google_emu.base_url, project="proj-py",
                         service_account_file=str(account), poll=FAST_POLL) as client:
        task = client.submit(model=MODEL, prompt="p").wait(timeout=20)
        assert task.download(tmp_path / "v.mp4").path.read_bytes() == SAMPLE
        record = json.dumps(task.record())
    state = json.loads(call("GET", f"{google_emu.base_url}/_emulator/google/accounts").body)
    assert state["exchanges"] == 1 and state["tokens"] == 1
    assert "ya29." not in record and "PRIVATE KEY" not in record


def test_vertex_configuration_errors(google_emu, tmp_path):
    with pytest.raises(videogen.VideoGenError, match="'project'") as misplaced:
        videogen.Client(dialect="gemini", base_url=google_emu.base_url, api_key="k-123456", project="p")
    assert misplaced.value.code == videogen.ErrorCode.UNSUPPORTED
    with pytest.raises(videogen.InvalidArgumentError, match="exclude"):
        videogen.Client(dialect="vertex", base_url=google_emu.base_url, access_token="t-123456",
                        service_account_file=str(tmp_path / "none.json"))
    with pytest.raises(videogen.InvalidArgumentError, match="service_account_file"):
        videogen.Client(dialect="vertex", base_url=google_emu.base_url, service_account_file=str(tmp_path / "none.json"))


# -- the command line, resumed in a new process ----------------------------------------------------------------------

def run_cli(*argv: str, key: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": EMULATOR_PYTHONPATH, "VIDEOGEN_API_KEY": key, **(extra_env or {})}
    for name in ("VIDEOGEN_PROVIDER", "VIDEOGEN_DIALECT", "VIDEOGEN_BASE_URL"):
        environment.pop(name, None)
    return subprocess.run([sys.executable, "-m", "videogen", *argv], capture_output=True, text=True, env=environment,
                          timeout=120, cwd=PYTHON_DIR)


FAST = ["--option", 'poll={"interval": 0.1, "max_interval": 0.3}']


@pytest.mark.parametrize("dialect", ["gemini", "vertex"])
def test_cli_generate_then_resume_the_record_in_a_new_process(google_emu, tmp_path, dialect):
    key = google_emu.api_key
    service = ["--dialect", dialect, "--base-url", google_emu.base_url, *FAST]
    if dialect == "vertex":
        service += ["--option", "project=proj-cli"]
    record = tmp_path / "record.json"
    first = run_cli("generate", *service, "-m", MODEL, "-p", "a fox", "-o", str(tmp_path / "a.mp4"),
                    "--record", str(record), "-q", key=key)
    assert first.returncode == 0, first.stderr[-2000:]
    assert (tmp_path / "a.mp4").read_bytes() == SAMPLE
    saved = record.read_text()
    assert key not in saved and key not in first.stdout and key not in first.stderr
    # Another process, with nothing but the record and the key: dialect, address and operation come from the record.
    second = run_cli("resume", str(record), "-o", str(tmp_path / "b.mp4"), "-q", *FAST, key=key)
    assert second.returncode == 0, second.stderr[-2000:]
    assert (tmp_path / "b.mp4").read_bytes() == SAMPLE
    assert key not in second.stdout and key not in second.stderr


def test_cli_vertex_with_a_service_account(google_emu, tmp_path):
    account = service_account(google_emu, tmp_path)
    run = run_cli("generate", "--dialect", "vertex", "--base-url", google_emu.base_url, *FAST,
                  "--option", "project=proj-cli", "--option", f"service_account_file={account}",
                  "-m", MODEL, "-p", "p", "-o", str(tmp_path / "v.mp4"), "--json", key="unused")
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "v.mp4").read_bytes() == SAMPLE
    assert "ya29." not in run.stdout + run.stderr


# -- the official SDK, unchanged, against the emulator ----------------------------------------------------------------

def index_reachable() -> bool:
    """True when the package index pip uses answers (its host from PIP_INDEX_URL, else PyPI)."""
    url = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/")
    host = urllib.parse.urlsplit(url).hostname or "pypi.org"
    port = urllib.parse.urlsplit(url).port or 443
    try:
        socket.create_connection((host, port), timeout=10).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def sdk_python() -> str:
    """The venv's interpreter, with google-genai==SDK_VERSION (installed on first use, reused after)."""
    python = SDK_VENV / "bin" / "python"
    check = [str(python), "-c", f"import google.genai, sys; sys.exit(google.genai.__version__ != '{SDK_VERSION}')"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return str(python)
    if not index_reachable():
        pytest.skip("the package index cannot be reached: google-genai cannot be installed for the SDK fidelity tests")
    subprocess.run([sys.executable, "-m", "venv", str(SDK_VENV)], check=True, timeout=300)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"google-genai=={SDK_VERSION}"], check=True,
                   timeout=600)
    assert subprocess.run(check, capture_output=True).returncode == 0
    return str(python)


SDK_GEMINI = textwrap.dedent("""
    import sys, time
    from google import genai
    from google.genai import types
    base, key, out = sys.argv[1:4]
    client = genai.Client(api_key=key, http_options=types.HttpOptions(base_url=base))
    operation = client.models.generate_videos(
        model="veo-3.0-generate-001", prompt="a red fox in the snow",
        config=types.GenerateVideosConfig(aspect_ratio="16:9", number_of_videos=1, duration_seconds=8,
                                          negative_prompt="blur"))
    while not operation.done:
        time.sleep(0.1)
        operation = client.operations.get(operation)
    video = operation.result.generated_videos[0].video
    print(video.uri)
    # files.download takes the file name from an https:// URI only (t_file_name): the emulator is plain http.
    data = client.files.download(file=types.Video(uri=video.uri.replace("http://", "https://", 1)))
    open(out, "wb").write(data)
    filtered = client.models.generate_videos(model="veo-emu-rai", prompt="p")
    while not filtered.done:
        time.sleep(0.1)
        filtered = client.operations.get(filtered)
    print(filtered.result.rai_media_filtered_count, filtered.result.rai_media_filtered_reasons[0][:20])
""")

SDK_VERTEX = textwrap.dedent("""
    import sys, time
    from google import genai
    from google.genai import types
    base, mode, credential, out = sys.argv[1:5]
    if mode == "token":
        from google.oauth2.credentials import Credentials
        credentials = Credentials(token=credential)
    else:
        from google.oauth2 import service_account
        credentials = service_account.Credentials.from_service_account_file(
            credential, scopes=["https://www.googleapis.com/auth/cloud-platform"])
    client = genai.Client(vertexai=True, project="proj-sdk", location="us-central1", credentials=credentials,
                          http_options=types.HttpOptions(base_url=base, api_version="v1"))
    operation = client.models.generate_videos(
        model="veo-3.0-generate-001", prompt="a red fox in the snow",
        config=types.GenerateVideosConfig(aspect_ratio="16:9", number_of_videos=1, seed=7, fps=24))
    while not operation.done:
        time.sleep(0.1)
        operation = client.operations.get(operation)
    video = operation.result.generated_videos[0].video
    open(out, "wb").write(video.video_bytes)
    print(operation.name, video.mime_type)
    stored = client.models.generate_videos(model="veo-3.0-generate-001", prompt="p",
                                           config=types.GenerateVideosConfig(output_gcs_uri="gs://sdk-bucket/out"))
    while not stored.done:
        time.sleep(0.1)
        stored = client.operations.get(stored)
    print(stored.result.generated_videos[0].video.uri)
""")


def run_sdk(python: str, script: str, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([python, "-c", script, *argv], capture_output=True, text=True, timeout=120)


def test_sdk_gemini_generate_poll_and_download(sdk_python, google_emu, tmp_path):
    # google-genai's download (httpx) keeps x-goog-api-key across the redirect to storage, which videogen never
    # does: storage is told to count credential headers instead of refusing them, and the count shows the difference.
    assert post_json(f"{google_emu.base_url}/_emulator/google/storage", {"refuse_credentials": False},
                     headers={}).status == 200
    run = run_sdk(sdk_python, SDK_GEMINI, google_emu.base_url, google_emu.api_key, str(tmp_path / "sdk.mp4"))
    assert run.returncode == 0, run.stderr[-3000:]
    uri, rai = run.stdout.splitlines()
    assert uri.startswith(f"{google_emu.base_url}/v1beta/files/") and uri.endswith(":download?alt=media")
    assert (tmp_path / "sdk.mp4").read_bytes() == SAMPLE
    assert rai == "1 Veo could not genera"
    assert storage_headers(google_emu) == ["x-goog-api-key"]


def test_sdk_vertex_with_an_access_token(sdk_python, google_emu, tmp_path):
    run = run_sdk(sdk_python, SDK_VERTEX, google_emu.base_url, "token", google_emu.api_key, str(tmp_path / "sdk.mp4"))
    assert run.returncode == 0, run.stderr[-3000:]
    name, gcs = run.stdout.splitlines()
    assert name.startswith(f"projects/proj-sdk/locations/us-central1/publishers/google/models/{MODEL}/operations/")
    assert name.endswith(" video/mp4") and gcs.startswith("gs://sdk-bucket/out/")
    assert (tmp_path / "sdk.mp4").read_bytes() == SAMPLE


def test_sdk_vertex_with_a_service_account(sdk_python, google_emu, tmp_path):
    """google-auth signs the JWT itself; the emulator's token endpoint verifies it like ours."""
    account = service_account(google_emu, tmp_path, email="sdk@proj-sdk.iam.gserviceaccount.com")
    run = run_sdk(sdk_python, SDK_VERTEX, google_emu.base_url, "sa", str(account), str(tmp_path / "sdk.mp4"))
    assert run.returncode == 0, run.stderr[-3000:]
    assert (tmp_path / "sdk.mp4").read_bytes() == SAMPLE
    assert json.loads(call("GET", f"{google_emu.base_url}/_emulator/google/accounts").body)["exchanges"] == 1
