"""Row 17 of the reliability table: a canary key goes through every path (success, faults, errors, the CLI) and
appears nowhere but in the Authorization header sent to the configured origin.

The scenarios run in a child process, so that everything the library and the binding could print, to the file
descriptors themselves and not only to Python's streams, is captured. The child prints every exception's ``str`` and
``repr`` and every task record; the test then searches that output, the child's stderr, every file the downloads
left (videos, ``.part`` files, resume notes, CLI records) and the emulator's request log for the key.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid

import pytest

from conftest import EMULATOR_DIR

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS_DIR = os.path.dirname(os.path.abspath(__file__))

SCENARIOS = textwrap.dedent(r'''
    import http.server, json, os, sys, threading
    import videogen
    from videogen_emulator import Emulator
    from key_echo import KeyEcho

    canary, out = sys.argv[1], sys.argv[2]
    seen = []

    def note(label, value):
        seen.append(label)
        print(label, value, flush=True)

    def attempt(label, action):
        try:
            result = action()
            note(label + " ok", result.record() if hasattr(result, "record") else result)
        except videogen.VideoGenError as error:
            note(label + " error", f"{error!s} | {error!r} | {error.message} | {error.provider_code}")

    class Echo(http.server.BaseHTTPRequestHandler):
        """A service that puts the key it was sent into its error message, as some do."""
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            key = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            body = json.dumps({"error": {"message": f"Incorrect API key provided: {key}", "code": "invalid_api_key"}}).encode()
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        do_GET = do_POST
        def log_message(self, *args):
            pass

    fast = {"interval": 0.05, "max_interval": 0.2, "min_interval": 0.02}
    with Emulator(api_key=canary, task_seconds=0.3) as emu:
        def client(**extra):
            return videogen.Client(dialect="openai", base_url=emu.base_url, api_key=canary, poll=fast, **extra)

        with client() as c:
            note("client", repr(c))
            attempt("generate", lambda: c.generate(model="sora-2", prompt="a fox", output=os.path.join(out, "ok.mp4")))
            emu.set_faults([{"fault": "redirect", "match": "/content"}])
            attempt("redirected", lambda: c.generate(model="sora-2", prompt="a fox", output=os.path.join(out, "cdn.mp4")))
            emu.set_faults([{"fault": "reset", "method": "POST"}])
            attempt("reset submit", lambda: c.submit(model="sora-2", prompt="a fox"))
            emu.set_faults([{"fault": "status:500", "match": "/v1/videos/"}])
            attempt("failing polls", lambda: c.retrieve("video_missing"))
            emu.set_faults([{"fault": "expire", "origin": "cdn"}, {"fault": "redirect", "match": "/content"}])
            done = c.submit(model="sora-2", prompt="a fox")
            done.wait(timeout=10)
            attempt("expired URL", lambda: done.download(os.path.join(out, "expired.mp4")))
            once = client(stall_timeout=0.5, retry={"max_attempts": 1})
            emu.set_faults([{"fault": "stall:2", "match": "/content"}])
            attempt("stalled download", lambda: once.retrieve(done.id).download(os.path.join(out, "stalled.mp4")))
            emu.set_faults([{"fault": "truncate:1000", "match": "/content"}])
            attempt("dropped download", lambda: once.retrieve(done.id).download(os.path.join(out, "dropped.mp4")))
            emu.set_faults([])
            attempt("unwritable path", lambda: done.download(os.path.join(out, "missing-dir", "v.mp4")))
            note("record", json.dumps(done.record()))
        with videogen.Client(dialect="openai", base_url=emu.base_url, api_key=canary + "-wrong", poll=fast) as wrong:
            attempt("wrong key", lambda: wrong.submit(model="sora-2", prompt="a fox"))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with videogen.Client(dialect="openai", base_url=f"http://127.0.0.1:{server.server_port}", api_key=canary) as echo:
            attempt("echoed key", lambda: echo.submit(model="sora-2", prompt="a fox"))
        server.shutdown()
        with KeyEcho() as service:
            def echoing(dialect="openai"):
                return videogen.Client(dialect=dialect, base_url=service.base_url, api_key=canary, poll=fast,
                                       retry={"max_attempts": 1})
            with echoing() as e:
                failing = e.submit(model="sora-2", prompt="a fox")
                attempt("echoed failure", lambda: failing.wait(timeout=10))
                error = failing.error
                note("echoed failure details", f"{error!s} | {error!r} | {error.message} | {error.provider_code} | "
                     f"{failing.model} | {failing.provider_status}")
                note("echoed failure record", json.dumps(failing.record()))
                attempt("key in id", lambda: e.submit(model="sora-2", prompt="key-in-id"))
                dropped = e.submit(model="sora-2", prompt="etag")
                dropped.wait(timeout=10)
                attempt("echoed etag", lambda: dropped.download(os.path.join(out, "etag.mp4")))
                note("echoed etag record", json.dumps(dropped.record()))
            with echoing("chat") as chat:
                replied = chat.submit(model="veo-3", prompt="a fox")
                note("echoed chat reply", f"{replied.error!s} | {replied.error.message} | {replied.model}")
                note("echoed chat record", json.dumps(replied.record()))
        log = emu.requests()
        print("LOG", json.dumps(log), flush=True)
        print("SCENARIOS", len(seen), flush=True)
''')


def _run(canary: str, out: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env, "PYTHONPATH": os.pathsep.join([PYTHON_DIR, EMULATOR_DIR, TESTS_DIR])}
    return subprocess.run([sys.executable, "-c", SCENARIOS, canary, out], capture_output=True, text=True,
                          env=environment, timeout=120)


def _files(root: str) -> dict[str, bytes]:
    found = {}
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, root)] = handle.read()
    return found


def test_canary_key_appears_nowhere(tmp_path):
    canary = f"sk-CANARY-{uuid.uuid4()}"
    done = _run(canary, str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    output = done.stdout
    assert "SCENARIOS 20" in output, output[-2000:]
    # Each failure scenario failed the way it should, and the successes succeeded.
    for label in ("generate ok", "redirected ok", "reset submit error", "failing polls error", "expired URL error",
                  "stalled download error", "dropped download error", "unwritable path error", "wrong key error", "echoed key error",
                  "echoed failure error", "key in id error", "echoed etag error"):
        assert label in output, label
    assert "Incorrect API key provided" in output, "the provider's message is kept, without the key"
    # A task's own words keep everything but the key: the reason, the code and the model, in the error the wait
    # raised, in vg_task_error_message (error.message) and in the record; a chat reply likewise.
    details = next(line for line in output.splitlines() if line.startswith("echoed failure details "))
    assert details.count("may not generate this video") >= 3 and "refused_<redacted>" in details, details
    assert "sora-<redacted>" in details, details
    record = json.loads(next(line for line in output.splitlines()
                             if line.startswith("echoed failure record "))[len("echoed failure record "):])
    assert record["error"]["message"] == "the key <redacted> may not generate this video", record
    assert record["error"]["provider_code"] == "refused_<redacted>" and record["model"] == "sora-<redacted>"
    assert "the key <redacted> may not use this model" in next(line for line in output.splitlines()
                                                                if line.startswith("echoed chat reply "))
    # An id that holds the key is refused, not kept; a validator that holds it is not kept in a note.
    assert "code=PROTOCOL" in next(line for line in output.splitlines() if line.startswith("key in id error"))
    assert canary not in output and canary not in done.stderr
    files = _files(str(tmp_path))
    assert "ok.mp4" in files and "cdn.mp4" in files
    assert any(name.endswith(".part.resume") for name in files), f"a kept part and its note are checked too: {sorted(files)}"
    leaks = [name for name, data in files.items() if canary.encode() in data]
    assert leaks == []
    log_line = next(line for line in output.splitlines() if line.startswith("LOG "))
    cdn = [entry for entry in __import__("json").loads(log_line[4:]) if entry["origin"] == "cdn"]
    assert cdn and all(entry["authorization"] == "none" for entry in cdn), "no key to the second origin"


def test_cli_never_prints_the_key(tmp_path):
    from videogen_emulator import Emulator
    canary = f"sk-CANARY-{uuid.uuid4()}"
    with Emulator(api_key=canary, task_seconds=0.2) as emu:
        record = tmp_path / "record.json"
        environment = {**os.environ, "PYTHONPATH": PYTHON_DIR, "VIDEOGEN_API_KEY": canary}
        argv = ["generate", "--dialect", "openai", "--base-url", emu.base_url, "--model", "sora-2", "--prompt", "p",
                "--output", str(tmp_path / "v.mp4"), "--record", str(record), "--json"]
        good = subprocess.run([sys.executable, "-m", "videogen", *argv], capture_output=True, text=True,
                              env=environment, timeout=60)
        bad = subprocess.run([sys.executable, "-m", "videogen", *argv], capture_output=True, text=True,
                             env={**environment, "VIDEOGEN_API_KEY": canary + "-wrong"}, timeout=60)
    assert good.returncode == 0, good.stderr[-2000:]
    assert bad.returncode == 3, bad.stderr[-2000:]
    for run in (good, bad):
        assert canary not in run.stdout and canary not in run.stderr
    assert record.exists() and canary.encode() not in record.read_bytes()


@pytest.mark.parametrize("variable", ["URLSessionDebugLibcurl", "URLSessionDebug", "CURL_DEBUG"])
def test_debug_variables_print_nothing(tmp_path, variable):
    """The library has no HTTP stack of Foundation's below it any more: the debug switches that made URLSession print
    request headers (keys included) to stderr do nothing, and the library prints no warning about them."""
    from videogen_emulator import Emulator
    canary = f"sk-CANARY-{uuid.uuid4()}"
    script = ("import sys, videogen\n"
              "with videogen.Client(dialect='openai', base_url=sys.argv[1], api_key=sys.argv[2]) as c:\n"
              "    t = c.submit(model='sora-2', prompt='p')\n"
              "    t.wait(timeout=30)\n")
    with Emulator(api_key=canary, task_seconds=0.1) as emu:
        done = subprocess.run([sys.executable, "-c", script, emu.base_url, canary], capture_output=True, text=True,
                              timeout=60, env={**os.environ, "PYTHONPATH": PYTHON_DIR, variable: "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr == "" and canary not in done.stdout


def test_cli_never_prints_the_key_a_service_echoes(tmp_path):
    """A service that repeats the key in a failed task's reason, code and model, and in a chat reply: the CLI shows
    the reason (``generate``, ``status``, with and without ``--json``) and writes the record, never the key."""
    from key_echo import KeyEcho
    canary = f"sk-CANARY-{uuid.uuid4()}"
    environment = {**os.environ, "PYTHONPATH": PYTHON_DIR, "VIDEOGEN_API_KEY": canary}

    def cli(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "videogen", *argv], capture_output=True, text=True,
                              env=environment, timeout=60)

    record = tmp_path / "record.json"
    with KeyEcho() as service:
        where = ["--dialect", "openai", "--base-url", service.base_url]
        failed = cli("generate", *where, "--model", "sora-2", "--prompt", "p", "--output", str(tmp_path / "v.mp4"),
                     "--record", str(record), "--json")
        line = cli("status", *where, "video_fail")
        as_json = cli("status", *where, "--json", "video_fail")
        chat = cli("generate", "--dialect", "chat", "--base-url", service.base_url, "--model", "veo-3", "--prompt", "p",
                   "--output", str(tmp_path / "c.mp4"))
    runs = {"generate": failed, "status": line, "status --json": as_json, "chat": chat}
    for name, run in runs.items():
        assert canary not in run.stdout and canary not in run.stderr, name
    assert failed.returncode != 0 and "the key <redacted> may not generate this video" in failed.stderr, failed.stderr
    assert "the key <redacted> may not generate this video" in line.stdout, line.stdout + line.stderr
    shown = json.loads(as_json.stdout)
    assert shown["error"]["provider_code"] == "refused_<redacted>" and shown["model"] == "sora-<redacted>", shown
    assert chat.returncode != 0 and "the key <redacted> may not use this model" in chat.stderr, chat.stderr
    assert record.exists() and canary.encode() not in record.read_bytes()
    assert json.loads(record.read_text())["error"]["message"] == "the key <redacted> may not generate this video"
