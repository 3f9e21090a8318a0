"""The client side of the hostile-server tests, run as a child process of pytest: ``python3 hostile_client.py``.

It reads a job from stdin, ``{"cases": [...]}``, and writes one JSON line per case to stdout. It loads libvideogen
once and then forks a worker that runs the cases one after the other (or one worker per case, for a case marked
``isolate``, whose peak memory is then the worker's own). A worker that crashes (a signal, an exit without a result)
or outlives a case's ``hard_limit`` costs only that case: it is reported as crashed or hung, with the tail of the
worker's stderr, and a new worker goes on with the next case. So a crash in the library is a test failure, never
the death of the test runner.

A case: ``name``, ``kind`` (``submit``, ``poll`` or ``download``; ``selftest-abort`` and ``selftest-hang`` test the
runner itself), ``base_url``, ``config`` (client options),
``video_url`` (downloads), ``dest`` (download path), ``hard_limit`` (seconds), ``isolate`` (bool).

A result: ``name``, ``code`` (the ``vg_code`` as an int, 0 for success, -1 for an exception that is not a
``VideoGenError``), ``code_name``, ``message``, ``http_status``, ``phase`` (``create``, ``prepare`` or ``call``),
``elapsed`` (seconds of the call itself), ``file`` and ``part`` (downloads: what is at ``dest`` and ``dest.part``),
``max_rss_kib`` (isolated cases: the worker's peak resident set, from ``wait4``), ``crash`` (signal name or exit
status), ``hung`` (bool) and ``stderr`` (tail, after a crash or hang).
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import signal
import sys
import tempfile
import time

API_KEY = "sk-hostile-3c7f0a"


def _file_info(path: str) -> dict | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def run_case(case: dict) -> dict:
    """Run one case in this process and describe what happened."""
    import videogen

    result: dict = {"name": case["name"], "code": 0, "code_name": "OK", "message": "", "http_status": None,
                    "phase": "create", "elapsed": 0.0}
    client = task = None
    try:
        client = videogen.Client(dialect="openai", base_url=case["base_url"], api_key=API_KEY, **case["config"])
        result["phase"] = "prepare"
        kind = case["kind"]
        record = {"record_version": 1, "id": "video_hostile", "state": "queued"}
        if kind == "download":
            record.update(state="succeeded", video_url=case["video_url"])
        if kind != "submit":
            task = client.resume(record)
        result["phase"] = "call"
        started = time.monotonic()
        try:
            if kind == "selftest-abort":  # the runner's own test: a worker that dies by a signal
                os.abort()
            elif kind == "selftest-hang":  # ... and one that outlives its hard limit
                time.sleep(3600)
            elif kind == "submit":
                task = client.submit(model="sora-2", prompt="a hostile server")
            elif kind == "poll":
                task.poll()
            else:
                task.download(case["dest"])
        finally:
            result["elapsed"] = time.monotonic() - started
    except videogen.VideoGenError as error:
        result.update(code=int(error.code), code_name=getattr(error.code, "name", str(error.code)),
                      message=error.message[:300], http_status=error.http_status)
    except Exception as error:  # noqa: BLE001 - anything else is reported, not raised
        result.update(code=-1, code_name=type(error).__name__, message=repr(error)[:300])
    finally:
        if task is not None:
            task.close()
        if client is not None:
            client.close()
    if case["kind"] == "download":
        result["file"] = _file_info(case["dest"])
        result["part"] = _file_info(case["dest"] + ".part")
    return result


def _worker(cases: list[dict], out: int, err_path: str) -> None:
    """The forked worker: stderr to ``err_path``, one JSON line per case to ``out``."""
    err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(err, 2)
    os.close(err)
    for case in cases:
        line = json.dumps(run_case(case)) + "\n"
        os.write(out, line.encode())
    os._exit(0)


def _head(path: str, limit: int = 600) -> str:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    return data[:limit].decode("utf-8", "replace")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def run(cases: list[dict], emit) -> None:
    """Run ``cases`` in forked workers (see the module docstring), calling ``emit(result)`` for each, in order."""
    import videogen

    videogen.library_path()  # load (and check) the library once, before forking: the workers share it
    pending = list(cases)
    handle, err_path = tempfile.mkstemp(prefix="videogen-hostile-", suffix=".stderr")
    os.close(handle)
    try:
        while pending:
            batch = pending[:1] if pending[0].get("isolate") else _leading_shared(pending, 64)
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_end)
                try:
                    _worker(batch, write_end, err_path)
                finally:
                    os._exit(70)
            os.close(write_end)
            results, hung = _collect(read_end, batch, pid)
            os.close(read_end)
            _, status, usage = os.wait4(pid, 0)
            if batch[0].get("isolate"):
                for result in results:
                    result["max_rss_kib"] = usage.ru_maxrss
            for result in results:
                emit(result)
            done = len(results)
            del pending[:done]
            if done < len(batch):  # the worker died (or was killed) during batch[done]
                case = batch[done]
                if hung:
                    crash = None
                elif os.WIFSIGNALED(status):
                    crash = _signal_name(os.WTERMSIG(status))
                else:
                    crash = f"exit {os.WEXITSTATUS(status)}"
                emit({"name": case["name"], "code": None, "code_name": "HUNG" if hung else "CRASH",
                      "message": "", "crash": crash, "hung": hung,
                      "elapsed": case["hard_limit"] if hung else None, "stderr": _head(err_path),
                      "max_rss_kib": usage.ru_maxrss})
                del pending[0]
    finally:
        try:
            os.unlink(err_path)
        except OSError:
            pass


def _leading_shared(pending: list[dict], limit: int) -> list[dict]:
    """The cases at the head of ``pending`` that may share a worker (up to the first isolated one)."""
    batch: list[dict] = []
    for case in pending[:limit]:
        if case.get("isolate"):
            break
        batch.append(case)
    return batch


def _collect(fd: int, batch: list[dict], pid: int) -> tuple[list[dict], bool]:
    """Read result lines from a worker; kill it when a case outlives its hard limit. Returns (results, hung)."""
    results: list[dict] = []
    buffer = b""
    deadline = time.monotonic() + batch[0]["hard_limit"]
    while len(results) < len(batch):
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            return results, True
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            return results, False
        buffer += chunk
        while b"\n" in buffer:
            line, _, buffer = buffer.partition(b"\n")
            results.append(json.loads(line))
            if len(results) < len(batch):
                deadline = time.monotonic() + batch[len(results)]["hard_limit"]
    return results, False


def main() -> None:
    job = json.load(sys.stdin)

    def emit(result: dict) -> None:
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()

    run(job["cases"], emit)


if __name__ == "__main__":
    main()
