"""The ``videogen`` command line: each subcommand, its output, its exit statuses, the key rules, Ctrl-C and
resume, run in-process through ``videogen.cli.main`` and, where a real process matters, as ``python -m videogen``."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import API_KEY, EMULATOR_PYTHONPATH, ROOT, SAMPLE_MP4, FaultServer

from videogen import ContentPolicyError
from cli_support import FAST, Run, key_in_environment, service, videogen  # noqa: F401 (the fixture is autouse)

from videogen.cli import ExitStatus
from videogen.cli.progress import ProgressDisplay
from videogen.progress import Progress
from videogen.state import State

PYTHON_DIR = os.path.join(ROOT, "bindings", "python")
def sample() -> bytes:
    with open(SAMPLE_MP4, "rb") as f:
        return f.read()


# -- generate ----------------------------------------------------------------------------------------------------

def test_generate_prints_the_path_and_shows_progress(emu, tmp_path):
    output = tmp_path / "fox.mp4"
    run = videogen("generate", *service(emu), "--model", "sora-2", "--prompt", "a fox", "--duration", "4",
                   "--size", "1280x720", "--output", str(output))
    assert run.status == 0, run.err
    assert run.out == f"{output}\n" and output.read_bytes() == sample()
    lines = run.err.splitlines()
    assert lines[0].startswith("task video_")
    assert "succeeded 100%" in lines and lines[-1] == "downloading 3.8 KiB of 3.8 KiB"
    assert any(line.startswith("running") for line in lines)
    stored = emu.store.get(lines[0].split()[1])
    assert (stored.seconds, stored.size) == ("4", "1280x720")


def test_generate_json_prints_the_final_snapshot(emu, tmp_path):
    run = videogen("generate", *service(emu), "-m", "sora-2", "-p", "a fox", "-o", str(tmp_path / "v.mp4"),
                   "--json", "--quiet")
    assert run.status == 0 and run.err == ""
    snapshot = json.loads(run.out)
    assert snapshot["state"] == "succeeded" and snapshot["download"]["path"] == str(tmp_path / "v.mp4")
    assert snapshot["download"]["bytes"] == len(sample())


def test_generate_request_options_and_params(emu, tmp_path):
    image = tmp_path / "ref.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 24)
    run = videogen("generate", *service(emu, "unified"), "-m", "kling-v1", "-p", "a fox", "--image", str(image),
                   "--aspect-ratio", "16:9", "--negative-prompt", "blur", "--param", "seed=42",
                   "--param", "mode=pro", "--param", "fps=30", "-o", str(tmp_path / "v.mp4"), "--json", "-q")
    assert run.status == 0, run.err
    stored = emu.store.get(json.loads(run.out)["id"])
    assert (stored.seed, stored.fps, stored.extra["mode"]) == (42, 30, "pro")
    assert stored.extra["metadata"]["aspect_ratio"] == "16:9"


def test_generate_with_a_provider_preset(emu, tmp_path):
    run = videogen("generate", "--provider", "openai", "--base-url", emu.base_url, *FAST, "-m", "sora-2",
                   "-p", "a fox", "-o", str(tmp_path / "v.mp4"), "--json", "-q")
    assert run.status == 0, run.err
    assert json.loads(run.out)["dialect"] == "openai" and (tmp_path / "v.mp4").read_bytes() == sample()


def test_generate_keeps_a_record_file(emu, tmp_path):
    record = tmp_path / "job.json"
    run = videogen("generate", *service(emu), "-m", "sora-2", "-p", "a fox", "-o", str(tmp_path / "v.mp4"),
                   "--record", str(record), "-q")
    assert run.status == 0
    saved = json.loads(record.read_text())
    assert saved["state"] == "succeeded" and saved["download"]["bytes"] == len(sample())


# -- exit statuses and one-line errors -----------------------------------------------------------------------------

def test_task_failed_names_the_providers_reason(emu, tmp_path):
    run = videogen("generate", *service(emu), "-m", "emu-fail", "-p", "a fox", "-o", str(tmp_path / "v.mp4"), "-q")
    assert run.status == ExitStatus.TASK_FAILED == 5
    assert run.err == ("videogen: error: refused by the content policy: The request was rejected by the safety "
                       "system (emulated). (content_policy_violation)\n")
    run = videogen("generate", *service(emu, "unified"), "-m", "emu-empty", "-p", "a fox",
                   "-o", str(tmp_path / "v.mp4"), "-q")
    assert run.status == 5 and run.err.startswith("videogen: error: task failed: ")
    assert not (tmp_path / "v.mp4").exists()


def test_authentication_failure(emu, tmp_path, monkeypatch):
    monkeypatch.setenv("VIDEOGEN_API_KEY", "sk-wrong")
    run = videogen("generate", *service(emu), "-m", "sora-2", "-p", "a fox", "-o", str(tmp_path / "v.mp4"))
    assert run.status == ExitStatus.AUTH == 3
    assert run.err.splitlines()[-1] == \
        "videogen: error: authentication failed: Incorrect API key provided. (invalid_api_key, HTTP 401)"
    assert "sk-wrong" not in run.err


def test_no_key_anywhere(emu, tmp_path, monkeypatch):
    monkeypatch.delenv("VIDEOGEN_API_KEY")
    run = videogen("generate", *service(emu), "-m", "sora-2", "-p", "a fox", "-o", str(tmp_path / "v.mp4"))
    assert run.status == 3 and "VIDEOGEN_API_KEY" in run.err and len(run.err.splitlines()) == 1


def test_key_from_a_named_variable(emu, tmp_path, monkeypatch):
    monkeypatch.delenv("VIDEOGEN_API_KEY")
    monkeypatch.setenv("MY_VIDEO_KEY", API_KEY)
    run = videogen("generate", *service(emu), "--api-key-env", "MY_VIDEO_KEY", "-m", "sora-2", "-p", "a fox",
                   "-o", str(tmp_path / "v.mp4"), "-q")
    assert run.status == 0 and run.err == ""


def test_api_key_on_the_command_line_works_but_warns(emu, tmp_path, monkeypatch):
    monkeypatch.delenv("VIDEOGEN_API_KEY")
    run = videogen("generate", *service(emu), "--api-key", API_KEY, "-m", "sora-2", "-p", "a fox",
                   "-o", str(tmp_path / "v.mp4"), "-q")
    assert run.status == 0
    assert run.err.startswith("videogen: warning: --api-key shows the key") and API_KEY not in run.err


def test_rate_limited(tmp_path):
    fault = FaultServer()
    try:
        fault.reply(429, {"error": {"message": "slow down", "code": "rate_limit_exceeded"}}, {"Retry-After": "600"})
        run = videogen("generate", "--dialect", "openai", "--base-url", fault.base_url, "-m", "sora-2",
                       "-p", "a fox", "-o", str(tmp_path / "v.mp4"))
    finally:
        fault.stop()
    assert run.status == ExitStatus.RATE_LIMITED == 4
    assert run.err == ("videogen: error: rate limited (retry after 600 s): slow down "
                       "(rate_limit_exceeded, HTTP 429)\n")


def test_deadline(emu, tmp_path):
    started = time.monotonic()
    run = videogen("generate", *service(emu), "-m", "emu-stuck", "-p", "a fox", "-o", str(tmp_path / "v.mp4"),
                   "--timeout", "0.5", "-q")
    assert run.status == ExitStatus.TIMEOUT == 6 and time.monotonic() - started < 10
    assert run.err.startswith("videogen: error: deadline passed (the task is still running): ")


def test_network_error(tmp_path):
    run = videogen("generate", "--dialect", "openai", "--base-url", "http://127.0.0.1:9", "--option",
                   'retry={"max_attempts": 1}', "-m", "sora-2", "-p", "a fox", "-o", str(tmp_path / "v.mp4"))
    assert run.status == ExitStatus.NETWORK == 7 and run.err.startswith("videogen: error: network error: ")


@pytest.mark.parametrize("argv, message", [
    (["generate", "-m", "sora-2", "-p", "x", "-o", "v.mp4"], "give --provider NAME, or --dialect and --base-url"),
    (["generate", "--dialect", "openai", "--base-url", "{url}", "-p", "x", "-o", "v.mp4"], "--model"),
    (["generate", "--dialect", "openai", "--base-url", "{url}", "-m", "m", "-p", "x", "-o", "v.mp4",
      "--aspect-ratio", "16:9"], "unsupported: "),
    (["generate", "--dialect", "openai", "--base-url", "{url}", "-m", "m", "-p", "x", "-o", "v.mp4",
      "--option", "colour=1"], "colour"),
    (["generate", "--dialect", "openai", "--base-url", "{url}", "-m", "m", "-p", "x", "-o", "v.mp4",
      "--param", "novalue"], "KEY=VALUE"),
    (["generate", "--dialect", "openai", "--base-url", "{url}", "-m", "m", "-p", "x", "-o", "v.mp4",
      "--timeout", "-3"], "positive"),
    (["status"], "TASK_ID"),
    (["resume", "/nonexistent/record.json"], "cannot read the record"),
    (["frobnicate"], "invalid choice"),
])
def test_usage_errors_exit_2(emu, argv, message, capsys):
    run = videogen(*(a.replace("{url}", emu.base_url) for a in argv))
    assert run.status == ExitStatus.USAGE == 2
    assert message in run.err + capsys.readouterr().err  # argparse writes its own errors to sys.stderr


def test_help_and_version(capsys):
    assert videogen("--help").status == 0
    text = capsys.readouterr().out
    for command in ("generate", "status", "download", "resume", "emulator"):
        assert command in text
    assert videogen("--version").status == 0 and capsys.readouterr().out.startswith("videogen 0.4.0")
    assert videogen("generate", "--help").status == 0
    assert "--api-key-env" in capsys.readouterr().out


# -- status, download, resume ------------------------------------------------------------------------------------

def _finished_task(emu, tmp_path) -> dict:
    run = videogen("generate", *service(emu), "-m", "sora-2", "-p", "a fox", "-o", str(tmp_path / "first.mp4"),
                   "--json", "-q")
    assert run.status == 0
    return json.loads(run.out)


def test_status_of_several_tasks(emu, tmp_path):
    done = _finished_task(emu, tmp_path)
    failed = json.loads(videogen("generate", *service(emu), "-m", "emu-fail", "-p", "x", "-o",
                                 str(tmp_path / "f.mp4"), "--json", "-q").out or "{}").get("id")
    assert failed is None  # --json prints nothing when the command fails
    run = videogen("status", *service(emu), done["id"])
    assert run.status == 0 and run.out == f"{done['id']}\tsucceeded\t100%\n"
    run = videogen("status", *service(emu), "video_000000000000000000000000", done["id"], "--json")
    assert run.status == ExitStatus.NOT_FOUND == 8
    assert json.loads(run.out)["state"] == "succeeded"  # the known task is still shown
    assert run.err.startswith("videogen: error: video_000000000000000000000000: not found: ")


def test_status_shows_the_failure_reason(emu):
    from conftest import make_client
    with make_client(emu) as client:
        task = client.submit(model="emu-fail", prompt="x")
        with pytest.raises(ContentPolicyError):
            task.wait(timeout=20)
    run = videogen("status", *service(emu), task.id)
    assert run.status == 0
    assert run.out.startswith(f"{task.id}\tfailed\t") and run.out.endswith("(emulated).\n")


def test_download_by_id_waits_if_needed(emu, tmp_path):
    from conftest import make_client
    with make_client(emu) as client:
        task_id = client.submit(model="sora-2", prompt="a fox").id
    output = tmp_path / "by-id.mp4"
    run = videogen("download", *service(emu), task_id, "--output", str(output))
    assert run.status == 0 and run.out == f"{output}\n" and output.read_bytes() == sample()
    assert "succeeded 100%" in run.err.splitlines()
    run = videogen("download", *service(emu), "video_000000000000000000000000", "-o", str(tmp_path / "x.mp4"))
    assert run.status == 8


def test_resume_a_record(emu, tmp_path):
    from conftest import make_client
    with make_client(emu) as client:
        record = client.submit(model="sora-2", prompt="a fox").record()
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    output = tmp_path / "resumed.mp4"
    run = videogen("resume", str(path), "-o", str(output), *FAST)  # dialect and URL come from the record
    assert run.status == 0, run.err
    assert run.out == f"{output}\n" and output.read_bytes() == sample()


def test_resume_defaults_to_the_task_id_as_file_name(emu, tmp_path, monkeypatch):
    from conftest import make_client
    with make_client(emu) as client:
        record = client.submit(model="sora-2", prompt="a fox").record()
    (tmp_path / "r.json").write_text(json.dumps(record))
    monkeypatch.chdir(tmp_path)
    run = videogen("resume", "r.json", *FAST, "-q")
    assert run.status == 0 and run.out == f"{record['id']}.mp4\n"
    assert (tmp_path / f"{record['id']}.mp4").read_bytes() == sample()
    (tmp_path / "bad.json").write_text("[1, 2]")
    assert videogen("resume", "bad.json").status == 2


# -- the progress display ------------------------------------------------------------------------------------------

def test_progress_bar_on_a_terminal():
    stream = io.StringIO()
    display = ProgressDisplay(stream, interactive=True)
    task = object()
    display(Progress(task, "status", State.RUNNING, 40, None))  # type: ignore[arg-type]
    display(Progress(task, "status", State.RUNNING, 40, None))  # type: ignore[arg-type]  (unchanged: not redrawn)
    display(Progress(task, "download", State.SUCCEEDED, 100, None, 2048, 4096))  # type: ignore[arg-type]
    display.finish()
    text = stream.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n")
    assert "] " in text and " 40% running" in text and " 50% downloading 2.0 KiB of 4.0 KiB" in text


def test_plain_lines_otherwise():
    stream = io.StringIO()
    display = ProgressDisplay(stream, interactive=False)
    task = object()
    for percent in (None, 10, 10, 60):
        state, queue = (State.RUNNING, None) if percent else (State.QUEUED, 2)
        display(Progress(task, "status", state, percent, queue))  # type: ignore[arg-type]
    display(Progress(task, "download", State.SUCCEEDED, 100, None, 10, 20))  # type: ignore[arg-type]
    display(Progress(task, "download", State.SUCCEEDED, 100, None, 20, 20))  # type: ignore[arg-type]
    assert stream.getvalue().splitlines() == ["queued (queue position 2)", "running 10%", "running 60%",
                                              "downloading 20 B of 20 B"]


# -- real processes: python -m videogen, the emulator subcommand, Ctrl-C -----------------------------------------------

def spawn(*argv: str, **env: str) -> subprocess.Popen:
    environment = {**os.environ, "PYTHONPATH": PYTHON_DIR, "VIDEOGEN_API_KEY": API_KEY, **env}
    return subprocess.Popen([sys.executable, "-m", "videogen", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environment, cwd=PYTHON_DIR)


def test_emulator_subcommand_serves_generate(tmp_path):
    emulator = spawn("emulator", "--port", "0", "--task-seconds", "0.5", "--api-key", API_KEY,
                     PYTHONPATH=EMULATOR_PYTHONPATH)
    try:
        base_url = emulator.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:"), emulator.stderr.read()
        output = tmp_path / "cli.mp4"
        child = spawn("generate", "--dialect", "openai", "--base-url", base_url, *FAST, "-m", "sora-2",
                      "-p", "a fox", "-o", str(output))
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        assert out == f"{output}\n" and output.read_bytes() == sample()
    finally:
        emulator.send_signal(signal.SIGTERM)
        emulator.communicate(timeout=10)
    assert emulator.returncode == 0


def test_emulator_subcommand_names_the_package_when_it_is_not_installed(monkeypatch):
    """Without the emulator's package (a product of its own), ``videogen emulator`` says in one line what to
    install, and exits 1; ``--help`` still lists the subcommand."""
    monkeypatch.setitem(sys.modules, "videogen_emulator", None)  # makes `import videogen_emulator` fail
    run = videogen("emulator", "--port", "0")
    assert run.status == ExitStatus.ERROR == 1 and run.out == ""
    assert run.err.count("\n") == 1 and run.err.startswith("videogen emulator: the emulator (package "
                                                              "videogen-emulator) is not installed")
    assert "pip install ./emulator" in run.err


def test_emulator_subcommand_names_itself_in_usage_errors():
    run = spawn("emulator", "--task-seconds", "soon", PYTHONPATH=EMULATOR_PYTHONPATH)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 2 and out == ""
    assert err.startswith("usage: videogen emulator ") and "--task-seconds: invalid float value" in err


def test_ctrl_c_cancels_cleanly_and_prints_a_resumable_record(make_emu, tmp_path):
    emu = make_emu(task_seconds=2.5)
    child = spawn("generate", "--dialect", "openai", "--base-url", emu.base_url, *FAST, "-m", "sora-2",
                  "-p", "a fox", "-o", str(tmp_path / "v.mp4"))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(e["path"].startswith("/v1/videos/") for e in emu.requests()):
        time.sleep(0.05)  # interrupt once it is polling
    started = time.monotonic()
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=20)
    assert child.returncode == ExitStatus.INTERRUPTED == 130, err
    assert time.monotonic() - started < 15  # a hang guard (an ignored interrupt shows as exit status 0 above)
    record = json.loads(out)
    assert record["state"] in ("queued", "running") and record["id"].startswith("video_")
    assert f"interrupted; task {record['id']} keeps running on the service" in err
    assert "videogen resume" in err and "Traceback" not in err
    assert not (tmp_path / "v.mp4").exists()

    (tmp_path / "record.json").write_text(out)
    resumed = spawn("resume", str(tmp_path / "record.json"), *FAST, "-o", str(tmp_path / "v.mp4"))
    out, err = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, err
    assert out == f"{tmp_path / 'v.mp4'}\n" and (tmp_path / "v.mp4").read_bytes() == sample()
